"""The web pages through Django's test client: what residents and volunteers see and do (SPEC §7)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model

from boeking import clock, services
from boeking.models import Booking, Closure, Facility, Profile
from tests.factories import BookingFactory, FacilityFactory, LocationFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


@pytest.fixture
def resident(db):
    return UserFactory.resident(first_name="Anouk", last_name="Janssen")


@pytest.fixture
def volunteer(room):
    return UserFactory.volunteer(room.house)


def body(response) -> str:
    return response.content.decode()


def booking_post(**overrides):
    data = {"kind": "party", "date": "2027-01-23", "daypart": "", "start_time": "19:00", "end_time": "23:00",
            "guests": "40", "title": "Verjaardag", "notes": ""}
    data.update(overrides)
    return data


# --- finding a room --------------------------------------------------------------------------------------------

def test_home__lists_houses_with_rooms_in_dutch(client):
    room = RoomFactory(name="Grote zaal", capacity=120)
    room.facilities.add(FacilityFactory(code="keuken", name_nl="Keuken"))
    inactive = RoomFactory(location=room.location, name="Oude kelder", active=False)
    text = body(client.get("/"))
    assert room.house.name in text
    assert re.search(r"Grote zaal</a>: tot 120 personen — keuken", text)
    assert inactive.name not in text
    assert '<html lang="nl">' in text


def test_home__empty_state_explains_how_to_load_demo(client):
    assert "seed_demo" in body(client.get("/"))


def test_search__filters_by_guests_facilities_and_hearing_loop(client, caps):
    big = RoomFactory(name="Grote zaal", capacity=120, location__hearing_loop=True)
    big.facilities.add(FacilityFactory(code="keuken", name_nl="Keuken"))
    small = RoomFactory(name="Kleine zaal", capacity=20, location__hearing_loop=True)
    deaf_unfriendly = RoomFactory(name="Zaal zonder lus", capacity=200)
    deaf_unfriendly.facilities.add(Facility.objects.get(code="keuken"))
    text = body(client.get("/", {"guests": 50, "facilities": "keuken", "access": "hearing_loop"}))
    assert "1 zaal gevonden" in text
    assert "Grote zaal" in text
    assert small.name not in text and deaf_unfriendly.name not in text


def test_search__by_date_leaves_out_a_room_closed_that_day_and_shows_free_times(client, room, admin_user, now):
    closed = RoomFactory(name="Dichte zaal")
    services.closure_create(actor=admin_user, house=closed.house, start=local_dt(2027, 1, 20), end=local_dt(2027, 1, 21),
                            reason="Onderhoud")
    text = body(client.get("/", {"date": "2027-01-20"}))
    assert room.name in text
    assert "Dichte zaal" not in text
    # Open 08:00–01:00 every day (factory house): last night's tail is a continuation, the evening runs to 01:00.
    assert "Vrij: <span class=\"zb-muted zb-continued\">tot 01:00, vervolg van de avond ervoor</span>, 08:00–01:00" in text


def test_search__wheelchair_needs_entrance_door_and_toilet(client, caps):
    ok = RoomFactory(name="Toegankelijk", location=LocationFactory(step_free_entrance=True, door_width_cm=90,
                                                                     accessible_toilet=True))
    narrow = RoomFactory(name="Smalle deur", location=LocationFactory(step_free_entrance=True, door_width_cm=70,
                                                                        accessible_toilet=True))
    text = body(client.get("/", {"access": "wheelchair"}))
    assert ok.name in text and narrow.name not in text


# --- house and room ---------------------------------------------------------------------------------------------

def test_house__shows_rooms_accessibility_and_cap_usage(client, room, now):
    location = room.location
    location.hearing_loop, location.door_width_cm = True, 95
    location.save()
    BookingFactory.approved(room=room, start=local_dt(2027, 2, 6, 19), end=local_dt(2027, 2, 6, 23))
    text = body(client.get(f"/huizen/{room.house.slug}/"))
    assert room.name in text
    assert re.search(r"<dt>Ringleiding</dt><dd>ja</dd>", text)
    assert "95 cm" in text
    assert "Feest: nog 11 van 12 beschikbaar dit jaar" in text


def test_house__unknown_or_inactive_is_a_dutch_404(client, room):
    room.house.active = False
    room.house.save()
    response = client.get(f"/huizen/{room.house.slug}/")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in body(response)


def test_room_and_house__link_the_public_ical_feeds_as_webcal_and_https(client, room):
    from django.urls import reverse

    path = reverse("ical-room", args=[room.pk])
    # Absolute from the request's host (`make run PORT=8101`, a proxy), not from ZAALBOEK_SITE_URL.
    text = body(client.get(f"/zalen/{room.pk}/", HTTP_HOST="127.0.0.1:8101"))
    assert f'href="webcal://127.0.0.1:8101{path}"' in text
    assert f'href="http://127.0.0.1:8101{path}"' in text
    house_path = reverse("ical-house", args=[room.house.pk])
    assert f"webcal://127.0.0.1:8101{house_path}" in body(client.get(f"/huizen/{room.house.slug}/",
                                                                      HTTP_HOST="127.0.0.1:8101"))


def test_room__free_time_list_per_day_links_to_a_prefilled_form(client, room, now):
    BookingFactory.requested(room=room, start=local_dt(2027, 1, 27, 19), end=local_dt(2027, 1, 27, 22), kind="party")
    text = body(client.get(f"/zalen/{room.pk}/", {"week": "2027-01-27"}))
    assert "woensdag 27-01-2027" in text
    assert "19:00–22:30" in text  # busy incl. the 30-minute cleaning buffer
    assert "?datum=2027-01-27&amp;begin=08:00&amp;eind=18:30" in text
    prefilled = body(client.get(f"/zalen/{room.pk}/", {"datum": "2027-01-27", "begin": "08:00", "eind": "18:30"}))
    assert 'value="2027-01-27"' in prefilled and 'value="08:00"' in prefilled


def test_agenda_json__public_gets_busy_blocks_with_utc_offset_and_no_personal_data(client, room, now):
    BookingFactory.requested(room=room, start=local_dt(2027, 1, 27, 19), end=local_dt(2027, 1, 27, 22),
                             title="Verjaardag van Anouk")
    events = client.get(f"/zalen/{room.pk}/agenda.json",
                        {"start": "2027-01-25T00:00:00+01:00", "end": "2027-02-01T00:00:00+01:00"}).json()
    assert events == [{"title": "Bezet", "start": "2027-01-27T19:00:00+01:00", "end": "2027-01-27T22:30:00+01:00",
                       "classNames": ["zb-event--busy"]}]


def test_agenda_json__volunteer_of_the_house_sees_who_and_what(client, room, volunteer, now):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 7, 6, 19), end=local_dt(2027, 7, 6, 22),
                                       title="Verjaardag van Anouk")
    client.force_login(volunteer)
    events = client.get(f"/huizen/{room.house.slug}/agenda.json", {"start": "2027-07-05", "end": "2027-07-12"}).json()
    assert [(e["title"], e["start"], e["url"]) for e in events] == [
        (f"{room.name}: Verjaardag van Anouk", "2027-07-06T19:00:00+02:00", f"/bestuur/boekingen/{booking.pk}/")]


# --- quote and request ------------------------------------------------------------------------------------------

def test_quote__shows_price_and_rules_with_cap_usage(client, room, resident, now):
    client.force_login(resident)
    text = body(client.post(f"/zalen/{room.pk}/prijs/", booking_post()))
    assert "Huur 4 uur × € 25,00" in text
    assert "€\u00a0150,00" in text  # never broken between sign and amount
    assert "Nog 12 van 12 feesten beschikbaar in 2027." in text
    assert "Minimaal 14 dagen vooraf aangevraagd." in text


def test_quote__by_dagdeel_uses_the_daypart_times(client, room, now):
    text = body(client.post(f"/zalen/{room.pk}/prijs/", booking_post(daypart="middag", start_time="", end_time="")))
    assert "za 23-01-2027 13:00 – 17:00" in text
    assert "Huur 1 dagdeel × € 60,00" in text


def test_quote__time_in_the_spring_dst_gap_is_refused_with_a_clear_error(client, room, now):
    text = body(client.post(f"/zalen/{room.pk}/prijs/", booking_post(date="2027-03-28", start_time="02:30",
                                                                    end_time="05:00")))
    assert "28-03-2027 02:30 bestaat niet in Nederland (de klok gaat een uur vooruit)." in text


def test_request__creates_a_booking_and_shows_its_status(client, room, resident, now):
    client.force_login(resident)
    response = client.post(f"/zalen/{room.pk}/", booking_post())
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == f"/mijn/boekingen/{booking.pk}/"
    assert booking.status == "requested" and booking.booker == resident and booking.guests == 40
    assert (clock.local(booking.start), clock.local(booking.end)) == (local_dt(2027, 1, 23, 19), local_dt(2027, 1, 23, 23))
    text = body(client.get(response.url))
    assert "Aangevraagd" in text and "Uw aanvraag wacht op het besluit van het bestuur" in text


def test_request__end_before_start_means_the_next_day(client, room, resident, now):
    client.force_login(resident)
    client.post(f"/zalen/{room.pk}/", booking_post(start_time="20:00", end_time="00:30"))
    booking = Booking.objects.get()
    assert clock.local(booking.end) == local_dt(2027, 1, 24, 0, 30)


def test_request__rule_failure_is_shown_next_to_its_field_and_nothing_is_written(client, room, resident, now):
    client.force_login(resident)
    response = client.post(f"/zalen/{room.pk}/", booking_post(guests="500"))
    assert response.status_code == 200
    text = body(response)
    assert re.search(r'id="id_guests_error">De zaal biedt plaats aan maximaal 80 personen\.', text)
    assert 'aria-describedby="id_guests_error"' in text and 'aria-invalid="true"' in text
    assert 'value="2027-01-23"' in text and 'value="19:00"' in text  # what was typed stays
    assert not Booking.objects.exists()


def test_request__late_party_gets_the_notice_message_at_the_date(client, room, resident, now):
    client.force_login(resident)
    text = body(client.post(f"/zalen/{room.pk}/", booking_post(date="2027-01-08")))
    assert re.search(r'id="id_date_error">Vraag minimaal 14 dagen vooraf aan\.', text)
    assert not Booking.objects.exists()


def test_request__anonymous_is_sent_to_login_and_nothing_is_written(client, room, now):
    response = client.post(f"/zalen/{room.pk}/", booking_post())
    assert response.status_code == 302 and response.url.startswith("/inloggen/?next=")
    assert not Booking.objects.exists()


# --- my bookings: pay, cancel -----------------------------------------------------------------------------------

def test_mijn__lists_own_bookings_and_the_private_feed(client, room, resident, now):
    own = BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 1, 23, 19),
                                   end=local_dt(2027, 1, 23, 23))
    other = BookingFactory.requested(room=room, start=local_dt(2027, 1, 30, 19), end=local_dt(2027, 1, 30, 23))
    client.force_login(resident)
    text = body(client.get("/mijn/"))
    assert f"/mijn/boekingen/{own.pk}/" in text and f"/mijn/boekingen/{other.pk}/" not in text
    assert client.get(f"/mijn/boekingen/{other.pk}/").status_code == 404
    assert "/mijn/gegevens/" in text


def test_mijn__requires_login(client):
    response = client.get("/mijn/")
    assert response.status_code == 302 and response.url.startswith("/inloggen/")


def test_cancel__shows_the_fee_and_refund_first_then_cancels(client, room, resident, volunteer, now):
    booking = BookingFactory.approved(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    services.booking_mark_paid(booking=booking, actor=volunteer)
    client.force_login(resident)
    text = body(client.get(f"/mijn/boekingen/{booking.pk}/annuleren/"))
    # 19 days ahead: past the 14-day free period? No: 19 > 14, so free, with everything back.
    assert "U annuleert kosteloos. U krijgt €\u00a0150,00 terug." in text
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    client.post(f"/mijn/boekingen/{booking.pk}/annuleren/", {"reason": "Ziek"})
    booking.refresh_from_db()
    assert booking.status == "cancelled" and booking.refunded_cents == 15000


def test_cancel__late_cancellation_states_the_rent_due(client, room, resident, volunteer, frozen_now):
    frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))
    booking = BookingFactory.approved(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    services.booking_mark_paid(booking=booking, actor=volunteer)
    frozen_now(dt.datetime(2027, 1, 15, 9, 0, tzinfo=clock.TZ))
    client.force_login(resident)
    text = body(client.get(f"/mijn/boekingen/{booking.pk}/annuleren/"))
    assert "de huur van €\u00a0100,00 blijft verschuldigd" in text and "U krijgt €\u00a050,00 terug (de borg)." in text


def test_pay__offline_shows_instructions_and_no_stripe_in_the_csp(client, room, resident, volunteer, now):
    house = room.house
    house.bank_account, house.operator_name = "NL91ABNA0417164300", "Stichting De Kastanje"
    house.save()
    booking = BookingFactory.approved(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    client.force_login(resident)
    response = client.get(f"/mijn/boekingen/{booking.pk}/betalen/")
    text = body(response)
    assert "Maak € 150,00 over naar NL91ABNA0417164300" in text
    assert f"Zaalboek {booking.pk}" in text
    assert "js.stripe.com" not in response.headers["Content-Security-Policy"]
    assert "js.stripe.com" not in text


def test_pay__stripe_allows_stripe_js_only_on_that_page(client, room, resident, volunteer, now, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = "sk_test_x", "whsec_x"
    house = room.house
    house.payment_mode = "stripe"
    house.save()
    booking = BookingFactory.approved(room=room, booker=resident, approver=volunteer, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    client.force_login(resident)
    response = client.get(f"/mijn/boekingen/{booking.pk}/betalen/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "https://js.stripe.com" in csp
    assert 'src="https://js.stripe.com/v3/"' in body(response)
    assert f'data-payment-api="/api/v1/bookings/{booking.pk}/payment/"' in body(response)
    assert "js.stripe.com" not in client.get(f"/mijn/boekingen/{booking.pk}/").headers["Content-Security-Policy"]


# --- volunteers -------------------------------------------------------------------------------------------------

def test_bestuur__others_get_404(client, room, resident):
    client.force_login(resident)
    assert client.get("/bestuur/").status_code == 404


def test_bestuur__inbox_shows_request_with_rules_and_count_in_header(client, room, volunteer, now):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 23))
    other_house = BookingFactory.requested(room=RoomFactory(), start=local_dt(2027, 1, 23, 19),
                                           end=local_dt(2027, 1, 23, 23))
    client.force_login(volunteer)
    text = body(client.get("/bestuur/"))
    assert f'id="aanvraag-{booking.pk}"' in text and f'id="aanvraag-{other_house.pk}"' not in text
    assert re.search(r'<span class="zb-count"[^>]*>1</span>', text)
    assert "0 van 12 gebruikt, 1 in behandeling" in text
    assert "De zaal is vrij." in text


def test_bestuur__approve_then_mark_paid_confirms(client, room, volunteer, now):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 23))
    client.force_login(volunteer)
    client.post(f"/bestuur/boekingen/{booking.pk}/besluit/", {f"b{booking.pk}-decision": "approve"})
    booking.refresh_from_db()
    assert booking.status == "approved"
    client.post(f"/bestuur/boekingen/{booking.pk}/betaald/", {"confirm": "yes"})  # from the confirmation page
    booking.refresh_from_db()
    assert booking.status == "confirmed" and booking.paid_cents == booking.total_cents


def test_bestuur__reject_needs_a_reason(client, room, volunteer, now):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 23))
    client.force_login(volunteer)
    response = client.post(f"/bestuur/boekingen/{booking.pk}/besluit/", {f"b{booking.pk}-decision": "reject"},
                           follow=True)
    assert "Geef een reden voor de afwijzing." in body(response)
    booking.refresh_from_db()
    assert booking.status == "requested"
    client.post(f"/bestuur/boekingen/{booking.pk}/besluit/",
                {f"b{booking.pk}-decision": "reject", f"b{booking.pk}-reason": "Zaal is dan in onderhoud"})
    booking.refresh_from_db()
    assert booking.status == "rejected" and booking.decision_reason == "Zaal is dan in onderhoud"


def test_bestuur__approval_refused_at_cap_shows_the_message(client, room, volunteer, now):
    from boeking.models import CapRule

    first = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 23))
    second = BookingFactory.requested(room=room, start=local_dt(2027, 1, 30, 19), end=local_dt(2027, 1, 30, 23))
    CapRule.objects.create(kind="party", house=room.house, cap=1, reason="Horeca dichtbij")
    client.force_login(volunteer)
    client.post(f"/bestuur/boekingen/{first.pk}/besluit/", {f"b{first.pk}-decision": "approve"})
    response = client.post(f"/bestuur/boekingen/{second.pk}/besluit/", {f"b{second.pk}-decision": "approve"},
                           follow=True)
    assert "heeft het maximum van 1 feesten in 2027 bereikt" in body(response)
    second.refresh_from_db()
    assert second.status == "requested"


def test_bestuur__booking_of_another_house_is_404(client, room, volunteer, now):
    elsewhere = BookingFactory.requested(room=RoomFactory(), start=local_dt(2027, 1, 23, 19),
                                         end=local_dt(2027, 1, 23, 23))
    client.force_login(volunteer)
    assert client.get(f"/bestuur/boekingen/{elsewhere.pk}/").status_code == 404
    client.post(f"/bestuur/boekingen/{elsewhere.pk}/besluit/", {f"b{elsewhere.pk}-decision": "approve"})
    elsewhere.refresh_from_db()
    assert elsewhere.status == "requested"


def test_bestuur__refund_deposit_retaining_part_needs_a_reason(client, room, volunteer, frozen_now):
    frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))
    booking = BookingFactory.confirmed(room=room, approver=volunteer, start=local_dt(2027, 1, 23, 19),
                                       end=local_dt(2027, 1, 23, 23))
    frozen_now(dt.datetime(2027, 1, 25, 9, 0, tzinfo=clock.TZ))
    client.force_login(volunteer)
    client.post(f"/bestuur/boekingen/{booking.pk}/borg/", {"retain": "20,00", "reason": ""})
    booking.refresh_from_db()
    assert booking.deposit_settled_at is None
    client.post(f"/bestuur/boekingen/{booking.pk}/borg/", {"retain": "20.00", "reason": "Glas gebroken"})
    booking.refresh_from_db()
    assert booking.deposit_retained_cents == 2000 and booking.deposit_settled_at is not None


def test_bestuur__closures_are_added_and_removed(client, room, volunteer, now):
    client.force_login(volunteer)
    slug = room.house.slug
    response = client.post(f"/bestuur/huizen/{slug}/sluitingen/", {
        "room": "", "date": "2027-02-15", "start_time": "00:00", "end_date": "2027-02-19", "end_time": "23:59",
        "reason": "Krokusvakantie"})
    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.reason == "Krokusvakantie" and clock.local(closure.start) == local_dt(2027, 2, 15)
    assert "Krokusvakantie" in body(client.get(f"/bestuur/huizen/{slug}/sluitingen/"))
    client.post(f"/bestuur/huizen/{slug}/sluitingen/{closure.pk}/verwijderen/", {"confirm": "yes"})
    assert not Closure.objects.exists()


def test_bestuur__closure_end_before_start_is_an_error_at_the_field(client, room, volunteer, now):
    client.force_login(volunteer)
    text = body(client.post(f"/bestuur/huizen/{room.house.slug}/sluitingen/", {
        "room": "", "date": "2027-02-15", "start_time": "00:00", "end_date": "2027-02-10", "end_time": "23:59",
        "reason": "Fout"}))
    assert 'id="id_end_date_error">Het einde van de sluiting moet na het begin liggen.' in text
    assert not Closure.objects.exists()


def test_bestuur__series_page_shows_dates_that_could_not_be_booked(client, room, volunteer, now):
    BookingFactory.requested(room=room, start=local_dt(2027, 1, 20, 18), end=local_dt(2027, 1, 20, 22))
    services.series_create(booker=volunteer, room=room, kind="community", rrule="RRULE:FREQ=WEEKLY;BYDAY=WE",
                           start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 1, 13),
                           until=dt.date(2027, 1, 27), guests=20, title="Buurtsoos")
    client.force_login(volunteer)
    text = body(client.get(f"/bestuur/huizen/{room.house.slug}/reeksen/"))
    assert "Buurtsoos" in text
    assert "2 datums geboekt" in text
    assert "woensdag 20-01-2027: Al bezet" in text


# --- accounts, languages, security headers ----------------------------------------------------------------------

def test_signup__creates_a_resident_with_postcode_and_18_plus(client):
    response = client.post("/aanmelden/", {"first_name": "Noor", "last_name": "de Bie", "email": "Noor@Example.org",
                                            "postcode": "6222vt", "phone": "", "password1": "lang-genoeg-wachtwoord",
                                            "adult": "on"})
    assert response.status_code == 302 and response.url == "/account/confirm-email/"  # "check your mail"
    user = get_user_model().objects.get(username="noor@example.org")
    profile = Profile.objects.get(user=user)
    assert (profile.role, profile.postcode, profile.adult_declared) == ("resident", "6222 VT", True)
    assert client.get("/mijn/").status_code == 200  # signed in


def test_signup__next_to_another_site_is_ignored(client):
    response = client.post("/aanmelden/?next=//evil.example/", {
        "first_name": "Noor", "last_name": "de Bie", "email": "noor@example.org", "postcode": "6222 VT",
        "password1": "lang-genoeg-wachtwoord", "adult": "on"})
    assert response.status_code == 302 and "evil" not in response.url


def test_bestuur__decision_next_to_another_site_is_ignored(client, room, volunteer, now):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 23))
    client.force_login(volunteer)
    response = client.post(f"/bestuur/boekingen/{booking.pk}/besluit/",
                           {f"b{booking.pk}-decision": "approve", "next": "//evil.example/"})
    assert response.url == "/bestuur/"


def test_signup__without_18_plus_declaration_is_refused(client):
    text = body(client.post("/aanmelden/", {"first_name": "Jong", "last_name": "Mens", "email": "jong@example.org",
                                            "postcode": "6222 VT", "password1": "lang-genoeg-wachtwoord"}))
    assert "U moet 18 jaar of ouder zijn om een zaal te huren." in text
    assert not get_user_model().objects.filter(username="jong@example.org").exists()


def test_login__demo_style_email_login_redirects_to_mijn(client, resident):
    response = client.post("/inloggen/", {"login": resident.username, "password": "demo"})
    assert response.status_code == 302 and response.url == "/mijn/"


def test_language__english_via_the_switch(client, room):
    response = client.post("/taal/", {"language": "en", "next": "/"}, follow=True)
    text = body(response)
    assert '<html lang="en">' in text and "Find a room" in text and "up to 80 people" in text


def test_csp__no_unsafe_inline_or_eval_and_no_inline_scripts(client, room):
    for path in ["/", f"/huizen/{room.house.slug}/", f"/zalen/{room.pk}/", "/inloggen/"]:
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert re.search(r"script-src 'self'", csp)
        scripts = re.findall(r"<script([^>]*)>", body(response))
        assert scripts and all("src=" in attrs for attrs in scripts), path
        assert not re.search(r"\son[a-z]+=", body(response)), path  # no inline event handlers


def test_htmx__eval_disabled_by_meta_config(client):
    assert '"allowEval": false' in body(client.get("/"))
def test_api_docs__no_inline_script_and_the_script_file_is_served(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script> would need unsafe-inline"
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', html).group(1).replace("&amp;", "&")
    served = client.get(script)
    assert served.status_code == 200 and b"SwaggerUIBundle" in served.content
    csp = page["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "nonce" not in csp.split("script-src")[1].split(";")[0]


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "2027-02-30", "morgen"])
def test_room_page__far_or_bad_week_in_the_url__this_week_shown_not_an_error(client, week):
    room = RoomFactory()
    response = client.get(f"/zalen/{room.pk}/", {"week": week})
    assert response.status_code == 200
    assert client.get(f"/zalen/{room.pk}/agenda.json", {"start": week, "end": week}).status_code in (200, 400)


def test_request__the_api_limit_on_requests_applies_to_the_form_too(client, room, resident, now, monkeypatch):
    from rest_framework.throttling import ScopedRateThrottle

    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES",
                        {**ScopedRateThrottle.THROTTLE_RATES, "booking_create": "2/hour"})
    client.force_login(resident)
    for day in ("2027-01-23", "2027-01-30"):
        assert client.post(f"/zalen/{room.pk}/", booking_post(date=day)).status_code == 302
    response = client.post(f"/zalen/{room.pk}/", booking_post(date="2027-02-06"))
    assert response.status_code == 200
    assert "te veel aanvragen" in body(response)
    assert Booking.objects.count() == 2


def test_room_page__a_chosen_date_opens_the_free_times_table_on_its_week(client):
    """The calendar opens on the chosen date (`datum`); the table of free times beside it shows that week too, not
    this week (an explicit `week` still wins)."""
    room = RoomFactory()
    html = client.get(f"/zalen/{room.pk}/", {"datum": "2027-01-02"}).content.decode()
    assert "Vrije tijden in de week van 28-12-2026" in html
    html = client.get(f"/zalen/{room.pk}/", {"datum": "2027-01-02", "week": "2027-01-20"}).content.decode()
    assert "Vrije tijden in de week van 18-01-2027" in html

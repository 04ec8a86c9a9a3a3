"""Series on the web (issue 18): an association requests a series from a room's page with a preview of every date
(the API's planner), follows it as one entry on /mijn/, and changes it (one date, this and all following, the whole
series, new times, a date restored); the board hears when the house's setting approved a booking by itself."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from boeking import clock, services
from boeking.models import AuditEntry, Booking, BookingStatus, Series, SeriesStatus
from boeking.services.series import series_quote
from tests.factories import BookingFactory, UserFactory, local_dt
from tests.jobs.queue import db_queue, run_queue  # noqa: F401  (db_queue: a fixture, used by name)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


@pytest.fixture
def volunteer(room):
    return UserFactory.volunteer(room.house)


@pytest.fixture
def association(db):
    return UserFactory.association(first_name="Els", last_name="Dirix")


@pytest.fixture
def closure(room, volunteer):
    return services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 2, 15),
                                   end=local_dt(2027, 2, 20), reason="Krokusvakantie")


def series_post(**overrides):
    data = {"kind": "association", "title": "Koorrepetitie", "pattern": "weekly", "weekdays": ["TU"],
            "interval": "1", "start_time": "19:00", "end_time": "21:00", "first_date": "2027-01-12",
            "until": "2027-03-30", "count": "", "guests": "20", "action": "preview"}
    data.update(overrides)
    return data


def body(response) -> str:
    return response.content.decode()


def make_series(room, booker, **overrides) -> Series:
    args = {"kind": "association", "rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": dt.time(19),
            "end_time": dt.time(21), "first_date": dt.date(2027, 1, 12), "until": dt.date(2027, 3, 30), "guests": 20,
            "title": "Koorrepetitie"}
    args.update(overrides)
    return services.series_create(booker=booker, room=room, **args)


# --- requesting a series ------------------------------------------------------------------------------------------

def test_room_page__links_to_the_series_form_for_associations_only(client, room, association, now):
    client.force_login(association)
    assert reverse("room-series", args=[room.pk]) in body(client.get(reverse("room", args=[room.pk])))
    client.force_login(UserFactory.resident())
    assert reverse("room-series", args=[room.pk]) not in body(client.get(reverse("room", args=[room.pk])))


def test_series_form__residents_get_403_with_words_anonymous_users_log_in(client, room, now):
    url = reverse("room-series", args=[room.pk])
    assert client.get(url)["Location"].startswith(reverse("login"))
    client.force_login(UserFactory.resident())
    response = client.get(url)
    assert response.status_code == 403
    assert "verenigingen" in body(response)
    assert client.post(reverse("room-series-preview", args=[room.pk]), series_post()).status_code == 403
    assert not Series.objects.exists()


def test_preview_without_javascript__every_date_with_its_status_and_the_closure_by_name(
        client, room, association, closure, now):
    client.force_login(association)
    response = client.post(reverse("room-series", args=[room.pk]), series_post())
    text = body(response)
    assert response.status_code == 200
    assert "Elke dinsdag van 19:00 tot 21:00, van 12 januari 2027 tot en met 30 maart 2027" in text
    assert "11 datums te boeken" in text and "1 datum kan niet" in text
    assert re.search(r'data-skip="2027-02-16">.*dinsdag 16-02-2027: .*Gesloten: Krokusvakantie', text)
    assert 'data-date="2027-01-12"' in text and 'data-date="2027-03-30"' in text
    assert "RRULE" not in text and "FREQ=" not in text
    assert not Series.objects.exists()  # a preview writes nothing


def test_preview__is_the_apis_planner(client, room, association, closure, now):
    """The same dates and skips as POST /api/v1/series/quote/ (services.series_quote), not a second planner."""
    client.force_login(association)
    plan = series_quote(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;INTERVAL=1;BYDAY=TU",
                        start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 1, 12),
                        until=dt.date(2027, 3, 30), guests=20)
    text = body(client.post(reverse("room-series-preview", args=[room.pk]), series_post()))
    assert re.findall(r'data-date="([\d-]+)"', text) == [p.date.isoformat() for p in plan.periods]
    assert re.findall(r'data-skip="([\d-]+)"', text) == [s.date.isoformat() for s in plan.skips]


def test_preview__taken_dates_and_the_last_weekday_of_the_month_in_words(client, room, association, now):
    BookingFactory.requested(room=room, start=local_dt(2027, 2, 26, 18), end=local_dt(2027, 2, 26, 23))
    client.force_login(association)
    text = body(client.post(reverse("room-series-preview", args=[room.pk]),
                            series_post(pattern="last", weekdays=["FR"], first_date="2027-01-01", until="",
                                        count="4")))
    assert "De laatste vrijdag van elke maand van 19:00 tot 21:00, vanaf 1 januari 2027, 4 keer" in text
    assert re.search(r'data-skip="2027-02-26">.*Al bezet', text)
    assert re.findall(r'data-date="([\d-]+)"', text) == ["2027-01-29", "2027-03-26", "2027-04-30"]


def test_preview__english_words(client, room, association, closure, now):
    client.force_login(association)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = body(client.post(reverse("room-series-preview", args=[room.pk]),
                            series_post(pattern="weekly", interval="2", weekdays=["MO", "TH"])))
    assert "Every other week on Monday and Thursday from 19:00 to 21:00" in text
    text = body(client.post(reverse("room-series-preview", args=[room.pk]), series_post()))
    assert "Closed: Krokusvakantie" in text


def test_preview__outside_opening_hours_and_too_far_ahead_in_words(client, room, association, now):
    client.force_login(association)
    text = body(client.post(reverse("room-series-preview", args=[room.pk]),
                            series_post(start_time="07:00", end_time="09:00", until="2027-01-26")))
    assert re.findall(r'data-skip="([\d-]+)">[^<]*<[^>]*>[^<]*</span> [^:]+: ([^<]+)<', text) == [
        ("2027-01-12", "Buiten de openingstijden"), ("2027-01-19", "Buiten de openingstijden"),
        ("2027-01-26", "Buiten de openingstijden")]
    text = body(client.post(reverse("room-series-preview", args=[room.pk]),
                            series_post(first_date="2027-12-28", until="2028-01-18")))
    assert "Te ver vooruit" in text and 'data-date="2027-12-28"' in text


def test_preview_while_typing__what_is_wrong_is_said_what_is_missing_is_not(client, room, association, now):
    client.force_login(association)
    text = body(client.post(reverse("room-series-preview", args=[room.pk]), series_post(until="", guests="")))
    assert "Vul een laatste datum of een aantal keer in." in text
    assert "vereist" not in text  # the empty number of participants is still being typed
    text = body(client.post(reverse("room-series-preview", args=[room.pk]), series_post(until="2029-06-01")))
    assert "18 maanden" in text and "data-date" not in text


def test_series_form__another_houses_board_gets_403(client, room, now):
    from tests.factories import HouseFactory

    client.force_login(UserFactory.volunteer(HouseFactory()))
    assert client.get(reverse("room-series", args=[room.pk])).status_code == 403


def test_send_with_a_number_of_times(client, room, association, now):
    client.force_login(association)
    response = client.post(reverse("room-series", args=[room.pk]),
                           series_post(action="send", pattern="first", weekdays=["MO"], first_date="2027-02-01",
                                       until="", count="3"), follow=True)
    series = Series.objects.get()
    assert [clock.local(b.start).date() for b in series.occurrences.order_by("start")] == [
        dt.date(2027, 2, 1), dt.date(2027, 3, 1), dt.date(2027, 4, 5)]
    assert "De eerste maandag van elke maand van 19:00 tot 21:00, vanaf 1 februari 2027, 3 keer" in body(response)


@pytest.mark.parametrize(("overrides", "field", "words"), [
    ({"until": "", "count": ""}, "until", "laatste datum of een aantal keer"),
    ({"count": "5"}, "count", "niet allebei"),
    ({"weekdays": []}, "weekdays", "vereist"),
    ({"until": "2029-01-01"}, "until", "18 maanden"),
    ({"end_time": "19:00"}, "end_time", "verschillen"),
    ({"guests": "100001"}, "guests", "deelnemers"),
    ({"first_date": "9999-12-31", "until": ""}, "first_date", None),
])
def test_bad_input__an_error_at_the_field_nothing_written_never_a_500(client, room, association, now, overrides,
                                                                       field, words):
    client.force_login(association)
    response = client.post(reverse("room-series", args=[room.pk]), series_post(action="send", **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors or "__all__" in errors, errors
    if words:
        assert words in " ".join(" ".join(e) for e in errors.values())
    assert not Series.objects.exists()


def test_send__requests_the_series_as_the_api_does_and_shows_its_page(client, room, association, closure, now):
    client.force_login(association)
    response = client.post(reverse("room-series", args=[room.pk]), series_post(action="send"), follow=True)
    series = Series.objects.get()
    assert series.status == SeriesStatus.REQUESTED and series.booker == association
    assert series.occurrences.filter(status=BookingStatus.REQUESTED).count() == 11
    assert list(series.skips.values_list("date", flat=True)) == [dt.date(2027, 2, 16)]
    assert response.redirect_chain[-1][0] == reverse("mijn-series", args=[series.pk])
    text = body(response)
    assert "Uw aanvraag voor de reeks is verstuurd" in text
    assert "Elke dinsdag van 19:00 tot 21:00" in text and "Gesloten: Krokusvakantie" in text
    assert "FREQ=" not in text
    assert AuditEntry.objects.filter(action="series.created", actor=association).exists()


def test_send__a_volunteer_books_the_houses_own_activity_at_once(client, room, volunteer, now):
    client.force_login(volunteer)
    client.post(reverse("room-series", args=[room.pk]), series_post(action="send", kind="community"))
    assert Series.objects.get().status == SeriesStatus.APPROVED


# --- my series -----------------------------------------------------------------------------------------------------

def test_mijn__a_series_is_one_entry_with_next_date_count_and_skips(client, room, association, closure, now):
    BookingFactory.requested(room=room, booker=association, kind="association", start=local_dt(2027, 1, 20, 10),
                             end=local_dt(2027, 1, 20, 12))
    series = make_series(room, association)
    client.force_login(association)
    text = body(client.get(reverse("mijn")))
    assert text.count(f'data-series="{series.pk}"') == 1
    assert text.count('class="zb-card"') == 2  # the series and the one-off booking, not 11 cards
    assert "11 datums aangevraagd" in text and "volgende: di 12-01-2027 19:00" in text
    assert "1 datum niet geboekt" in text and "Gesloten: Krokusvakantie" in text


def test_mijn__queries_do_not_grow_with_the_number_of_dates(client, room, association, now):
    make_series(room, association, until=dt.date(2027, 1, 26))
    client.force_login(association)
    client.get(reverse("mijn"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        client.get(reverse("mijn"))
    make_series(room, association, rrule="FREQ=WEEKLY;BYDAY=TH", until=dt.date(2027, 12, 30))
    with CaptureQueriesContext(connection) as long:
        client.get(reverse("mijn"))
    assert len(long) == len(short)


def test_series_page__queries_do_not_grow_with_the_number_of_dates(client, room, association, volunteer, now):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    short = make_series(room, association, until=dt.date(2027, 1, 26))
    long = make_series(room, association, rrule="FREQ=WEEKLY;BYDAY=TH", until=dt.date(2027, 12, 30))
    for series in (short, long):
        services.series_approve(series=series, actor=volunteer)
        services.booking_cancel(booking=series.occurrences.order_by("start")[1], actor=association)
    client.force_login(association)
    counts = []
    for series in (short, long):
        client.get(reverse("mijn-series", args=[series.pk]))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("mijn-series", args=[series.pk])).status_code == 200
        counts.append(len(queries))
    assert short.occurrences.count() == 3 and long.occurrences.count() >= 40
    assert counts[0] == counts[1]


def test_series_page__only_its_owner(client, room, association, now):
    series = make_series(room, association)
    client.force_login(UserFactory.association())
    assert client.get(reverse("mijn-series", args=[series.pk])).status_code == 404
    assert client.post(reverse("mijn-series-cancel", args=[series.pk]), {"scope": "all"}).status_code == 404
    assert series.occurrences.filter(status=BookingStatus.REQUESTED).count() == 12


def test_cancel_one_date__only_that_date(client, room, association, now):
    series = make_series(room, association)
    target = series.occurrences.order_by("start")[2]
    client.force_login(association)
    response = client.post(reverse("mijn-series-cancel", args=[series.pk]), {"scope": "date", "booking": target.pk,
                                                                            "confirm": "yes"}, follow=True)
    target.refresh_from_db()
    assert target.status == BookingStatus.CANCELLED
    assert series.occurrences.filter(status=BookingStatus.REQUESTED).count() == 11
    assert "De datum 26-01-2027 is geannuleerd" in body(response)


def test_cancel_this_and_following__the_series_ends_before_it(client, room, association, volunteer, now):
    series = make_series(room, association)
    services.series_approve(series=series, actor=volunteer)
    client.force_login(association)
    response = client.post(reverse("mijn-series-cancel", args=[series.pk]),
                           {"scope": "following", "from_date": "2027-03-02", "confirm": "yes"}, follow=True)
    series.refresh_from_db()
    assert series.until == dt.date(2027, 3, 1) and series.status == SeriesStatus.APPROVED
    assert series.occurrences.filter(status=BookingStatus.CONFIRMED).count() == 7
    assert "5 datums vanaf 02-03-2027 zijn geannuleerd" in body(response)


def test_cancel__first_the_dates_it_would_cancel_then_only_with_confirm(client, room, association, now):
    series = make_series(room, association)
    client.force_login(association)
    response = client.post(reverse("mijn-series-cancel", args=[series.pk]),
                           {"scope": "following", "from_date": "2027-03-16", "reason": "Zomerstop"})
    text = body(response)
    assert "Weet u zeker dat u deze 3 datums wilt annuleren?" in text
    assert "16-03-2027 19:00" in text and "30-03-2027 19:00" in text and "09-03-2027" not in text
    assert 'name="confirm" value="yes"' in text and 'value="Zomerstop"' in text
    assert series.occurrences.filter(status=BookingStatus.REQUESTED).count() == 12  # nothing yet


def test_cancel_the_whole_series(client, room, association, now):
    series = make_series(room, association)
    client.force_login(association)
    client.post(reverse("mijn-series-cancel", args=[series.pk]), {"scope": "all", "confirm": "yes"})
    series.refresh_from_db()
    assert series.status == SeriesStatus.CANCELLED
    assert not series.occurrences.filter(status__in=BookingStatus.HOLDING).exists()
    text = body(client.get(reverse("mijn-series", args=[series.pk])))
    assert "Alleen deze datum annuleren" not in text and "Alle komende datums annuleren" not in text


def test_change_time__wider_goes_to_the_board_narrower_at_once(client, room, association, volunteer, now):
    series = make_series(room, association)
    services.series_approve(series=series, actor=volunteer)
    client.force_login(association)
    response = client.post(reverse("mijn-series-time", args=[series.pk]),
                           {"from_date": "2027-03-02", "start_time": "19:30", "end_time": "20:30"}, follow=True)
    narrower = Series.objects.get(parent=series)
    assert narrower.status == SeriesStatus.APPROVED
    assert "De tijden zijn gewijzigd vanaf 02-03-2027" in body(response)
    response = client.post(reverse("mijn-series-time", args=[narrower.pk]),
                           {"from_date": "2027-03-16", "start_time": "18:00", "end_time": "21:00"}, follow=True)
    wider = Series.objects.get(parent=narrower)
    assert wider.status == SeriesStatus.REQUESTED
    assert "het bestuur beslist erover" in body(response)
    assert response.redirect_chain[-1][0] == reverse("mijn-series", args=[wider.pk])


def test_change_time__a_date_not_offered_is_refused_with_words(client, room, association, now):
    series = make_series(room, association)
    client.force_login(association)
    response = client.post(reverse("mijn-series-time", args=[series.pk]),
                           {"from_date": "2027-03-03", "start_time": "18:00", "end_time": "21:00"}, follow=True)
    assert not Series.objects.filter(parent=series).exists()
    assert "Selecteer een geldige keuze" in body(response)


def test_restore__offered_for_a_free_date_and_booked_again(client, room, association, volunteer, now):
    series = make_series(room, association)
    services.series_approve(series=series, actor=volunteer)
    target = series.occurrences.order_by("start")[3]
    services.booking_cancel(booking=target, actor=association)
    client.force_login(association)
    text = body(client.get(reverse("mijn-series", args=[series.pk])))
    assert text.count("Weer boeken (de zaal is vrij)") == 1
    response = client.post(reverse("mijn-series-restore", args=[series.pk]), {"date": "2027-02-02"}, follow=True)
    restored = series.occurrences.get(status__in=BookingStatus.HOLDING, start=target.start)
    assert restored.status == BookingStatus.REQUESTED  # adds to what was approved: the board decides
    assert "weer aangevraagd" in body(response)


def test_restore__not_offered_when_someone_else_took_the_date(client, room, association, volunteer, now):
    series = make_series(room, association)
    target = series.occurrences.order_by("start")[3]
    services.booking_cancel(booking=target, actor=association)
    BookingFactory.requested(room=room, start=target.start, end=target.end)
    client.force_login(association)
    assert "Weer boeken" not in body(client.get(reverse("mijn-series", args=[series.pk])))
    response = client.post(reverse("mijn-series-restore", args=[series.pk]), {"date": "2027-02-02"}, follow=True)
    assert "kan niet" in body(response)


def test_series_page__english(client, room, association, closure, now):
    series = make_series(room, association)
    client.force_login(association)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = body(client.get(reverse("mijn-series", args=[series.pk])))
    assert "Every Tuesday from 19:00 to 21:00, from 12 January 2027 to 30 March 2027" in text
    assert "Closed: Krokusvakantie" in text


# --- the board hears of an automatic approval ------------------------------------------------------------------

@pytest.mark.usefixtures("db_queue")
def test_automatic_approval__the_board_is_told_nothing_waits_for_its_decision(room, volunteer, now):
    services.auto_approval_set(actor=volunteer, house=room.house, kinds=["koffietafel"])
    booking = BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 5, 13),
                                       end=local_dt(2027, 1, 5, 15), alcohol=False)
    assert booking.status == BookingStatus.APPROVED
    mail.outbox.clear()
    run_queue()
    board = [m for m in mail.outbox if volunteer.email in m.to]
    assert [m.subject for m in board] == [f"Automatisch goedgekeurd: {booking.room}, di 05-01-2027 13:00"]
    assert "automatisch goedgekeurd volgens de instelling van uw huis" in board[0].body
    assert "U hoeft niets te beslissen" in board[0].body and "op uw besluit" not in board[0].body
    booker = [m for m in mail.outbox if booking.booker_email in m.to]
    assert [m.subject.split(":")[0] for m in booker] == ["Goedgekeurd"]  # not "received, the board decides"


@pytest.mark.usefixtures("db_queue")
def test_manual_approval__the_board_still_gets_the_request_to_decide(room, volunteer, now):
    booking = BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 5, 13),
                                       end=local_dt(2027, 1, 5, 15), alcohol=False)
    mail.outbox.clear()
    run_queue()
    board = [m for m in mail.outbox if volunteer.email in m.to]
    assert [m.subject.split(":")[0] for m in board] == ["Nieuwe aanvraag"]
    assert "wacht een nieuwe aanvraag op uw besluit" in board[0].body
    assert not AuditEntry.objects.filter(booking=booking, action="booking.approved").exists()


@pytest.mark.usefixtures("db_queue")
def test_automatic_approval_mail__in_english_for_an_english_board_member(room, now):
    member = UserFactory.volunteer(room.house, profile__language="en")
    services.auto_approval_set(actor=member, house=room.house, kinds=["koffietafel"])
    BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 5, 13),
                             end=local_dt(2027, 1, 5, 15), alcohol=False)
    mail.outbox.clear()
    run_queue()
    (message,) = [m for m in mail.outbox if member.email in m.to]
    assert message.subject.startswith("Approved automatically:")
    assert "approved automatically" in message.body
    assert Booking.objects.get().status == BookingStatus.APPROVED

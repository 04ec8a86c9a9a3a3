"""Issue 13's nine cases: each one sat in the gap between two copies of one rule. Each test asks two doors (or a door
and the service behind another) the same question and expects one answer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from boeking import access, rules, services, states
from boeking.clock import local
from boeking.errors import DomainError, InvalidTransition
from boeking.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    Closure,
    OpeningHours,
    RuleSettings,
    Series,
    SeriesStatus,
)
from frontend.helpers import booking_actions
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture
def december(frozen_now):
    return frozen_now(local_dt(2026, 12, 1, 9))


@pytest.fixture
def association(db):
    return UserFactory.association()


@pytest.fixture
def volunteer(room):
    return UserFactory.volunteer(room.house)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def series_body(room, **overrides) -> dict:
    body = {"room": room.pk, "kind": "association", "rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "19:00",
            "end_time": "21:00", "first_date": "2027-01-05", "until": "2027-03-30", "guests": 20, "title": "Koor"}
    body.update(overrides)
    return body


# --- 1. a series meets the maximum-advance rule, counted from today ------------------------------------------------


def test_case1__series_three_years_ahead__refused_like_a_single_booking(december, room, association):
    single = api(association).post("/api/v1/bookings/quote/", {
        "room": room.pk, "kind": "association", "start": "2029-12-04T19:00:00+01:00",
        "end": "2029-12-04T21:00:00+01:00", "guests": 20}, format="json")
    assert single.status_code == 200
    assert {r["rule"]: r["outcome"] for r in single.json()["rules"]}["max_advance"] == "fail"
    response = api(association).post("/api/v1/series/", series_body(room, first_date="2029-12-04",
                                                                   until="2030-01-29"), format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "horizon_too_long"
    assert not Series.objects.exists() and not Booking.objects.exists()


def test_case1__series_dates_beyond_max_advance__skipped_with_the_reason_and_never_approvable(
        december, room, association, volunteer):
    response = api(association).post("/api/v1/series/", series_body(room, first_date="2027-11-02",
                                                                   until="2028-01-25"), format="json")
    assert response.status_code == 201, response.content
    rejected = {r["date"]: r["reason"] for r in response.json()["rejected_dates"]}
    # 365 days from 1 December 2026: every Tuesday after 1 December 2027 is too far ahead.
    assert rejected == {d: "max_advance" for d in ("2027-12-07", "2027-12-14", "2027-12-21", "2027-12-28",
                                                   "2028-01-04", "2028-01-11", "2028-01-18", "2028-01-25")}
    series = Series.objects.get()
    services.series_approve(series=series, actor=volunteer)
    assert max(local(b.start).date() for b in series.occurrences.filter(status=BookingStatus.CONFIRMED)) == \
        dt.date(2027, 11, 30)


# --- 2. a series' own dates never overlap each other --------------------------------------------------------------


def _open_all_day(house):
    OpeningHours.objects.filter(house=house).delete()
    for weekday in range(7):
        OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(0), closes=dt.time(0))


def test_case2__monday_and_tuesday_overnight__tuesdays_are_conflicts_in_quote_and_create_alike(
        december, room, volunteer):
    _open_all_day(room.house)
    body = series_body(room, kind="community", rrule="FREQ=WEEKLY;BYDAY=MO,TU", start_time="20:00",
                       end_time="19:45", first_date="2027-01-04", until="2027-01-26")
    quote = api(volunteer).post("/api/v1/series/quote/", body, format="json")
    assert quote.status_code == 200, quote.content
    quoted = {r["date"]: r["reason"] for r in quote.json()["rejected_dates"]}
    assert quoted == {"2027-01-05": "conflict", "2027-01-12": "conflict", "2027-01-19": "conflict",
                      "2027-01-26": "conflict"}
    created = api(volunteer).post("/api/v1/series/", body, format="json")
    assert created.status_code == 201, created.content
    assert {r["date"]: r["reason"] for r in created.json()["rejected_dates"]} == quoted
    held = list(Booking.objects.filter(status__in=BookingStatus.HOLDING).order_by("start"))
    assert [local(b.start).date() for b in held] == [dt.date(2027, 1, d) for d in (4, 11, 18, 25)]
    assert all(a.blocked_until <= b.start for a, b in zip(held, held[1:], strict=False))


def test_case2__at_most_24_hours_per_date_is_real_time_across_the_autumn_change(frozen_now, room, volunteer):
    # 04:00 → 03:45 (next day) across the night the clocks go back: 23:45 on the wall clock, 24:45 in real time.
    frozen_now(local_dt(2027, 10, 1, 9))
    _open_all_day(room.house)
    body = series_body(room, kind="community", rrule="FREQ=WEEKLY;BYDAY=SA", start_time="04:00",
                       end_time="03:45", first_date="2027-10-30", until="2027-10-30")
    response = api(volunteer).post("/api/v1/series/quote/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "too_long"


# --- 3. an inactive room takes no approvals or payments; the board sees and cancels its bookings ------------------


def test_case3__room_switched_off__approval_and_payment_refused_and_the_board_cancels(frozen_now, room, volunteer,
                                                                                     client):
    frozen_now(local_dt(2027, 1, 4, 9))
    requested = BookingFactory.requested(room=room, start=local_dt(2027, 3, 6, 19), end=local_dt(2027, 3, 6, 23))
    approved = BookingFactory.approved(room=room, approver=volunteer, start=local_dt(2027, 3, 13, 19),
                                       end=local_dt(2027, 3, 13, 23))
    room.active = False
    room.save()
    response = api(volunteer).post(f"/api/v1/bookings/{requested.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "room_inactive"
    pay = api(approved.booker).post(f"/api/v1/bookings/{approved.pk}/payment/", {}, format="json")
    assert pay.status_code == 409 and pay.json()["code"] == "room_inactive"
    approved.refresh_from_db()
    assert not booking_actions(approved.booker, approved, local_dt(2027, 1, 4, 9))["pay"]
    client.force_login(volunteer)
    inbox = client.get(reverse("bestuur"))
    assert f"#{requested.pk}" in inbox.content.decode() and "niet meer te boeken" in inbox.content.decode()
    # Destructive: the first POST asks (listing what it cancels) and changes nothing; the confirmation cancels.
    ask = client.post(reverse("bestuur-unavailable-cancel"), {"booking": [requested.pk, approved.pk]})
    assert ask.status_code == 200 and f"#{approved.pk}" in ask.content.decode()
    assert BookingStatus.CANCELLED not in set(Booking.objects.values_list("status", flat=True))
    response = client.post(reverse("bestuur-unavailable-cancel"),
                           {"booking": [requested.pk, approved.pk], "confirm": "yes"})
    assert response.status_code == 302
    assert set(Booking.objects.values_list("status", flat=True)) == {BookingStatus.CANCELLED}


# --- 4. a closure over existing bookings: the board can cancel them from the page ---------------------------------


def test_case4__closure_over_a_confirmed_booking__cancelled_from_the_closures_page(frozen_now, room, volunteer,
                                                                                   client):
    frozen_now(local_dt(2027, 1, 4, 9))
    booking = BookingFactory.confirmed(room=room, approver=volunteer, start=local_dt(2027, 3, 6, 19),
                                       end=local_dt(2027, 3, 6, 23))
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 3, 6),
                                      end=local_dt(2027, 3, 8), reason="Lekkage")
    client.force_login(volunteer)
    page = client.get(reverse("bestuur-closures", args=[room.house.slug])).content.decode()
    assert f'name="booking" value="{booking.pk}"' in page
    client.post(reverse("bestuur-closure-cancel-bookings", args=[room.house.slug, closure.pk]),
                {"booking": [booking.pk], "confirm": "yes"})  # from the confirmation page (issue 20)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.refunded_cents == booking.paid_cents  # cancelled by the board: everything back
    entry = AuditEntry.objects.get(booking=booking, action="booking.cancelled")
    assert entry.actor == volunteer and entry.reason == "Gesloten: Lekkage"


# --- 5. widening what the board approved goes back to the board -----------------------------------------------------


def test_case5__association_widens_an_approved_series__request_not_recorded_as_the_boards(
        frozen_now, room, association, volunteer):
    frozen_now(local_dt(2027, 1, 4, 9))
    series = services.series_create(booker=association, room=room, kind="association",
                                    rrule="FREQ=WEEKLY;BYDAY=TU", start_time=dt.time(19), end_time=dt.time(21),
                                    first_date=dt.date(2027, 2, 2), until=dt.date(2027, 3, 30), guests=20)
    services.series_approve(series=series, actor=volunteer)
    new = services.series_split(series=series, actor=association, from_date=dt.date(2027, 3, 2),
                                start_time=dt.time(9), end_time=dt.time(23))
    assert new.status == SeriesStatus.REQUESTED and new.decided_by is None
    assert set(new.occurrences.values_list("status", flat=True)) == {BookingStatus.REQUESTED}
    assert AuditEntry.objects.get(action="series.split").actor == association


# --- 6. rule settings are bounded at the domain: no page can save what the API refuses --------------------------


def test_case6__rules_page_refuses_an_absurd_max_advance_and_quotes_keep_working(frozen_now, room, client):
    frozen_now(local_dt(2027, 1, 4, 9))
    officer = UserFactory.municipality()
    client.force_login(officer)
    page = client.get("/gemeente/regels/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() if form[name].value() is not None else "" for name in form.fields}
    for name, value in list(data.items()):
        if isinstance(value, dt.time):
            data[name] = value.strftime("%H:%M")
    data["max_advance_days"] = "1000000000"
    response = client.post("/gemeente/regels/", data)
    assert response.status_code == 200  # the form again, with the error
    assert RuleSettings.current().max_advance_days == 365
    api_response = api(officer).put("/api/v1/rule-settings/", {"max_advance_days": 1_000_000_000}, format="json")
    assert api_response.status_code == 400
    resident = UserFactory.resident()
    quote = api(resident).post("/api/v1/bookings/quote/", {
        "room": room.pk, "kind": "party", "start": "2027-03-06T19:00:00+01:00", "end": "2027-03-06T23:00:00+01:00",
        "guests": 20}, format="json")
    assert quote.status_code == 200


# --- 7. closures are bounded like every other period -------------------------------------------------------------


@pytest.mark.parametrize(("start", "end"), [("2027-03-01", "9999-12-31"), ("0001-01-01", "2027-03-02")])
def test_case7__closure_form_with_a_far_date__refused_and_the_public_list_still_works(
        frozen_now, room, volunteer, client, start, end):
    frozen_now(local_dt(2027, 1, 4, 9))
    client.force_login(volunteer)
    response = client.post(reverse("bestuur-closures", args=[room.house.slug]), {
        "room": "", "date": start, "start_time": "00:00", "end_date": end, "end_time": "00:00",
        "reason": "Verbouwing"})
    assert response.status_code == 200
    assert not Closure.objects.exists()
    assert APIClient().get("/api/v1/closures/").status_code == 200


def test_case7__closure_service__year_9999_refused_with_invalid_date(room, volunteer):
    with pytest.raises(DomainError) as exc:
        services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 3, 1),
                                end=dt.datetime(9999, 12, 31, tzinfo=dt.UTC), reason="Verbouwing")
    assert exc.value.code == "invalid_date"


# --- 8. the inbox shows the rules approval applies; buttons follow the service --------------------------------------


def test_case8__inbox_rules_are_the_rules_approval_applies(frozen_now, room, volunteer, client):
    frozen_now(local_dt(2027, 1, 4, 9))
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 3, 6, 19), end=local_dt(2027, 3, 6, 23))
    booking.booker.profile.postcode = "1011 AB"  # moved away since: judged at request time, not at decision time
    booking.booker.profile.save()
    client.force_login(volunteer)
    shown = {r["rule"] for r in client.get(reverse("bestuur")).context["items"][0]["rules"]}
    applied = {r.rule for r in rules.evaluate_for_decision(booking)}
    assert shown == applied
    assert "resident" not in shown and "booker_role" not in shown
    services.booking_approve(booking=booking, actor=volunteer)  # and approval agrees: nothing fails


def test_case8__a_request_whose_start_passed__the_button_and_the_service_agree(frozen_now, room, volunteer):
    frozen_now(local_dt(2027, 1, 4, 9))
    booking = BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 5, 10),
                                       end=local_dt(2027, 1, 5, 13))
    later = frozen_now(local_dt(2027, 1, 5, 11))
    offered = booking_actions(volunteer, booking, later)["cancel"]
    assert offered == states.can_cancel(booking, later) == access.can_cancel(volunteer, booking)
    services.booking_cancel(booking=booking, actor=volunteer)  # offered, so the service does it
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert not booking_actions(volunteer, booking, later)["cancel"]
    with pytest.raises(InvalidTransition):
        services.booking_cancel(booking=booking, actor=volunteer)


# --- 9. the confirmation says when the board decides, from the booking's own deadline --------------------------------


def test_case9__koffietafel_tomorrow__decided_before_it_starts_not_within_7_days(frozen_now, room, client):
    frozen_now(local_dt(2027, 1, 4, 9))
    resident = UserFactory.resident()
    client.force_login(resident)
    response = client.post(reverse("room", args=[room.pk]), {
        "kind": "koffietafel", "date": "2027-01-05", "start_time": "13:00", "end_time": "15:00", "guests": 30},
        follow=True)
    text = response.content.decode()
    assert "7 dagen" not in text
    booking = Booking.objects.get()
    assert booking.decision_deadline == booking.start
    assert "di 05-01-2027 13:00" in text


def test_case9__decision_days_setting_changes_the_deadline_shown(frozen_now, room, client):
    frozen_now(local_dt(2027, 1, 4, 9))
    services.rule_settings_update(actor=None, changes={"decision_days": 3})
    resident = UserFactory.resident()
    client.force_login(resident)
    response = client.post(reverse("room", args=[room.pk]), {
        "kind": "party", "date": "2027-03-06", "start_time": "19:00", "end_time": "23:00", "guests": 30},
        follow=True)
    assert "do 07-01-2027 09:00" in response.content.decode()


def test_case4__closure_over_bookings__listed_and_cancelled_through_the_api(frozen_now, room, volunteer):
    frozen_now(local_dt(2027, 1, 4, 9))
    hit = BookingFactory.confirmed(room=room, approver=volunteer, start=local_dt(2027, 3, 6, 19),
                                   end=local_dt(2027, 3, 6, 23))
    spared = BookingFactory.requested(room=room, start=local_dt(2027, 3, 7, 14), end=local_dt(2027, 3, 7, 17))
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 3, 6),
                                      end=local_dt(2027, 3, 8), reason="Lekkage")
    listed = api(volunteer).get(f"/api/v1/closures/{closure.pk}/bookings/")
    assert [b["id"] for b in listed.json()] == [hit.pk, spared.pk]
    response = api(volunteer).post(f"/api/v1/closures/{closure.pk}/cancel-bookings/", {"bookings": [hit.pk]},
                                   format="json")
    assert response.status_code == 200, response.content
    assert [b["id"] for b in response.json()] == [hit.pk]
    hit.refresh_from_db()
    spared.refresh_from_db()
    assert (hit.status, spared.status) == (BookingStatus.CANCELLED, BookingStatus.REQUESTED)
    assert api(spared.booker).post(f"/api/v1/closures/{closure.pk}/cancel-bookings/", {},
                                   format="json").status_code == 403


# --- a series request is one decision (issue 18's board side, on the same rules) -----------------------------------


def _series_request(room, association, weeks=40):
    first = dt.date(2027, 2, 2)
    return services.series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                  start_time=dt.time(19), end_time=dt.time(21), first_date=first,
                                  until=first + dt.timedelta(weeks=weeks - 1), guests=20)


def test_inbox__a_series_request_is_one_card_in_words_and_counts_once_on_the_badge(frozen_now, room, volunteer,
                                                                                  association, client):
    frozen_now(local_dt(2027, 1, 4, 9))
    services.rule_settings_update(actor=None, changes={"max_advance_days": 400})
    series = _series_request(room, association)
    BookingFactory.requested(room=room, start=local_dt(2027, 3, 6, 12), end=local_dt(2027, 3, 6, 15))
    client.force_login(volunteer)
    response = client.get(reverse("bestuur"))
    page = response.content.decode()
    assert response.context["nav_inbox_count"] == 2  # one one-off request, one series
    assert len(response.context["items"]) == 1 and len(response.context["pending_series"]) == 1
    assert "elke dinsdag van 19:00 tot 21:00, van 2 februari 2027 tot en met 2 november 2027" in page
    assert "FREQ=" not in page
    assert page.count(f'id="reeks-{series.pk}"') == 1
    assert not any(f"#{b.pk} " in page for b in series.occurrences.all())  # no card per date


def test_inbox__a_40_date_series_costs_the_same_queries_as_a_2_date_series(frozen_now, room, volunteer, association,
                                                                           client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    frozen_now(local_dt(2027, 1, 4, 9))
    services.rule_settings_update(actor=None, changes={"max_advance_days": 400})
    client.force_login(volunteer)
    counts = []
    for weeks in (2, 40):
        series = _series_request(room, association, weeks=weeks)
        client.get(reverse("bestuur"))  # warm up sessions and the rule settings
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("bestuur"))
        counts.append(len(queries))
        services.series_reject(series=series, actor=volunteer, reason="meting")
    assert counts[0] == counts[1], counts


def test_series_decide__approve_while_excluding_dates__they_become_not_approved_skips(frozen_now, room, volunteer,
                                                                                     association, client):
    frozen_now(local_dt(2027, 1, 4, 9))
    series = _series_request(room, association, weeks=5)
    client.force_login(volunteer)
    client.post(reverse("bestuur-series-decide", args=[room.house.slug, series.pk]),
                {"decision": "approve", "exclude": ["2027-02-09", "2027-02-23"], "next": reverse("bestuur")})
    series.refresh_from_db()
    assert series.status == SeriesStatus.APPROVED
    held = sorted(local(b.start).date() for b in series.occurrences.filter(status=BookingStatus.CONFIRMED))
    assert held == [dt.date(2027, 2, 2), dt.date(2027, 2, 16), dt.date(2027, 3, 2)]
    assert {(s.date, s.reason) for s in series.skips.all()} == {(dt.date(2027, 2, 9), "not_approved"),
                                                                (dt.date(2027, 2, 23), "not_approved")}


# --- faster answers: the house approves a kind at once when every rule passes (issue 18, on the same rules) --------


def test_auto_approval__koffietafel_tomorrow_approved_at_once_and_audited_as_the_houses_setting(frozen_now, room,
                                                                                              volunteer):
    frozen_now(local_dt(2027, 1, 4, 9))
    services.auto_approval_set(actor=volunteer, house=room.house, kinds=["koffietafel"])
    booking = BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 5, 13),
                                       end=local_dt(2027, 1, 5, 15), alcohol=False)
    assert booking.status == BookingStatus.APPROVED  # awaiting payment: it costs money
    entry = AuditEntry.objects.get(booking=booking, action="booking.approved")
    assert entry.actor is None and entry.data.get("automatic") is True
    assert entry.reason == "Automatisch goedgekeurd volgens de instelling van het huis"
    party = BookingFactory.requested(room=room, start=local_dt(2027, 3, 6, 19), end=local_dt(2027, 3, 6, 23))
    assert party.status == BookingStatus.REQUESTED  # other kinds: the board decides


def test_auto_approval__a_warning_leaves_it_to_the_board(frozen_now, room, volunteer):
    frozen_now(local_dt(2027, 1, 4, 9))
    services.cap_rule_set(actor=None, kind="koffietafel", cap=1, house=room.house, reason="proef")
    services.auto_approval_set(actor=volunteer, house=room.house, kinds=["koffietafel"])
    # A pending request for the last koffietafel of the year: the cap rule warns, so the board decides.
    services.auto_approval_set(actor=volunteer, house=room.house, kinds=[])
    BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 6, 13), end=local_dt(2027, 1, 6, 15))
    services.auto_approval_set(actor=volunteer, house=room.house, kinds=["koffietafel"])
    second = BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 1, 7, 13),
                                      end=local_dt(2027, 1, 7, 15))
    assert second.status == BookingStatus.REQUESTED


def test_auto_approval__only_the_board_of_the_house_sets_it_and_the_page_saves_it(room, volunteer, client):
    with pytest.raises(DomainError):
        services.auto_approval_set(actor=UserFactory.resident(), house=room.house, kinds=["koffietafel"])
    client.force_login(volunteer)
    client.post(reverse("bestuur-settings", args=[room.house.slug]), {"auto_approve": ["koffietafel"]})
    assert list(room.house.auto_approvals.values_list("kind", flat=True)) == ["koffietafel"]
    assert AuditEntry.objects.filter(action="house.auto_approval_set", actor=volunteer).exists()

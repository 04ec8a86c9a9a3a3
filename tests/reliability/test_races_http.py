"""Many clients at once, through the WSGI app, each thread with its own database connection (PostgreSQL only)."""

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token

from boeking import services
from boeking.models import Booking, BookingStatus, CapRule
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt
from tests.threads import overlapping_pairs, run_concurrently

from .conftest import postgres_only, wsgi

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def token_for(user) -> str:
    return Token.objects.create(user=user).key


def test_fifty_simultaneous_http_requests_for_one_slot__one_201_and_forty_nine_409(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    tokens = [token_for(UserFactory.resident()) for _ in range(50)]
    body = {"room": room.pk, "kind": "party", "start": "2027-04-03T19:00:00", "end": "2027-04-03T23:00:00",
            "guests": 30}
    responses, errors = run_concurrently([lambda t=t: wsgi("POST", "/api/v1/bookings/", body, token=t) for t in tokens])
    assert errors == [None] * 50
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 49, responses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"slot_taken"}
    assert Booking.objects.filter(room=room).count() == 1
    assert overlapping_pairs() == 0


def test_thirty_simultaneous_http_approvals_with_five_left_under_the_cap__exactly_five(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    first = RoomFactory()
    house = first.house
    rooms = [first] + [RoomFactory(location=first.location) for _ in range(2)]
    CapRule.objects.create(kind="party", house=house, cap=7, reason="overlast in de buurt")
    approver = UserFactory.volunteer(house)
    # Two approved already: 5 of 7 left. Then 30 requests on distinct slots.
    for week in range(2):
        day = local_dt(2027, 4, 1, 19) + dt.timedelta(days=week)
        services.booking_approve(booking=services.booking_request(
            booker=UserFactory.resident(), room=first, kind="party", start=day, end=day + dt.timedelta(hours=3),
            guests=20), actor=approver)
    requests = []
    for i in range(30):
        day = local_dt(2027, 4, 10, 19) + dt.timedelta(days=i // 3)
        requests.append(services.booking_request(booker=UserFactory.resident(), room=rooms[i % 3], kind="party",
                                                 start=day, end=day + dt.timedelta(hours=3), guests=20))
    tokens = [token_for(UserFactory.volunteer(house)) for _ in range(30)]
    responses, errors = run_concurrently([
        lambda b=b, t=t: wsgi("POST", f"/api/v1/bookings/{b.pk}/approve/", {}, token=t)
        for b, t in zip(requests, tokens, strict=True)])
    assert errors == [None] * 30
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 5 + [409] * 25, responses
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"cap_reached"}
    counted = Booking.objects.counting_towards_cap(house, "party", 2027).count()
    assert counted == 7
    assert Booking.objects.filter(pk__in=[b.pk for b in requests], status=BookingStatus.REQUESTED).count() == 25


def test_a_series_and_one_off_bookings_racing_for_the_same_evenings__never_overlap(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    association = UserFactory.association()
    residents = [UserFactory.resident() for _ in range(8)]
    first = dt.date(2027, 4, 6)  # a Tuesday; the series runs every Tuesday 19:00–22:00 for 8 weeks

    def series():
        return services.series_create(booker=association, room=room, kind="association", rrule="RRULE:FREQ=WEEKLY",
                                      start_time=dt.time(19), end_time=dt.time(22), first_date=first,
                                      until=first + dt.timedelta(weeks=7), guests=20)

    def one_off(i):
        day = first + dt.timedelta(weeks=i)
        start = local_dt(day.year, day.month, day.day, 20)
        return services.booking_request(booker=residents[i], room=room, kind="party", start=start,
                                        end=start + dt.timedelta(hours=3), guests=20)

    results, errors = run_concurrently([series] + [lambda i=i: one_off(i) for i in range(8)])
    # The series gets the Tuesdays the one-offs left (or `no_dates` when they took them all).
    assert errors[0] is None or getattr(errors[0], "code", "") == "no_dates", errors[0]
    assert all(e is None or getattr(e, "code", "") == "slot_taken" for e in errors[1:]), errors
    held = Booking.objects.filter(room=room, status__in=BookingStatus.HOLDING)
    # Every Tuesday went to exactly one of them: the series' occurrence or the one-off booking.
    assert held.count() == 8
    series_dates = results[0].occurrences.count() if results[0] is not None else 0
    assert series_dates + sum(1 for r in results[1:] if r is not None) == 8
    assert overlapping_pairs() == 0

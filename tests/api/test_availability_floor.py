"""The public availability endpoint near its floor (issue 19): one SQL statement per request whatever the range,
the same intervals and datetime text as before, and conditional GETs — an `ETag` derived from the rows the answer is
computed from, so a calendar polling the same month gets 304 until a booking, closure, opening hour or buffer
changes, and then a new ETag at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers

from api.houses import _iso
from boeking import clock, services
from boeking.models import Closure, OpeningHours, Room
from tests.factories import BookingFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

APRIL = "start=2027-04-01&end=2027-04-30"


@pytest.fixture(autouse=True)
def march(frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))


def url(room, query=APRIL) -> str:
    return f"/api/v1/rooms/{room.pk if isinstance(room, Room) else room}/availability/?{query}"


def counted_get(api, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(path, **headers)
    return response, [q["sql"] for q in queries.captured_queries]


def busy_month(room):
    for day in range(1, 29, 3):
        BookingFactory.approved(room=room, kind="association", booker=UserFactory.association(),
                                start=local_dt(2027, 4, day, 19), end=local_dt(2027, 4, day, 22))
    Closure.objects.create(house=room.house, start=local_dt(2027, 4, 10), end=local_dt(2027, 4, 12), reason="Verbouwing")
    Closure.objects.create(house=room.house, room=room, start=local_dt(2027, 4, 20, 9), end=local_dt(2027, 4, 20, 12),
                           reason="Schilderen")


# --- statements ------------------------------------------------------------------------------------------------------


def test_one_statement_per_request__a_day_a_busy_month_and_92_days_alike(api, room):
    busy_month(room)
    api.get(url(room, "start=2027-04-01&end=2027-04-01"))  # per-process warm-up (content types, translations)
    day, day_sql = counted_get(api, url(room, "start=2027-04-02&end=2027-04-02"))
    month, month_sql = counted_get(api, url(room))
    quarter, quarter_sql = counted_get(api, url(room, "start=2027-03-01&end=2027-05-31"))
    assert (day.status_code, month.status_code, quarter.status_code) == (200, 200, 200)
    assert len(day_sql) == len(month_sql) == len(quarter_sql) == 1, month_sql
    assert len(month.json()["busy"]) == 10 and len(month.json()["closed"]) == 2


def test_a_304_costs_the_same_one_statement(api, room):
    busy_month(room)
    first = api.get(url(room))
    again, sql = counted_get(api, url(room), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert len(sql) == 1


# --- conditional GET ---------------------------------------------------------------------------------------------------


def test_repeat_with_if_none_match__304_without_a_body_and_with_the_same_validators(api, room):
    busy_month(room)
    first = api.get(url(room))
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('W/"') and etag.endswith('"')
    assert first["Cache-Control"] == "public, no-cache"
    again = api.get(url(room), HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert again["Cache-Control"] == "public, no-cache"
    # Weak comparison: the strong form of the tag, one of a list, and * match too.
    assert api.get(url(room), HTTP_IF_NONE_MATCH=etag.removeprefix("W/")).status_code == 304
    assert api.get(url(room), HTTP_IF_NONE_MATCH=f'"other", {etag}').status_code == 304
    assert api.get(url(room), HTTP_IF_NONE_MATCH="*").status_code == 304
    assert api.get(url(room), HTTP_IF_NONE_MATCH='W/"something-else"').status_code == 200


def test_the_etag_is_the_same_for_the_same_data__and_differs_per_room_and_range(api, room):
    other = RoomFactory(location=room.location)
    tag = api.get(url(room))["ETag"]
    assert api.get(url(room))["ETag"] == tag
    assert api.get(url(other))["ETag"] != tag
    assert api.get(url(room, "start=2027-04-01&end=2027-04-29"))["ETag"] != tag


def test_a_new_booking_changes_the_etag__the_next_poll_gets_200_with_the_booking(api, room):
    etag = api.get(url(room))["ETag"]
    services.booking_request(booker=UserFactory.resident(), room=room, kind="party", start=local_dt(2027, 4, 3, 19),
                             end=local_dt(2027, 4, 3, 23), guests=30)
    response = api.get(url(room), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["busy"] == [{"start": "2027-04-03T19:00:00+02:00", "end": "2027-04-03T23:30:00+02:00"}]


def test_a_cancelled_booking_changes_the_etag_back_to_the_empty_months(api, room):
    empty = api.get(url(room))["ETag"]
    booker = UserFactory.resident()
    booking = services.booking_request(booker=booker, room=room, kind="party", start=local_dt(2027, 4, 3, 19),
                                       end=local_dt(2027, 4, 3, 23), guests=30)
    busy = api.get(url(room))["ETag"]
    assert busy != empty
    services.booking_cancel(booking=booking, actor=booker)
    after = api.get(url(room), HTTP_IF_NONE_MATCH=busy)
    assert after.status_code == 200
    assert after.json()["busy"] == []
    assert after["ETag"] == empty  # derived from the data: the same month, the same answer, the same tag


def test_a_booking_in_another_room_or_month_keeps_the_etag(api, room):
    etag = api.get(url(room))["ETag"]
    other = RoomFactory(location=room.location)
    BookingFactory.approved(room=other, kind="association", booker=UserFactory.association(),
                            start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 22))
    BookingFactory.approved(room=room, kind="association", booker=UserFactory.association(),
                            start=local_dt(2027, 5, 8, 19), end=local_dt(2027, 5, 8, 22))
    assert api.get(url(room), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_a_booking_just_after_the_range_changes_the_etag_when_its_buffer_reaches_into_it(api, room):
    etag = api.get(url(room))["ETag"]
    # 1 May 00:15 local: its 30-minute buffer before it starts on 30 April at 23:45, inside the range.
    BookingFactory.approved(room=room, kind="association", booker=UserFactory.association(),
                            start=local_dt(2027, 5, 1, 0, 15), end=local_dt(2027, 5, 1, 0, 45))
    response = api.get(url(room), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["open"][-1]["end"] == "2027-04-30T23:45:00+02:00"


@pytest.mark.parametrize("change", ["closure", "room_closure", "opening_hours", "buffer", "deactivate_hours"])
def test_closures_opening_hours_and_the_buffer_change_the_etag(api, room, change):
    BookingFactory.approved(room=room, kind="association", booker=UserFactory.association(),
                            start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 22))
    before = api.get(url(room))
    if change == "closure":
        Closure.objects.create(house=room.house, start=local_dt(2027, 4, 5), end=local_dt(2027, 4, 6), reason="Kermis")
    elif change == "room_closure":
        Closure.objects.create(house=room.house, room=room, start=local_dt(2027, 4, 5), end=local_dt(2027, 4, 6),
                               reason="Lekkage")
    elif change == "opening_hours":
        OpeningHours.objects.filter(house=room.house, weekday=0).update(opens=dt.time(9))
    elif change == "buffer":
        Room.objects.filter(pk=room.pk).update(buffer_minutes=60)
    else:
        OpeningHours.objects.filter(house=room.house, weekday=6).delete()
    after = api.get(url(room), HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert after.json() != before.json()


def test_a_closure_of_another_room_keeps_the_etag(api, room):
    other = RoomFactory(location=room.location)
    etag = api.get(url(room))["ETag"]
    Closure.objects.create(house=room.house, room=other, start=local_dt(2027, 4, 5), end=local_dt(2027, 4, 6),
                           reason="Lekkage")
    assert api.get(url(room), HTTP_IF_NONE_MATCH=etag).status_code == 304


# --- the same answer as before ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("moment", [
    local_dt(2027, 4, 3, 19), local_dt(2027, 1, 4, 9, 30),  # summer, winter; the autumn night's repeated hour:
    dt.datetime(2027, 10, 31, 0, 30, tzinfo=dt.UTC), dt.datetime(2027, 10, 31, 1, 30, tzinfo=dt.UTC),
    dt.datetime(2027, 3, 28, 1, 0, tzinfo=dt.UTC), dt.datetime(2027, 6, 1, 12, 0, 0, 250_000, tzinfo=dt.UTC),
])
def test_datetimes_are_written_exactly_as_drf_writes_them(moment):
    assert _iso(moment, clock.TZ) == serializers.DateTimeField().to_representation(moment)
    assert _iso(moment, dt.UTC) == moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def test_the_answer_keeps_its_fields_and_shape(api, room):
    busy_month(room)
    body = api.get(url(room)).json()
    assert list(body) == ["room", "start", "end", "busy", "open", "closed"]
    assert (body["room"], body["start"], body["end"]) == (room.pk, "2027-04-01", "2027-04-30")
    assert body["closed"] == [{"start": "2027-04-10T00:00:00+02:00", "end": "2027-04-12T00:00:00+02:00"},
                              {"start": "2027-04-20T09:00:00+02:00", "end": "2027-04-20T12:00:00+02:00"}]
    assert body["busy"][0] == {"start": "2027-04-01T19:00:00+02:00", "end": "2027-04-01T22:30:00+02:00"}


# --- what is not a room ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pk", ["abc", "0", "-1", "999999", str(2**63), "9" * 30])
def test_no_such_room__404_with_its_code_never_a_500(api, room, pk):
    response = api.get(url(pk))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    # A bad range for a room that does not exist is still a 404 (the room is looked at first).
    assert api.get(url(pk, "start=gisteren&end=morgen")).status_code == 404


def test_an_inactive_room_or_house__404(api, room):
    Room.objects.filter(pk=room.pk).update(active=False)
    assert api.get(url(room)).status_code == 404
    Room.objects.filter(pk=room.pk).update(active=True)
    room.house.__class__.objects.filter(pk=room.house_id).update(active=False)
    assert api.get(url(room)).status_code == 404
    assert api.get(url(room, "start=gisteren&end=morgen")).status_code == 404


# --- throttles ---------------------------------------------------------------------------------------------------------


def test_anonymous_polls_are_limited_by_the_anon_rate__signed_in_ones_by_the_user_rate(api, as_user, room, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from api.houses import AnonPollThrottle

    monkeypatch.setattr(AnonPollThrottle, "timer", lambda self: 1_800_000_030.0)  # 30 s into a window: no edge
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    assert [api.get(url(room)).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = api.get(url(room))
    assert refused.json()["code"] == "throttled"
    assert refused["Retry-After"] == "30"  # the rest of the minute's window
    # Counted per client address: another address still gets its answer.
    assert api.get(url(room), REMOTE_ADDR="198.51.100.7").status_code == 200
    signed_in = as_user(UserFactory.resident())
    assert [signed_in.get(url(room)).status_code for _ in range(3)] == [200, 200, 429]

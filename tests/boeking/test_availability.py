"""When a room is open, busy and closed (`boeking.availability`), and the interval arithmetic under it.

The factory house is open 08:00–01:00 (past midnight) every day; rooms have a 30-minute cleaning buffer.
"""

import dataclasses
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from boeking import clock, intervals, services
from boeking.availability import Availability, opening_intervals, room_availability
from boeking.models import Closure, OpeningHours, Room
from boeking.rules import PASS, Candidate, evaluate
from tests.factories import BookingFactory, HouseFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

TUE = dt.date(2027, 2, 9)
WED = TUE + dt.timedelta(days=1)
MON = TUE - dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.make_local(day, dt.time(hour, minute))


def wall(interval) -> tuple[str, str]:
    """An interval as local wall-clock text, `('di 09-02-2027 08:00', ...)`."""
    return clock.format_local(interval[0]), clock.format_local(interval[1])


def house_with_hours(*rows) -> HouseFactory:
    house = HouseFactory(hours=False)
    for weekday, opens, closes in rows:
        OpeningHours.objects.create(house=house, weekday=weekday, opens=opens, closes=closes)
    return house


@pytest.fixture(autouse=True)
def now(frozen_now):
    return frozen_now(local_dt(2027, 1, 4, 9))


@pytest.fixture
def association(db):
    return UserFactory.association()


def book(room, start, end, *, kind="association", booker=None, status="approved"):
    booker = booker or (UserFactory.association() if kind == "association" else UserFactory.resident())
    factory = {"requested": BookingFactory.requested, "approved": BookingFactory.approved,
               "confirmed": BookingFactory.confirmed}[status]
    return factory(room=room, kind=kind, start=start, end=end, booker=booker)


# --- open = opening hours minus closures minus bookings ---------------------------------------------------------------


def test_open__no_bookings__the_days_opening_hours_with_the_previous_evening_past_midnight(room):
    result = room_availability(room, TUE, TUE)
    assert result.open == [(at(TUE, 0), at(TUE, 1)), (at(TUE, 8), at(WED, 0))]
    assert result.busy == []
    assert result.closed == []


def test_open__booking_blocks_its_buffer_after_and_a_buffer_before(room):
    book(room, at(TUE, 18), at(TUE, 20))
    result = room_availability(room, TUE, TUE)
    assert result.busy == [(at(TUE, 18), at(TUE, 20, 30))]
    # A new booking ending at 17:30 still has its own 30 minutes of cleaning before 18:00.
    assert result.open == [(at(TUE, 0), at(TUE, 1)), (at(TUE, 8), at(TUE, 17, 30)), (at(TUE, 20, 30), at(WED, 0))]


def test_open__every_open_interval_can_be_booked_whole_and_not_a_minute_more(room, association):
    book(room, at(TUE, 12), at(TUE, 14))
    book(room, at(TUE, 18), at(TUE, 20))
    Closure.objects.create(house=room.house, start=at(TUE, 9), end=at(TUE, 10), reason="Onderhoud")
    minute = dt.timedelta(minutes=1)
    result = room_availability(room, TUE, TUE)
    assert len(result.open) == 5

    def check(start, end):
        cand = Candidate(room=room, kind="association", start=start, end=end, guests=10, booker=association,
                         requested_at=clock.now())
        return {r.rule: r.outcome for r in evaluate(cand) if r.rule in ("opening_hours", "closure", "slot")}

    for start, end in result.open:
        assert set(check(start, end).values()) == {PASS}, wall((start, end))
        if end != at(WED, 0):  # clipped at the end of the range, not closed there
            assert "fail" in check(start, end + minute).values(), wall((start, end))
        if start != at(TUE, 0):
            assert "fail" in check(start - minute, end).values(), wall((start, end))


def test_busy__touching_blocks_are_merged(room):
    book(room, at(TUE, 14), at(TUE, 16))
    book(room, at(TUE, 16, 30), at(TUE, 18))
    result = room_availability(room, TUE, TUE)
    assert result.busy == [(at(TUE, 14), at(TUE, 18, 30))]
    assert result.open == [(at(TUE, 0), at(TUE, 1)), (at(TUE, 8), at(TUE, 13, 30)), (at(TUE, 18, 30), at(WED, 0))]


def test_busy__requested_approved_and_confirmed_bookings_hold_the_slot(room):
    book(room, at(TUE, 10), at(TUE, 11), status="requested")
    book(room, at(TUE, 13), at(TUE, 14), status="approved")
    book(room, at(TUE, 16), at(TUE, 17), kind="party", status="confirmed")
    assert room_availability(room, TUE, TUE).busy == [
        (at(TUE, 10), at(TUE, 11, 30)), (at(TUE, 13), at(TUE, 14, 30)), (at(TUE, 16), at(TUE, 17, 30))]


def test_busy__rejected_and_cancelled_bookings_free_the_slot(room):
    volunteer = UserFactory.volunteer(room.house)
    rejected = book(room, at(TUE, 10), at(TUE, 11), status="requested")
    services.booking_reject(booking=rejected, actor=volunteer, reason="Geen sleutelhouder")
    cancelled = book(room, at(TUE, 13), at(TUE, 14))
    services.booking_cancel(booking=cancelled, actor=volunteer, reason="Lekkage")
    result = room_availability(room, TUE, TUE)
    assert result.busy == []
    assert result.open == [(at(TUE, 0), at(TUE, 1)), (at(TUE, 8), at(WED, 0))]


def test_busy__only_this_room(room):
    book(RoomFactory(location=room.location), at(TUE, 10), at(TUE, 11))
    assert room_availability(room, TUE, TUE).busy == []


def test_busy__booking_from_the_previous_evening__clipped_to_the_range(room):
    book(room, at(MON, 23, 30), at(TUE, 0, 30))
    result = room_availability(room, TUE, TUE)
    assert result.busy == [(at(TUE, 0), at(TUE, 1))]
    assert result.open == [(at(TUE, 8), at(WED, 0))]


def test_open__buffer_before_a_booking_just_after_the_range(room):
    # Wednesday 00:15 is still Tuesday's opening (until 01:00); its buffer before starts at 23:45 on Tuesday.
    book(room, at(WED, 0, 15), at(WED, 0, 45))
    result = room_availability(room, TUE, TUE)
    assert result.busy == []
    assert result.open[-1] == (at(TUE, 8), at(TUE, 23, 45))


def test_closed__house_closure_is_not_open_and_listed(room):
    Closure.objects.create(house=room.house, start=at(TUE, 12), end=at(TUE, 14), reason="Vergadering bestuur")
    result = room_availability(room, TUE, TUE)
    assert result.closed == [(at(TUE, 12), at(TUE, 14))]
    assert result.open == [(at(TUE, 0), at(TUE, 1)), (at(TUE, 8), at(TUE, 12)), (at(TUE, 14), at(WED, 0))]


def test_closed__room_closure_counts_but_another_rooms_does_not(room):
    other = RoomFactory(location=room.location)
    Closure.objects.create(house=room.house, room=room, start=at(TUE, 9), end=at(TUE, 10), reason="Vloer")
    Closure.objects.create(house=room.house, room=other, start=at(TUE, 12), end=at(TUE, 14), reason="Vloer")
    result = room_availability(room, TUE, TUE)
    assert result.closed == [(at(TUE, 9), at(TUE, 10))]
    assert (at(TUE, 10), at(WED, 0)) in result.open


def test_closed__long_closure__clipped_to_the_range_and_nothing_open(room):
    Closure.objects.create(house=room.house, start=at(MON, 0), end=at(WED + dt.timedelta(days=5), 0), reason="Vakantie")
    result = room_availability(room, TUE, WED)
    assert result.closed == [(at(TUE, 0), at(WED + dt.timedelta(days=1), 0))]
    assert result.open == []


def test_open__house_without_opening_hours__never_open(db):
    room = RoomFactory(location__house=HouseFactory(hours=False))
    assert room_availability(room, TUE, TUE + dt.timedelta(days=6)).open == []


def test_open__several_days(room):
    result = room_availability(room, MON, WED)
    assert [wall(i) for i in result.open] == [
        ("ma 08-02-2027 00:00", "ma 08-02-2027 01:00"),
        ("ma 08-02-2027 08:00", "di 09-02-2027 01:00"),
        ("di 09-02-2027 08:00", "wo 10-02-2027 01:00"),
        ("wo 10-02-2027 08:00", "do 11-02-2027 00:00"),
    ]


# --- no personal data ------------------------------------------------------------------------------------------------


def test_availability__only_datetimes_no_personal_data(room):
    resident = UserFactory.resident(first_name="Maria", last_name="Janssen", username="maria@example.org")
    BookingFactory.approved(room=room, booker=resident, start=at(TUE, 18), end=at(TUE, 21), title="Verjaardag Maria")
    Closure.objects.create(house=room.house, start=at(TUE, 9), end=at(TUE, 10), reason="Onderhoud")
    result = room_availability(room, TUE, TUE)
    assert [f.name for f in dataclasses.fields(Availability)] == ["busy", "open", "closed"]
    for name in ("busy", "open", "closed"):
        for interval in getattr(result, name):
            assert isinstance(interval, tuple) and len(interval) == 2
            assert all(isinstance(moment, dt.datetime) and moment.tzinfo is not None for moment in interval)
    text = repr(result)
    for secret in ("Maria", "Janssen", "maria@example.org", "Verjaardag", "6221", "Onderhoud", "party"):
        assert secret not in text


# --- past midnight and DST --------------------------------------------------------------------------------------------


def test_opening_intervals__past_midnight__split_by_day_and_whole_over_the_range(db):
    house = house_with_hours((4, dt.time(18), dt.time(2)))  # Fridays 18:00–02:00
    fri, sat = dt.date(2027, 2, 5), dt.date(2027, 2, 6)
    assert opening_intervals(house, fri, fri) == [(at(fri, 18), at(sat, 0))]
    assert opening_intervals(house, sat, sat) == [(at(sat, 0), at(sat, 2))]
    assert opening_intervals(house, fri, sat) == [(at(fri, 18), at(sat, 2))]


def test_opening_intervals__open_around_the_clock_is_one_interval(db):
    house = house_with_hours(*[(weekday, dt.time(0), dt.time(0)) for weekday in range(7)])
    assert opening_intervals(house, MON, WED) == [(at(MON, 0), at(WED + dt.timedelta(days=1), 0))]


def test_opening_intervals__week_with_the_autumn_dst_change__keep_wall_clock_times(room):
    monday, sunday = dt.date(2027, 10, 25), dt.date(2027, 10, 31)
    result = opening_intervals(room.house, monday, sunday)
    assert [wall(i) for i in result] == [
        ("ma 25-10-2027 00:00", "ma 25-10-2027 01:00"),
        ("ma 25-10-2027 08:00", "di 26-10-2027 01:00"),
        ("di 26-10-2027 08:00", "wo 27-10-2027 01:00"),
        ("wo 27-10-2027 08:00", "do 28-10-2027 01:00"),
        ("do 28-10-2027 08:00", "vr 29-10-2027 01:00"),
        ("vr 29-10-2027 08:00", "za 30-10-2027 01:00"),
        ("za 30-10-2027 08:00", "zo 31-10-2027 01:00"),
        ("zo 31-10-2027 08:00", "ma 01-11-2027 00:00"),
    ]
    assert result[-2][0].utcoffset() == dt.timedelta(hours=2)  # summer time
    assert result[-1][0].utcoffset() == dt.timedelta(hours=1)  # winter time


def test_room_availability__week_with_the_autumn_dst_change__keeps_wall_clock_times(room, frozen_now):
    frozen_now(local_dt(2027, 10, 1, 9))
    book(room, local_dt(2027, 10, 31, 10), local_dt(2027, 10, 31, 12))
    result = room_availability(room, dt.date(2027, 10, 25), dt.date(2027, 10, 31))
    assert result.busy == [(local_dt(2027, 10, 31, 10), local_dt(2027, 10, 31, 12, 30))]
    assert [wall(i) for i in result.open[-3:]] == [
        ("za 30-10-2027 08:00", "zo 31-10-2027 01:00"),
        ("zo 31-10-2027 08:00", "zo 31-10-2027 09:30"),
        ("zo 31-10-2027 12:30", "ma 01-11-2027 00:00"),
    ]


@pytest.mark.parametrize(("saturday", "real_hours"), [
    (dt.date(2027, 10, 30), 9),  # the clocks go back: 02:00–03:00 twice
    (dt.date(2027, 3, 27), 7),  # the clocks go forward: no 02:00–03:00
    (dt.date(2027, 2, 6), 8),
], ids=["autumn", "spring", "ordinary"])
def test_opening_intervals__night_opening_across_a_dst_change__wall_clock_hours_real_length(db, saturday, real_hours):
    house = house_with_hours((5, dt.time(20), dt.time(4)))  # Saturdays 20:00–04:00
    sunday = saturday + dt.timedelta(days=1)
    [interval] = opening_intervals(house, saturday, sunday)
    assert (clock.local(interval[0]).time(), clock.local(interval[1]).time()) == (dt.time(20), dt.time(4))
    assert clock.elapsed(*interval) == dt.timedelta(hours=real_hours)


def test_opening_intervals__closing_inside_the_repeated_autumn_hour__closes_at_its_second_showing(db):
    """Open until 02:00 on the night the clocks go back: through the repeated hour, closed when the clock shows
    02:00 for the last time (01:00 UTC) — not at 03:00 (an hour later), as it was."""
    house = house_with_hours((5, dt.time(20), dt.time(2)))  # Saturdays 20:00–02:00
    saturday = dt.date(2027, 10, 30)
    [interval] = opening_intervals(house, saturday, saturday + dt.timedelta(days=1))
    assert interval[1] == dt.datetime(2027, 10, 31, 1, 0, tzinfo=clock.UTC)
    assert clock.local(interval[1]).time() == dt.time(2) and clock.elapsed(*interval) == dt.timedelta(hours=7)


def test_opening_intervals__opening_inside_the_spring_gap__starts_at_0300(db):
    house = house_with_hours((6, dt.time(2, 30), dt.time(5)))  # Sundays 02:30–05:00
    sunday = dt.date(2027, 3, 28)
    assert opening_intervals(house, sunday, sunday) == [(local_dt(2027, 3, 28, 3), local_dt(2027, 3, 28, 5))]


# --- queries ---------------------------------------------------------------------------------------------------------


def test_room_availability__constant_number_of_queries_whatever_the_range(room, django_assert_max_num_queries):
    for week in range(8):
        day = TUE + dt.timedelta(weeks=week)
        book(room, at(day, 10), at(day, 12))
        Closure.objects.create(house=room.house, start=at(day, 14), end=at(day, 15), reason="Onderhoud")
    fresh = Room.objects.select_related("house").get(pk=room.pk)
    with django_assert_max_num_queries(3):
        one_day = room_availability(fresh, TUE, TUE)
    with django_assert_max_num_queries(3):
        two_months = room_availability(fresh, TUE, TUE + dt.timedelta(days=60))
    assert len(one_day.busy) == 1
    assert len(two_months.busy) == 8
    assert len(two_months.closed) == 8


# --- interval arithmetic ---------------------------------------------------------------------------------------------


def h(hour: int, minute: int = 0) -> dt.datetime:
    return at(TUE, hour, minute)


def test_intervals_merge__sorts_joins_overlapping_and_touching_drops_empty():
    assert intervals.merge([(h(14), h(16)), (h(9), h(10)), (h(10), h(11)), (h(15), h(15, 30)), (h(12), h(12))]) == [
        (h(9), h(11)), (h(14), h(16))]


def test_intervals_merge__mixed_time_zones_compare_as_instants():
    assert intervals.merge([(h(9).astimezone(dt.UTC), h(10).astimezone(dt.UTC)), (h(10), h(11))]) == [
        (h(9).astimezone(dt.UTC), h(11))]


def test_intervals_subtract__splits_trims_and_removes():
    base = [(h(8), h(12)), (h(13), h(17))]
    assert intervals.subtract(base, [(h(9), h(10)), (h(11, 30), h(13, 30)), (h(16), h(18))]) == [
        (h(8), h(9)), (h(10), h(11, 30)), (h(13, 30), h(16))]
    assert intervals.subtract(base, [(h(7), h(18))]) == []
    assert intervals.subtract(base, [(h(12), h(13))]) == base  # half-open: touching removes nothing


_spans = st.lists(st.tuples(st.integers(0, 48), st.integers(0, 48)), max_size=8)


@given(base=_spans, remove=_spans)
def test_intervals_subtract__equals_minute_by_minute_set_difference(base, remove):
    """Against a plain reference: the quarters of an hour in `base` and not in `remove`, joined back together."""
    def spans(pairs):
        return [(h(0) + dt.timedelta(minutes=15 * a), h(0) + dt.timedelta(minutes=15 * b)) for a, b in pairs]

    kept = {q for a, b in base for q in range(a, b)} - {q for a, b in remove for q in range(a, b)}
    expected = intervals.merge(spans((q, q + 1) for q in kept))
    result = intervals.subtract(spans(base), spans(remove))
    assert result == expected
    assert all(a_end < b_start for (_, a_end), (b_start, _) in zip(result, result[1:], strict=False))


def test_intervals_clip__to_a_window():
    assert intervals.clip([(h(6), h(9)), (h(10), h(11)), (h(20), h(23)), (h(23), h(23, 30))], h(8), h(22)) == [
        (h(8), h(9)), (h(10), h(11)), (h(20), h(22))]


def test_intervals_covers__only_within_one_merged_interval():
    spans = [(h(9), h(12)), (h(12), h(14)), (h(15), h(17))]
    assert intervals.covers(spans, h(11), h(13))
    assert intervals.covers(spans, h(15), h(17))
    assert not intervals.covers(spans, h(13), h(16))
    assert not intervals.covers([], h(9), h(10))

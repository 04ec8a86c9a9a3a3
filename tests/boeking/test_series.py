"""Series (recurring bookings): expanding the rule, keeping the wall-clock time across DST, recording every date that
cannot be booked with its reason, and the services that create, decide, cancel, restore and split a series."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boeking import occurrences, services
from boeking.clock import UTC, elapsed, local
from boeking.errors import DomainError, InvalidInput, InvalidTransition, NotAllowed, SlotTaken
from boeking.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    Closure,
    OpeningHours,
    Room,
    Series,
    SeriesSkip,
    SeriesStatus,
)
from tests.factories import HouseFactory, LocationFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

TUESDAYS = "FREQ=WEEKLY;BYDAY=TU"
FIRST_TUE = dt.date(2027, 3, 2)  # a Tuesday
LAST_TUE = dt.date(2027, 5, 25)  # 13 Tuesdays from FIRST_TUE


def weekly(first: dt.date, last: dt.date, step: int = 7) -> list[dt.date]:
    days, day = [], first
    while day <= last:
        days.append(day)
        day += dt.timedelta(days=step)
    return days


def series_input(room: Room, **overrides) -> dict:
    data = {"room": room, "kind": "association", "rrule": TUESDAYS, "start_time": dt.time(19),
            "end_time": dt.time(21), "first_date": FIRST_TUE, "until": LAST_TUE, "guests": 20}
    data.update(overrides)
    return data


def plan_for(room: Room, **overrides) -> services.Plan:
    return services.series_plan(**series_input(room, **overrides))


def create(room: Room, booker, **overrides) -> Series:
    return services.series_create(booker=booker, title="Repetitie zangkoor", **series_input(room, **overrides))


def skips_of(plan_or_series) -> dict[dt.date, str]:
    if isinstance(plan_or_series, Series):
        return {s.date: s.reason for s in SeriesSkip.objects.filter(series=plan_or_series)}
    return {s.date: s.reason for s in plan_or_series.skips}


def local_dates(bookings) -> list[dt.date]:
    return [local(b.start).date() for b in bookings]


def held(series: Series) -> list[Booking]:
    return list(series.occurrences.filter(status__in=BookingStatus.HOLDING).order_by("start"))


def one_off(room: Room, start: dt.datetime, end: dt.datetime, booker=None) -> Booking:
    """An association's one-off booking (no cap, two days' notice)."""
    return services.booking_request(booker=booker or UserFactory.association(), room=room, kind="association",
                                    start=start, end=end, guests=10, title="Losse avond")


def open_all_day(house) -> None:
    """Replace the house's opening hours by 24 hours a day, so night-time series are not refused for that."""
    OpeningHours.objects.filter(house=house).delete()
    for weekday in range(7):
        OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(0), closes=dt.time(0))


@pytest.fixture
def january(frozen_now):
    return frozen_now(local_dt(2027, 1, 4, 9))


@pytest.fixture
def association(db):
    return UserFactory.association()


@pytest.fixture
def volunteer(room):
    return UserFactory.volunteer(room.house)


@pytest.fixture
def requested_series(january, room, association):
    return create(room, association)


@pytest.fixture
def approved_series(january, room, association, volunteer):
    return services.series_approve(series=create(room, association), actor=volunteer)


# --- the rule ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("FREQ=WEEKLY;BYDAY=TU", "FREQ=WEEKLY;BYDAY=TU"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH"),
        ("FREQ=MONTHLY;BYDAY=+1MO", "FREQ=MONTHLY;BYDAY=1MO"),  # the same rule, RFC 5545 allows both
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=10", "FREQ=WEEKLY;COUNT=10;BYDAY=TU"),
    ],
)
def test_parse_rule__supported_rules__kept_as_one_rrule(text, shown):
    rule_set = occurrences.parse_rule(text)
    assert len(rule_set.rrules) == 1
    assert occurrences.rule_text(rule_set) == shown


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "wekelijks op dinsdag",
        "FREQ=DAILY",
        "FREQ=YEARLY;BYMONTH=1",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;INTERVAL=0",
        "FREQ=WEEKLY;INTERVAL=13",
        "FREQ=WEEKLY;COUNT=0",
        "FREQ=WEEKLY;COUNT=201",
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20271231T000000Z",
        "DTSTART:20270302T190000Z\nRRULE:FREQ=WEEKLY",
        "RRULE:FREQ=WEEKLY;BYDAY=TU\nRRULE:FREQ=WEEKLY;BYDAY=TH",
        "EXRULE:FREQ=WEEKLY;BYDAY=TU",
        "FREQ=WEEKLY;" + "BYDAY=TU;" * 60,
    ],
)
def test_parse_rule__invalid__invalid_rrule(text):
    with pytest.raises(InvalidInput) as exc:
        occurrences.parse_rule(text)
    assert exc.value.code == "invalid_rrule"


@pytest.mark.parametrize(
    ("rule", "first", "until", "expected"),
    [
        (TUESDAYS, dt.date(2027, 3, 2), dt.date(2027, 3, 30), weekly(dt.date(2027, 3, 2), dt.date(2027, 3, 30))),
        # A first date that is not itself in the rule: the series starts on the next matching day.
        (TUESDAYS, dt.date(2027, 3, 3), dt.date(2027, 3, 30), weekly(dt.date(2027, 3, 9), dt.date(2027, 3, 30))),
        ("FREQ=WEEKLY", dt.date(2027, 3, 4), dt.date(2027, 3, 25), weekly(dt.date(2027, 3, 4), dt.date(2027, 3, 25))),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", dt.date(2027, 3, 2), dt.date(2027, 4, 27),
         [dt.date(2027, 3, 2), dt.date(2027, 3, 16), dt.date(2027, 3, 30), dt.date(2027, 4, 13), dt.date(2027, 4, 27)]),
        ("FREQ=WEEKLY;BYDAY=MO,TH", dt.date(2027, 3, 1), dt.date(2027, 3, 14),
         [dt.date(2027, 3, 1), dt.date(2027, 3, 4), dt.date(2027, 3, 8), dt.date(2027, 3, 11)]),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH", dt.date(2027, 3, 1), dt.date(2027, 3, 31),
         [dt.date(2027, 3, 1), dt.date(2027, 3, 4), dt.date(2027, 3, 15), dt.date(2027, 3, 18), dt.date(2027, 3, 29)]),
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=4", dt.date(2027, 3, 2), None, weekly(dt.date(2027, 3, 2), dt.date(2027, 3, 23))),
        # COUNT and an earlier until: whichever comes first.
        ("FREQ=WEEKLY;BYDAY=TU;COUNT=10", dt.date(2027, 3, 2), dt.date(2027, 3, 16),
         weekly(dt.date(2027, 3, 2), dt.date(2027, 3, 16))),
        ("FREQ=MONTHLY;BYDAY=+1MO", dt.date(2027, 1, 1), dt.date(2027, 6, 30),
         [dt.date(2027, 1, 4), dt.date(2027, 2, 1), dt.date(2027, 3, 1), dt.date(2027, 4, 5), dt.date(2027, 5, 3),
          dt.date(2027, 6, 7)]),
        ("FREQ=MONTHLY;BYDAY=-1FR", dt.date(2027, 1, 1), dt.date(2027, 4, 30),
         [dt.date(2027, 1, 29), dt.date(2027, 2, 26), dt.date(2027, 3, 26), dt.date(2027, 4, 30)]),
        # The until date itself is included.
        (TUESDAYS, dt.date(2027, 3, 2), dt.date(2027, 3, 2), [dt.date(2027, 3, 2)]),
    ],
)
def test_occurrence_dates__rule_variants(rule, first, until, expected):
    assert occurrences.occurrence_dates(occurrences.parse_rule(rule), first, dt.time(19), until) == expected


def test_occurrence_dates__fifth_monday__only_months_that_have_five_mondays():
    rule = occurrences.parse_rule("FREQ=MONTHLY;BYDAY=+5MO")
    dates = occurrences.occurrence_dates(rule, dt.date(2027, 1, 1), dt.time(19), dt.date(2028, 6, 30),
                                         horizon_from=dt.date(2027, 1, 1))
    assert dates == [dt.date(2027, 3, 29), dt.date(2027, 5, 31), dt.date(2027, 8, 30), dt.date(2027, 11, 29),
                     dt.date(2028, 1, 31), dt.date(2028, 5, 29)]
    # Cross-check with the calendar: exactly the months with five Mondays, on their fifth Monday.
    expected = []
    for year, month in [(2027, m) for m in range(1, 13)] + [(2028, m) for m in range(1, 7)]:
        mondays = [week[0] for week in calendar.monthcalendar(year, month) if week[0]]
        if len(mondays) == 5:
            expected.append(dt.date(year, month, mondays[4]))
    assert dates == expected


def test_occurrence_dates__fifth_monday_with_count__skips_short_months_without_counting_them():
    rule = occurrences.parse_rule("FREQ=MONTHLY;BYDAY=+5MO;COUNT=3")
    assert occurrences.occurrence_dates(rule, dt.date(2027, 1, 1), dt.time(19), None, horizon_from=dt.date(2027, 1, 1)) == [
        dt.date(2027, 3, 29), dt.date(2027, 5, 31), dt.date(2027, 8, 30)]


def test_occurrence_dates__no_until_and_no_count__until_required():
    with pytest.raises(InvalidInput) as exc:
        occurrences.occurrence_dates(occurrences.parse_rule(TUESDAYS), FIRST_TUE, dt.time(19), None)
    assert exc.value.code == "until_required"


def test_occurrence_dates__horizon__eighteen_months_from_today_allowed_one_day_more_refused(frozen_now):
    frozen_now(local_dt(2026, 12, 1, 9))
    rule = occurrences.parse_rule(TUESDAYS)
    limit = dt.date(2026, 12, 1) + dt.timedelta(days=occurrences.HORIZON_DAYS)
    assert occurrences.occurrence_dates(rule, FIRST_TUE, dt.time(19), limit)[-1] <= limit
    with pytest.raises(InvalidInput) as exc:
        occurrences.occurrence_dates(rule, FIRST_TUE, dt.time(19), limit + dt.timedelta(days=1))
    assert exc.value.code == "horizon_too_long"
    with pytest.raises(InvalidInput) as exc:
        occurrences.occurrence_dates(rule, FIRST_TUE, dt.time(19), dt.date(2029, 3, 2))
    assert exc.value.code == "horizon_too_long"


def test_occurrence_dates__horizon_is_counted_from_today_not_from_the_first_date(frozen_now):
    # Issue 13, case 1: a series starting three years ahead is not "18 months from its own first date".
    frozen_now(local_dt(2026, 12, 1, 9))
    with pytest.raises(InvalidInput) as exc:
        occurrences.occurrence_dates(occurrences.parse_rule(TUESDAYS), dt.date(2029, 12, 4), dt.time(19),
                                     dt.date(2030, 1, 29))
    assert exc.value.code == "horizon_too_long"


def test_occurrence_dates__count_reaching_past_the_horizon__horizon_too_long(frozen_now):
    frozen_now(local_dt(2027, 3, 1, 9))
    # 100 weeks is almost two years.
    with pytest.raises(InvalidInput) as exc:
        occurrences.occurrence_dates(occurrences.parse_rule("FREQ=WEEKLY;BYDAY=TU;COUNT=100"), FIRST_TUE,
                                     dt.time(19), None)
    assert exc.value.code == "horizon_too_long"
    # A count that fits (78 weeks = 18 months) is fine.
    dates = occurrences.occurrence_dates(occurrences.parse_rule("FREQ=WEEKLY;BYDAY=TU;COUNT=78"), FIRST_TUE,
                                         dt.time(19), None)
    assert len(dates) == 78


def test_occurrence_dates__until_before_first_date__end_before_start():
    with pytest.raises(InvalidInput) as exc:
        occurrences.occurrence_dates(occurrences.parse_rule(TUESDAYS), FIRST_TUE, dt.time(19),
                                     FIRST_TUE - dt.timedelta(days=1))
    assert exc.value.code == "end_before_start"


# --- wall-clock time across DST ---------------------------------------------------------------------------------

DST_SUNDAYS = [
    (2027, dt.date(2027, 3, 28), dt.date(2027, 10, 31)),
    (2028, dt.date(2028, 3, 26), dt.date(2028, 10, 29)),
    (2029, dt.date(2029, 3, 25), dt.date(2029, 10, 28)),
]


@pytest.mark.parametrize(("year", "spring", "autumn"), DST_SUNDAYS)
def test_series__tuesday_and_sunday_evenings__stay_19_to_21_local_across_both_dst_changes(
        frozen_now, room, year, spring, autumn):
    frozen_now(local_dt(year, 1, 4, 9))
    volunteer = UserFactory.volunteer(room.house)
    series = create(room, volunteer, kind="community", rrule="FREQ=WEEKLY;BYDAY=TU,SU",
                    first_date=dt.date(year, 3, 1), until=dt.date(year, 11, 30))
    bookings = list(Booking.objects.filter(series=series).order_by("start"))  # read back from the database
    assert SeriesSkip.objects.filter(series=series).count() == 0
    days = local_dates(bookings)
    # Both DST Sundays are occurrences themselves; nothing dropped around them.
    assert spring in days and autumn in days
    assert len(days) == len(occurrences.occurrence_dates(series.recurrence, series.first_date, dt.time(19),
                                                         series.until))
    offsets = set()
    for booking in bookings:
        start, end = local(booking.start), local(booking.end)
        assert (start.time(), end.time()) == (dt.time(19), dt.time(21)), booking
        assert elapsed(booking.start, booking.end) == dt.timedelta(hours=2)
        assert booking.blocked_until == booking.end + dt.timedelta(minutes=30)
        summer = spring <= start.date() < autumn
        assert start.utcoffset() == dt.timedelta(hours=2 if summer else 1), booking
        # Stored in UTC: 17:00 in summer, 18:00 in winter.
        assert booking.start.astimezone(UTC).hour == (17 if summer else 18)
        offsets.add(start.utcoffset())
    assert offsets == {dt.timedelta(hours=1), dt.timedelta(hours=2)}
    # The occurrences right around the changes.
    by_day = {local(b.start).date(): b for b in bookings}
    assert local(by_day[spring - dt.timedelta(days=5)].start).utcoffset() == dt.timedelta(hours=1)
    assert local(by_day[spring].start).utcoffset() == dt.timedelta(hours=2)
    assert local(by_day[autumn - dt.timedelta(days=5)].start).utcoffset() == dt.timedelta(hours=2)
    assert local(by_day[autumn].start).utcoffset() == dt.timedelta(hours=1)


@pytest.mark.parametrize(("year", "spring", "autumn"), DST_SUNDAYS)
def test_series_plan__dst__periods_keep_wall_clock_and_offsets_change(frozen_now, room, year, spring, autumn):
    frozen_now(local_dt(year - 1, 12, 1, 9))
    services.rule_settings_update(actor=None, changes={"max_advance_days": 400})  # the whole year may be booked
    plan = plan_for(room, first_date=dt.date(year, 1, 5), until=dt.date(year, 12, 28))
    assert not plan.skips
    assert {(local(p.start).time(), local(p.end).time()) for p in plan.periods} == {(dt.time(19), dt.time(21))}
    winter = [p for p in plan.periods if p.date < spring or p.date >= autumn]
    summer = [p for p in plan.periods if spring <= p.date < autumn]
    assert winter and summer
    assert {p.start.utcoffset() for p in winter} == {dt.timedelta(hours=1)}
    assert {p.start.utcoffset() for p in summer} == {dt.timedelta(hours=2)}


@pytest.mark.parametrize(("year", "spring", "autumn"), DST_SUNDAYS)
def test_series__0230_on_spring_forward_night__that_date_skipped_as_nonexistent_local_time(
        frozen_now, room, year, spring, autumn):
    frozen_now(local_dt(year, 1, 4, 9))
    open_all_day(room.house)
    volunteer = UserFactory.volunteer(room.house)
    overrides = {"kind": "community", "rrule": "FREQ=WEEKLY;BYDAY=SU", "start_time": dt.time(2, 30),
                 "end_time": dt.time(3, 30), "first_date": spring - dt.timedelta(days=14),
                 "until": spring + dt.timedelta(days=14)}
    plan = plan_for(room, **overrides)
    assert skips_of(plan) == {spring: "nonexistent_local_time"}
    assert "bestaat niet" in plan.skips[0].detail
    series = create(room, volunteer, **overrides)
    skip = SeriesSkip.objects.get(series=series)
    assert (skip.date, skip.reason) == (spring, "nonexistent_local_time")
    assert skip.detail
    bookings = held(series)
    assert local_dates(bookings) == [spring - dt.timedelta(days=14), spring - dt.timedelta(days=7),
                                     spring + dt.timedelta(days=7), spring + dt.timedelta(days=14)]
    assert {local(b.start).time() for b in bookings} == {dt.time(2, 30)}


def test_series__0230_on_fall_back_night__that_date_skipped_not_moved(frozen_now, room):
    """02:30 happens twice on the last Sunday of October: the date is recorded as skipped, never shifted."""
    frozen_now(local_dt(2027, 9, 1, 9))
    open_all_day(room.house)
    plan = plan_for(room, kind="community", rrule="FREQ=WEEKLY;BYDAY=SU", start_time=dt.time(2, 30),
                    end_time=dt.time(3, 30), first_date=dt.date(2027, 10, 24), until=dt.date(2027, 11, 7))
    assert skips_of(plan) == {dt.date(2027, 10, 31): "nonexistent_local_time"}
    assert "twee keer" in plan.skips[0].detail
    assert [p.date for p in plan.periods] == [dt.date(2027, 10, 24), dt.date(2027, 11, 7)]


def test_series__end_time_before_start_time__ends_the_next_day(january, room, volunteer):
    series = create(room, volunteer, kind="community", start_time=dt.time(22), end_time=dt.time(0, 30),
                    first_date=dt.date(2027, 3, 23), until=dt.date(2027, 4, 6))
    for booking in held(series):
        start, end = local(booking.start), local(booking.end)
        assert start.time() == dt.time(22)
        assert (end.date(), end.time()) == (start.date() + dt.timedelta(days=1), dt.time(0, 30))
        assert elapsed(booking.start, booking.end) == dt.timedelta(hours=2, minutes=30)


# --- dates that cannot be booked --------------------------------------------------------------------------------


@pytest.fixture
def wednesday_early_house_room(january, caps):
    """A house open 08:00–01:00, except Wednesdays 08:00–18:00."""
    house = HouseFactory(hours=False)
    for weekday in range(7):
        closes = dt.time(18) if weekday == 2 else dt.time(1)
        OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(8), closes=closes)
    return RoomFactory(location=LocationFactory(house=house))


def test_series__conflict_closure_and_opening_hours__each_date_kept_with_its_reason(wednesday_early_house_room):
    room = wednesday_early_house_room
    volunteer = UserFactory.volunteer(room.house)
    other_room = RoomFactory(location=room.location)
    # Ends 18:45: with the 30-minute buffer it blocks until 19:15.
    one_off(room, local_dt(2027, 3, 16, 17), local_dt(2027, 3, 16, 18, 45))
    # Ends 18:30: blocked until 19:00 exactly, half-open, so 19:00 is free.
    one_off(room, local_dt(2027, 3, 23, 17), local_dt(2027, 3, 23, 18, 30))
    # Starts 21:15: the series' own buffer after 21:00 reaches 21:30.
    one_off(room, local_dt(2027, 3, 30, 21, 15), local_dt(2027, 3, 30, 23))
    # Another room that evening: no conflict here.
    one_off(other_room, local_dt(2027, 3, 9, 19), local_dt(2027, 3, 9, 21))
    # A cancelled booking does not hold its slot.
    cancelled = one_off(room, local_dt(2027, 4, 13, 19), local_dt(2027, 4, 13, 21))
    services.booking_cancel(booking=cancelled, actor=cancelled.booker)
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 4, 5), end=local_dt(2027, 4, 7),
                            reason="Paasdagen")
    services.closure_create(actor=volunteer, house=room.house, room=other_room, start=local_dt(2027, 3, 2),
                            end=local_dt(2027, 3, 3), reason="Schilderwerk andere zaal")
    overrides = {"rrule": "FREQ=WEEKLY;BYDAY=TU,WE", "first_date": dt.date(2027, 3, 2), "until": dt.date(2027, 4, 14)}
    expected = {
        dt.date(2027, 3, 16): "conflict",
        dt.date(2027, 3, 30): "conflict",
        dt.date(2027, 4, 6): "closure",
        **{day: "opening_hours" for day in weekly(dt.date(2027, 3, 3), dt.date(2027, 4, 14))},
    }

    plan = plan_for(room, **overrides)
    assert skips_of(plan) == expected
    assert [p.date for p in plan.periods] == [dt.date(2027, 3, 2), dt.date(2027, 3, 9), dt.date(2027, 3, 23),
                                              dt.date(2027, 4, 13)]
    closure_skip = next(s for s in plan.skips if s.reason == "closure")
    assert "Paasdagen" in closure_skip.detail
    assert closure_skip.as_dict()["reason_label"] == "Gesloten"
    assert plan.total_cents == 4 * 3000  # 2 hours at the association tariff of € 15 per hour

    series = create(room, UserFactory.association(), **overrides)
    assert skips_of(series) == expected
    assert SeriesSkip.objects.get(series=series, date=dt.date(2027, 4, 6)).detail == closure_skip.detail
    assert local_dates(held(series)) == [p.date for p in plan.periods]
    assert Booking.objects.filter(room=room).active().count() == 3 + 4


def test_series_plan__dates_within_minimum_notice__skipped_as_notice(frozen_now, room):
    frozen_now(local_dt(2027, 3, 1, 10))  # the first Tuesday is 33 hours away; associations need 48
    plan = plan_for(room)
    assert skips_of(plan) == {FIRST_TUE: "notice"}
    assert plan.periods[0].date == dt.date(2027, 3, 9)


def test_series_plan__writes_nothing(january, room):
    before = (Series.objects.count(), Booking.objects.count(), SeriesSkip.objects.count(), AuditEntry.objects.count())
    plan = plan_for(room)
    assert len(plan.periods) == 13
    assert (Series.objects.count(), Booking.objects.count(), SeriesSkip.objects.count(),
            AuditEntry.objects.count()) == before


def test_series_create__no_bookable_date__no_dates_with_reasons_and_nothing_written(january, room, association, admin_user):
    services.closure_create(actor=admin_user, house=room.house, start=local_dt(2027, 3, 1), end=local_dt(2027, 6, 1),
                            reason="Verbouwing")
    with pytest.raises(InvalidInput) as exc:
        create(room, association)
    assert exc.value.code == "no_dates"
    assert len(exc.value.rules) == 13
    assert {r["reason"] for r in exc.value.rules} == {"closure"}
    assert not Series.objects.exists() and not Booking.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"rrule": "FREQ=DAILY"}, "invalid_rrule"),
        ({"rrule": "elke dinsdag"}, "invalid_rrule"),
        ({"until": None}, "until_required"),
        ({"until": dt.date(2028, 12, 31)}, "horizon_too_long"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=120", "until": None}, "horizon_too_long"),
        ({"until": dt.date(2027, 3, 1)}, "end_before_start"),
        ({"end_time": dt.time(19)}, "end_before_start"),
        ({"guests": 0}, "invalid_guests"),
        ({"guests": 81}, "guests"),
        ({"kind": "party"}, "invalid_kind"),
        ({"kind": "koffietafel"}, "invalid_kind"),
        ({"kind": "gathering"}, "invalid_kind"),
    ],
)
def test_series_create__bad_input__coded_error_and_nothing_written(january, room, association, overrides, code):
    with pytest.raises(DomainError) as exc:
        create(room, association, **overrides)
    assert exc.value.code == code
    assert not Series.objects.exists() and not Booking.objects.exists() and not AuditEntry.objects.exists()


# --- create -----------------------------------------------------------------------------------------------------


def test_series_create__association__requested_with_requested_occurrences(january, room, association, volunteer):
    mail.outbox.clear()  # what the fixtures mailed: mail tasks run at once in the tests
    series = create(room, association)
    assert series.status == SeriesStatus.REQUESTED
    assert series.decided_at is None
    assert (series.booker, series.booker_email, series.organisation) == (association, association.email,
                                                                          "Zangkoor Harmonie")
    assert occurrences.rule_text(Series.objects.get(pk=series.pk).recurrence) == TUESDAYS
    bookings = held(series)
    assert local_dates(bookings) == weekly(FIRST_TUE, LAST_TUE)
    assert {b.status for b in bookings} == {BookingStatus.REQUESTED}
    assert {(b.kind, b.booker_id, b.guests, b.total_cents, b.deposit_cents) for b in bookings} == {
        ("association", association.pk, 20, 3000, 0)}
    assert AuditEntry.objects.filter(action="booking.requested", booking__series=series).count() == 13
    assert AuditEntry.objects.filter(action="series.created", object_id=str(series.pk)).count() == 1
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([association.email, volunteer.email])
    assert "Aanvraag reeks ontvangen" in next(m.subject for m in mail.outbox if m.to == [association.email])


def test_series_create__volunteer_of_the_house__approved_and_confirmed_at_once(january, room, volunteer):
    series = create(room, volunteer, kind="community")
    assert series.status == SeriesStatus.APPROVED
    assert series.decided_by == volunteer
    assert {b.status for b in series.occurrences.all()} == {BookingStatus.CONFIRMED}
    assert series.occurrences.count() == 13


def test_series_create__admin__approved_at_once(january, room):
    admin = UserFactory(is_superuser=True, is_staff=True, profile__role="admin")
    series = create(room, admin)
    assert series.status == SeriesStatus.APPROVED


@pytest.mark.parametrize(
    "who",
    ["resident", "municipality", "other_volunteer", "association_for_community", "anonymous"],
)
def test_series_create__not_allowed__nothing_written(january, room, who):
    from django.contrib.auth.models import AnonymousUser

    booker, kind = {
        "resident": (lambda: UserFactory.resident(), "association"),
        "municipality": (lambda: UserFactory.municipality(), "association"),
        "other_volunteer": (lambda: UserFactory.volunteer(HouseFactory()), "association"),
        "association_for_community": (lambda: UserFactory.association(), "community"),
        "anonymous": (lambda: AnonymousUser(), "association"),
    }[who]
    with pytest.raises(NotAllowed):
        create(room, booker(), kind=kind)
    assert not Series.objects.exists() and not Booking.objects.exists()


def test_series_create__occurrences_block_one_off_bookings(january, room, requested_series):
    with pytest.raises(SlotTaken):
        one_off(room, local_dt(2027, 3, 9, 20), local_dt(2027, 3, 9, 22))


# --- query counts -----------------------------------------------------------------------------------------------


def _busy_room(house_room: Room) -> Room:
    """A fresh copy of the room, nothing cached on it, so every measurement pays for the same lookups."""
    return Room.objects.get(pk=house_room.pk)


def _measure(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


@pytest.fixture
def two_rooms_with_traffic(january, room, admin_user):
    second = RoomFactory(location=room.location)
    for r in (room, second):
        for week in (2, 7, 30):
            day = dt.date(2027, 1, 12) + dt.timedelta(weeks=week)
            one_off(r, local_dt(day.year, day.month, day.day, 19), local_dt(day.year, day.month, day.day, 21))
    services.closure_create(actor=admin_user, house=room.house, start=local_dt(2027, 12, 24), end=local_dt(2027, 12, 27),
                            reason="Kerst")
    # A year of Tuesdays from mid-January: every date within how far ahead one may book.
    services.rule_settings_update(actor=None, changes={"max_advance_days": 400})
    # Warm up whatever is created once (the rule settings row), so both measurements start equal.
    plan_for(room, first_date=dt.date(2027, 1, 12), until=dt.date(2027, 1, 12))
    return room, second


TEN_WEEKS = dt.date(2027, 1, 12) + dt.timedelta(weeks=9)
FIFTY_TWO_WEEKS = dt.date(2027, 1, 12) + dt.timedelta(weeks=51)


def test_series_plan__constant_number_of_queries_whatever_the_length(two_rooms_with_traffic):
    room, _ = two_rooms_with_traffic
    short = _measure(lambda: plan_for(_busy_room(room), first_date=dt.date(2027, 1, 12), until=TEN_WEEKS))
    long_plan = []
    long = _measure(lambda: long_plan.append(plan_for(_busy_room(room), first_date=dt.date(2027, 1, 12),
                                                      until=FIFTY_TWO_WEEKS)))
    assert len(long_plan[0].periods) + len(long_plan[0].skips) == 52
    assert len(long_plan[0].skips) == 3  # conflicts in weeks 2, 7 and 30; the Christmas closure has no Tuesday
    assert short == long
    assert long <= 8


@pytest.mark.parametrize("who", ["association", "volunteer"])
def test_series_create__52_weeks_costs_the_same_queries_as_10(two_rooms_with_traffic, who,
                                                              django_assert_max_num_queries):
    room, second = two_rooms_with_traffic
    from django.contrib.auth import get_user_model

    user = UserFactory.association() if who == "association" else UserFactory.volunteer(room.house)

    def fresh_user():
        return get_user_model().objects.get(pk=user.pk)

    results = []
    short = _measure(lambda: results.append(create(_busy_room(room), fresh_user(), first_date=dt.date(2027, 1, 12),
                                                   until=TEN_WEEKS)))
    long = _measure(lambda: results.append(create(_busy_room(second), fresh_user(), first_date=dt.date(2027, 1, 12),
                                                  until=FIFTY_TWO_WEEKS)))
    assert results[0].occurrences.count() == 10 - 2  # conflicts in weeks 2 and 7
    assert results[1].occurrences.count() + results[1].skips.count() == 52
    assert results[1].occurrences.count() == 49
    assert short == long, (short, long)
    # An empty room: all 52 dates become bookings, still within the same number of queries.
    empty_room, booker = _busy_room(RoomFactory(location=room.location)), fresh_user()
    with django_assert_max_num_queries(long):
        full = create(empty_room, booker, first_date=dt.date(2027, 1, 12), until=FIFTY_TWO_WEEKS)
    assert full.occurrences.count() == 52


# --- approve and reject -----------------------------------------------------------------------------------------


def test_series_approve__all_requested_occurrences_confirmed(requested_series, volunteer):
    mail.outbox.clear()  # what the fixtures mailed: mail tasks run at once in the tests
    series = services.series_approve(series=requested_series, actor=volunteer, reason="Welkom")
    series.refresh_from_db()
    assert series.status == SeriesStatus.APPROVED
    assert (series.decided_by, series.decision_reason) == (volunteer, "Welkom")
    assert {b.status for b in series.occurrences.all()} == {BookingStatus.CONFIRMED}
    assert all(b.confirmed_at is not None for b in series.occurrences.all())
    assert AuditEntry.objects.filter(action="booking.approved", booking__series=series).count() == 13
    assert AuditEntry.objects.filter(action="series.approved", object_id=str(series.pk)).count() == 1
    assert [m.subject for m in mail.outbox if m.to == [series.booker_email]] == [
        f"Reeks goedgekeurd: {series.room}"]


def test_series_approve__a_date_the_association_cancelled_meanwhile__stays_cancelled(requested_series, association,
                                                                                    volunteer):
    first = requested_series.occurrences.order_by("start").first()
    services.booking_cancel(booking=first, actor=association)
    services.series_approve(series=requested_series, actor=volunteer)
    first.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED
    assert requested_series.occurrences.filter(status=BookingStatus.CONFIRMED).count() == 12


@pytest.mark.parametrize("who", ["association", "other_association", "other_volunteer", "resident"])
def test_series_approve_and_reject__only_volunteers_of_the_house(requested_series, who):
    actor = {"association": lambda: requested_series.booker, "other_association": UserFactory.association,
             "other_volunteer": lambda: UserFactory.volunteer(HouseFactory()), "resident": UserFactory.resident}[who]()
    with pytest.raises(NotAllowed):
        services.series_approve(series=requested_series, actor=actor)
    with pytest.raises(NotAllowed):
        services.series_reject(series=requested_series, actor=actor, reason="Nee")
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.REQUESTED
    assert {b.status for b in requested_series.occurrences.all()} == {BookingStatus.REQUESTED}


def test_series_approve__twice__invalid_transition(approved_series, volunteer):
    with pytest.raises(InvalidTransition):
        services.series_approve(series=approved_series, actor=volunteer)
    with pytest.raises(InvalidTransition):
        services.series_reject(series=approved_series, actor=volunteer, reason="Toch niet")


@pytest.mark.parametrize("reason", ["", "   "])
def test_series_reject__needs_a_reason(requested_series, volunteer, reason):
    with pytest.raises(InvalidInput) as exc:
        services.series_reject(series=requested_series, actor=volunteer, reason=reason)
    assert exc.value.code == "reason_required"
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.REQUESTED


def test_series_reject__occurrences_rejected_and_the_slots_free_again(requested_series, room, volunteer):
    mail.outbox.clear()  # what the fixtures mailed: mail tasks run at once in the tests
    services.series_reject(series=requested_series, actor=volunteer, reason="Zaal is dan in onderhoud")
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.REJECTED
    assert requested_series.decision_reason == "Zaal is dan in onderhoud"
    assert {b.status for b in requested_series.occurrences.all()} == {BookingStatus.REJECTED}
    assert "Zaal is dan in onderhoud" in next(m.body for m in mail.outbox if m.to == [requested_series.booker_email])
    assert one_off(room, local_dt(2027, 3, 9, 19), local_dt(2027, 3, 9, 21)).status == BookingStatus.REQUESTED


# --- cancel -----------------------------------------------------------------------------------------------------


def test_cancel_one_occurrence__via_booking_cancel__only_that_date(approved_series, association):
    target = approved_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    services.booking_cancel(booking=target, actor=association, reason="Concert elders")
    target.refresh_from_db()
    assert target.status == BookingStatus.CANCELLED
    approved_series.refresh_from_db()
    assert approved_series.status == SeriesStatus.APPROVED
    assert approved_series.until == LAST_TUE
    assert local_dates(held(approved_series)) == [d for d in weekly(FIRST_TUE, LAST_TUE) if d != dt.date(2027, 4, 6)]


def test_series_cancel__from_a_date__that_and_following_cancelled_series_truncated_past_untouched(
        approved_series, association, frozen_now):
    frozen_now(local_dt(2027, 4, 1, 12))  # mid-series: March is over
    before = {b.pk: (b.status, b.updated_at, b.sequence) for b in approved_series.occurrences.all()}
    mail.outbox.clear()  # what the fixtures mailed: mail tasks run at once in the tests
    cancelled = services.series_cancel(series=approved_series, actor=association, from_date=dt.date(2027, 4, 20),
                                       reason="Seizoen eerder klaar")
    assert local_dates(cancelled) == weekly(dt.date(2027, 4, 20), LAST_TUE)
    approved_series.refresh_from_db()
    assert approved_series.status == SeriesStatus.APPROVED
    assert approved_series.until == dt.date(2027, 4, 19)
    assert local_dates(held(approved_series)) == weekly(FIRST_TUE, dt.date(2027, 4, 13))
    for booking in approved_series.occurrences.all():
        if local(booking.start).date() < dt.date(2027, 4, 20):
            assert (booking.status, booking.updated_at, booking.sequence) == before[booking.pk]
        else:
            assert booking.status == BookingStatus.CANCELLED
    assert AuditEntry.objects.filter(action="series.truncated", object_id=str(approved_series.pk)).count() == 1
    notice = next(m for m in mail.outbox if m.subject.startswith("Datums geannuleerd"))
    assert notice.to == [association.email]
    assert "di 20-04-2027 19:00" in notice.body


def test_series_cancel__from_a_past_date__only_future_occurrences_change(approved_series, volunteer, frozen_now):
    frozen_now(local_dt(2027, 4, 1, 12))
    cancelled = services.series_cancel(series=approved_series, actor=volunteer, from_date=dt.date(2027, 3, 9))
    assert local_dates(cancelled) == weekly(dt.date(2027, 4, 6), LAST_TUE)
    assert {b.status for b in approved_series.occurrences.filter(start__lt=local_dt(2027, 4, 1))} == {
        BookingStatus.CONFIRMED}
    approved_series.refresh_from_db()
    assert approved_series.status == SeriesStatus.CANCELLED  # nothing ahead is left


def test_series_cancel__with_count_rule__count_replaced_by_until(january, room, volunteer, frozen_now):
    series = create(room, volunteer, kind="community", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=8", until=None)
    assert series.occurrences.count() == 8
    frozen_now(local_dt(2027, 3, 10, 12))
    services.series_cancel(series=series, actor=volunteer, from_date=dt.date(2027, 3, 30))
    series.refresh_from_db()
    assert series.until == dt.date(2027, 3, 29)
    assert not occurrences.has_count(series.recurrence)
    assert occurrences.occurrence_dates(series.recurrence, series.first_date, series.start_time, series.until) == \
        weekly(FIRST_TUE, dt.date(2027, 3, 23))
    assert local_dates(held(series)) == weekly(FIRST_TUE, dt.date(2027, 3, 23))


def test_series_cancel__all__future_cancelled_past_and_ongoing_untouched(approved_series, association, frozen_now):
    frozen_now(local_dt(2027, 4, 13, 20))  # in the middle of the 13 April evening
    cancelled = services.series_cancel(series=approved_series, actor=association)
    assert local_dates(cancelled) == weekly(dt.date(2027, 4, 20), LAST_TUE)
    approved_series.refresh_from_db()
    assert approved_series.status == SeriesStatus.CANCELLED
    assert local_dates(held(approved_series)) == weekly(FIRST_TUE, dt.date(2027, 4, 13))
    assert {b.status for b in held(approved_series)} == {BookingStatus.CONFIRMED}


def test_series_cancel__of_a_requested_series__cancels_it(requested_series, association):
    services.series_cancel(series=requested_series, actor=association)
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.CANCELLED
    assert {b.status for b in requested_series.occurrences.all()} == {BookingStatus.CANCELLED}


def test_series_cancel__from_the_first_future_date__cancels_the_series(approved_series, association):
    services.series_cancel(series=approved_series, actor=association, from_date=FIRST_TUE)
    approved_series.refresh_from_db()
    assert approved_series.status == SeriesStatus.CANCELLED
    assert not held(approved_series)


@pytest.mark.parametrize("who", ["other_association", "other_volunteer", "resident"])
def test_series_cancel__others__not_allowed(approved_series, who):
    actor = {"other_association": UserFactory.association, "other_volunteer": lambda: UserFactory.volunteer(
        HouseFactory()), "resident": UserFactory.resident}[who]()
    with pytest.raises(NotAllowed):
        services.series_cancel(series=approved_series, actor=actor)
    assert len(held(approved_series)) == 13


def test_series_cancel__twice__invalid_transition(approved_series, association):
    services.series_cancel(series=approved_series, actor=association)
    with pytest.raises(InvalidTransition):
        services.series_cancel(series=approved_series, actor=association)


# --- restore ----------------------------------------------------------------------------------------------------


def test_series_restore_date__cancelled_date_booked_again_when_still_free(approved_series, association, volunteer):
    target = approved_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    services.booking_cancel(booking=target, actor=association)
    restored = services.series_restore_date(series=approved_series, actor=volunteer, date=dt.date(2027, 4, 6))
    assert restored.pk != target.pk
    assert restored.status == BookingStatus.CONFIRMED
    assert restored.series_id == approved_series.pk
    assert (local(restored.start), local(restored.end)) == (local_dt(2027, 4, 6, 19), local_dt(2027, 4, 6, 21))
    assert len(held(approved_series)) == 13
    assert AuditEntry.objects.filter(action="series.date_restored", object_id=str(approved_series.pk)).exists()


def test_series_restore_date__of_a_requested_series__requested_again(requested_series, association):
    target = requested_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    services.booking_cancel(booking=target, actor=association)
    restored = services.series_restore_date(series=requested_series, actor=association, date=dt.date(2027, 4, 6))
    assert restored.status == BookingStatus.REQUESTED


def test_series_restore_date__someone_booked_it_meanwhile__slot_taken(approved_series, association, room):
    target = approved_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    services.booking_cancel(booking=target, actor=association)
    one_off(room, local_dt(2027, 4, 6, 20), local_dt(2027, 4, 6, 22))
    with pytest.raises(SlotTaken) as exc:
        services.series_restore_date(series=approved_series, actor=association, date=dt.date(2027, 4, 6))
    assert exc.value.code == "slot_taken"
    assert len(held(approved_series)) == 12


def test_series_restore_date__skipped_date_after_the_conflict_is_gone(january, room, association, volunteer):
    blocker = one_off(room, local_dt(2027, 3, 16, 19), local_dt(2027, 3, 16, 21))
    series = create(room, volunteer, kind="community")
    assert skips_of(series) == {dt.date(2027, 3, 16): "conflict"}
    services.booking_cancel(booking=blocker, actor=blocker.booker)
    services.series_restore_date(series=series, actor=volunteer, date=dt.date(2027, 3, 16))
    assert skips_of(series) == {}
    assert len(held(series)) == 13


def test_series_restore_date__date_not_in_series__not_in_series(approved_series, association):
    with pytest.raises(InvalidInput) as exc:
        services.series_restore_date(series=approved_series, actor=association, date=dt.date(2027, 4, 7))
    assert exc.value.code == "not_in_series"


def test_series_restore_date__date_still_booked__invalid_transition(approved_series, association):
    with pytest.raises(InvalidTransition):
        services.series_restore_date(series=approved_series, actor=association, date=dt.date(2027, 4, 6))
    assert len(held(approved_series)) == 13


def test_series_restore_date__past_date__refused(approved_series, association, frozen_now):
    target = approved_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    services.booking_cancel(booking=target, actor=association)
    frozen_now(local_dt(2027, 4, 10, 12))
    with pytest.raises(InvalidInput) as exc:
        services.series_restore_date(series=approved_series, actor=association, date=dt.date(2027, 4, 6))
    assert exc.value.code == "date_unavailable"


def test_series_restore_date__cancelled_series__invalid_transition(approved_series, association):
    services.series_cancel(series=approved_series, actor=association)
    with pytest.raises(InvalidTransition):
        services.series_restore_date(series=approved_series, actor=association, date=dt.date(2027, 4, 6))


def test_series_restore_date__other_association__not_allowed(approved_series, association):
    target = approved_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    services.booking_cancel(booking=target, actor=association)
    with pytest.raises(NotAllowed):
        services.series_restore_date(series=approved_series, actor=UserFactory.association(),
                                     date=dt.date(2027, 4, 6))


# --- split ------------------------------------------------------------------------------------------------------


def test_series_split__new_times_from_a_date__new_series_with_parent_old_dates_untouched(
        approved_series, association, volunteer, frozen_now):
    frozen_now(local_dt(2027, 3, 20, 12))  # three Tuesdays are over
    before = {b.pk: (b.status, b.start, b.end, b.sequence) for b in approved_series.occurrences.all()}
    new = services.series_split(series=approved_series, actor=volunteer, from_date=dt.date(2027, 4, 6),
                                start_time=dt.time(20), end_time=dt.time(22), reason="Dirigent later")
    new.refresh_from_db()
    approved_series.refresh_from_db()
    assert new.parent == approved_series
    assert (new.first_date, new.until, new.start_time, new.end_time) == (dt.date(2027, 4, 6), LAST_TUE, dt.time(20),
                                                                          dt.time(22))
    assert new.status == SeriesStatus.APPROVED
    assert (new.booker, new.organisation, new.kind, new.room_id) == (association, "Zangkoor Harmonie", "association",
                                                                      approved_series.room_id)
    assert occurrences.rule_text(new.recurrence) == TUESDAYS
    new_bookings = held(new)
    assert local_dates(new_bookings) == weekly(dt.date(2027, 4, 6), LAST_TUE)
    assert {(local(b.start).time(), local(b.end).time(), b.status) for b in new_bookings} == {
        (dt.time(20), dt.time(22), BookingStatus.CONFIRMED)}
    assert approved_series.until == dt.date(2027, 4, 5)
    assert approved_series.status == SeriesStatus.APPROVED
    for booking in approved_series.occurrences.all():
        if local(booking.start).date() < dt.date(2027, 4, 6):
            assert (booking.status, booking.start, booking.end, booking.sequence) == before[booking.pk]
        else:
            assert booking.status == BookingStatus.CANCELLED
    assert local_dates(held(approved_series)) == weekly(FIRST_TUE, dt.date(2027, 3, 30))
    assert AuditEntry.objects.filter(action="series.split", object_id=str(approved_series.pk)).count() == 1


def test_series_split__new_time_conflicts_on_one_date__that_date_skipped_in_the_new_series(
        approved_series, association, room, frozen_now):
    frozen_now(local_dt(2027, 3, 20, 12))
    one_off(room, local_dt(2027, 4, 20, 22), local_dt(2027, 4, 20, 23, 30))  # after the old 21:00 end + buffer
    new = services.series_split(series=approved_series, actor=association, from_date=dt.date(2027, 4, 6),
                                start_time=dt.time(20), end_time=dt.time(22))
    assert skips_of(new) == {dt.date(2027, 4, 20): "conflict"}
    assert len(held(new)) == 7


def test_series_split__skipped_dates_from_then_on_belong_to_the_new_series(january, room, association, volunteer,
                                                                           frozen_now):
    one_off(room, local_dt(2027, 3, 9, 19), local_dt(2027, 3, 9, 21))
    one_off(room, local_dt(2027, 4, 20, 19), local_dt(2027, 4, 20, 21))
    series = services.series_approve(series=create(room, association), actor=volunteer)
    assert skips_of(series) == {dt.date(2027, 3, 9): "conflict", dt.date(2027, 4, 20): "conflict"}
    frozen_now(local_dt(2027, 3, 20, 12))
    new = services.series_split(series=series, actor=association, from_date=dt.date(2027, 4, 6),
                                start_time=dt.time(19, 30), end_time=dt.time(21, 30))
    assert skips_of(series) == {dt.date(2027, 3, 9): "conflict"}
    assert skips_of(new) == {dt.date(2027, 4, 20): "conflict"}


def test_series_split__requested_series__new_one_requested_too(requested_series, association):
    new = services.series_split(series=requested_series, actor=association, from_date=dt.date(2027, 4, 6),
                                start_time=dt.time(18), end_time=dt.time(20))
    assert new.status == SeriesStatus.REQUESTED
    assert {b.status for b in new.occurrences.all()} == {BookingStatus.REQUESTED}


def test_series_split__with_count_rule__the_count_is_shared_out(january, room, volunteer):
    series = create(room, volunteer, kind="community", rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=6", until=None)
    new = services.series_split(series=series, actor=volunteer, from_date=dt.date(2027, 3, 23),
                                start_time=dt.time(18), end_time=dt.time(20))
    series.refresh_from_db()
    assert local_dates(held(series)) == weekly(FIRST_TUE, dt.date(2027, 3, 16))
    assert local_dates(held(new)) == weekly(dt.date(2027, 3, 23), dt.date(2027, 4, 6))
    assert (new.until, series.until) == (dt.date(2027, 4, 6), dt.date(2027, 3, 22))


def test_series_split__from_the_first_date__old_series_cancelled(approved_series, association):
    new = services.series_split(series=approved_series, actor=association, from_date=FIRST_TUE,
                                start_time=dt.time(18), end_time=dt.time(20))
    approved_series.refresh_from_db()
    assert approved_series.status == SeriesStatus.CANCELLED
    assert not held(approved_series)
    assert len(held(new)) == 13


@pytest.mark.parametrize("from_date", [dt.date(2027, 3, 9), dt.date(2027, 3, 16)], ids=["off_week", "on_week"])
def test_series_split__every_other_week__new_series_keeps_the_same_weeks(january, room, volunteer, from_date):
    """A fortnightly series split from a date in a week it skips still meets in its own weeks afterwards."""
    series = create(room, volunteer, kind="community", rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
                    until=dt.date(2027, 4, 27))
    assert local_dates(held(series)) == weekly(FIRST_TUE, dt.date(2027, 4, 27), step=14)
    new = services.series_split(series=series, actor=volunteer, from_date=from_date, start_time=dt.time(20),
                                end_time=dt.time(22))
    assert local_dates(held(new)) == weekly(dt.date(2027, 3, 16), dt.date(2027, 4, 27), step=14)
    assert local_dates(held(series)) == [FIRST_TUE]
    # The stored series expands to the same dates later on (restore and cancel read them back).
    new.refresh_from_db()
    assert occurrences.occurrence_dates(new.recurrence, new.first_date, new.start_time, new.until) == \
        weekly(dt.date(2027, 3, 16), dt.date(2027, 4, 27), step=14)


def test_series_split__from_a_past_date__date_in_past(approved_series, association, frozen_now):
    frozen_now(local_dt(2027, 4, 1, 12))
    with pytest.raises(InvalidInput) as exc:
        services.series_split(series=approved_series, actor=association, from_date=dt.date(2027, 3, 30),
                              start_time=dt.time(20), end_time=dt.time(22))
    assert exc.value.code == "date_in_past"
    assert len(held(approved_series)) == 13


def test_series_split__from_today_while_the_occurrence_is_under_way__that_occurrence_is_kept(
        approved_series, association, frozen_now):
    """Past (and started) occurrences are never changed: splitting from today leaves tonight's evening alone."""
    frozen_now(local_dt(2027, 4, 6, 20))
    tonight = approved_series.occurrences.get(start=local_dt(2027, 4, 6, 19))
    new = services.series_split(series=approved_series, actor=association, from_date=dt.date(2027, 4, 6),
                                start_time=dt.time(20), end_time=dt.time(22))
    tonight.refresh_from_db()
    assert tonight.status == BookingStatus.CONFIRMED
    assert local_dates(held(new)) == weekly(dt.date(2027, 4, 13), LAST_TUE)


def test_series_split__no_following_dates__not_in_series(approved_series, association):
    with pytest.raises(InvalidInput) as exc:
        services.series_split(series=approved_series, actor=association, from_date=dt.date(2027, 6, 1),
                              start_time=dt.time(20), end_time=dt.time(22))
    assert exc.value.code == "not_in_series"


@pytest.mark.parametrize("who", ["other_association", "resident", "other_volunteer"])
def test_series_split__others__not_allowed(approved_series, who):
    actor = {"other_association": UserFactory.association, "resident": UserFactory.resident,
             "other_volunteer": lambda: UserFactory.volunteer(HouseFactory())}[who]()
    with pytest.raises(NotAllowed):
        services.series_split(series=approved_series, actor=actor, from_date=dt.date(2027, 4, 6),
                              start_time=dt.time(20), end_time=dt.time(22))
    assert not Series.objects.filter(parent=approved_series).exists()


def test_series_split__cancelled_series__invalid_transition(approved_series, association):
    services.series_cancel(series=approved_series, actor=association)
    with pytest.raises(InvalidTransition):
        services.series_split(series=approved_series, actor=association, from_date=dt.date(2027, 4, 6),
                              start_time=dt.time(20), end_time=dt.time(22))


# --- a closure added later --------------------------------------------------------------------------------------


@pytest.fixture
def winter_season(frozen_now, room, association, volunteer):
    """An approved Tuesday series from November to the end of January, and a one-off booking in the same room."""
    frozen_now(local_dt(2027, 6, 1, 9))  # every date within the 365 days one may book ahead
    series = services.series_approve(
        series=create(room, association, first_date=dt.date(2027, 11, 2), until=dt.date(2028, 1, 25)),
        actor=volunteer)
    lone = one_off(room, local_dt(2027, 12, 23, 19), local_dt(2027, 12, 23, 21))
    return series, lone


def test_closure__reports_the_series_occurrences_it_hits(winter_season, room, volunteer):
    series, lone = winter_season
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 12, 20),
                                      end=local_dt(2028, 1, 3), reason="Kerstvakantie")
    affected = list(services.closure_affected_bookings(closure))
    assert [(local(b.start).date(), b.series_id) for b in affected] == [
        (dt.date(2027, 12, 21), series.pk), (dt.date(2027, 12, 23), None), (dt.date(2027, 12, 28), series.pk)]
    # Creating the closure itself changes no booking.
    assert len(held(series)) == 13
    lone.refresh_from_db()
    assert lone.status == BookingStatus.REQUESTED


def test_closure_cancel_affected__series_dates_become_closure_skips_and_the_association_is_told(
        winter_season, room, volunteer, association):
    series, lone = winter_season
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 12, 20),
                                      end=local_dt(2028, 1, 3), reason="Kerstvakantie")
    mail.outbox.clear()  # what the fixtures mailed: mail tasks run at once in the tests
    cancelled = services.closure_cancel_affected(closure=closure, actor=volunteer)
    assert sorted(local(b.start).date() for b in cancelled) == [dt.date(2027, 12, 21), dt.date(2027, 12, 23),
                                                                 dt.date(2027, 12, 28)]
    assert {b.status for b in cancelled} == {BookingStatus.CANCELLED}
    assert skips_of(series) == {dt.date(2027, 12, 21): "closure", dt.date(2027, 12, 28): "closure"}
    assert {s.detail for s in SeriesSkip.objects.filter(series=series)} == {"Gesloten: Kerstvakantie"}
    assert local_dates(held(series)) == [d for d in weekly(dt.date(2027, 11, 2), dt.date(2028, 1, 25))
                                         if d not in (dt.date(2027, 12, 21), dt.date(2027, 12, 28))]
    series.refresh_from_db()
    assert series.status == SeriesStatus.APPROVED
    # One mail for the series listing both dates, not one per date.
    to_association = [m for m in mail.outbox if m.to == [association.email]]
    assert len(to_association) == 1
    assert to_association[0].subject.startswith("Datums geannuleerd")
    assert "di 21-12-2027 19:00" in to_association[0].body and "di 28-12-2027 19:00" in to_association[0].body
    assert any(m.to == [lone.booker_email] for m in mail.outbox)
    assert list(services.closure_affected_bookings(closure)) == []
    # A new series over the same weeks now skips them for the closure.
    assert skips_of(plan_for(room, first_date=dt.date(2027, 12, 14), until=dt.date(2028, 1, 4))) == {
        dt.date(2027, 12, 14): "conflict", dt.date(2027, 12, 21): "closure", dt.date(2027, 12, 28): "closure",
        dt.date(2028, 1, 4): "conflict"}


def test_closure_cancel_affected__only_the_chosen_bookings(winter_season, room, volunteer):
    series, lone = winter_season
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 12, 20),
                                      end=local_dt(2028, 1, 3), reason="Kerstvakantie")
    hit = series.occurrences.get(start=local_dt(2027, 12, 21, 19))
    services.closure_cancel_affected(closure=closure, actor=volunteer, booking_ids=[hit.pk])
    assert skips_of(series) == {dt.date(2027, 12, 21): "closure"}
    lone.refresh_from_db()
    assert lone.status == BookingStatus.REQUESTED
    assert len(held(series)) == 12


def test_closure_cancel_affected__past_occurrences_never_changed(winter_season, room, volunteer, frozen_now):
    series, _ = winter_season
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 12, 20),
                                      end=local_dt(2028, 1, 3), reason="Kerstvakantie")
    frozen_now(local_dt(2027, 12, 25, 12))
    cancelled = services.closure_cancel_affected(closure=closure, actor=volunteer)
    assert [local(b.start).date() for b in cancelled] == [dt.date(2027, 12, 28)]
    assert series.occurrences.get(start=local_dt(2027, 12, 21, 19)).status == BookingStatus.CONFIRMED


def test_closure_of_another_room__hits_nothing_of_this_series(winter_season, room, volunteer):
    series, _ = winter_season
    other = RoomFactory(location=room.location)
    closure = services.closure_create(actor=volunteer, house=room.house, room=other, start=local_dt(2027, 12, 20),
                                      end=local_dt(2028, 1, 3), reason="Nieuwe vloer")
    assert list(services.closure_affected_bookings(closure)) == []


@pytest.mark.parametrize("who", ["association", "other_volunteer"])
def test_closure_cancel_affected__only_volunteers_of_the_house(winter_season, room, volunteer, who):
    series, _ = winter_season
    closure = Closure.objects.create(house=room.house, start=local_dt(2027, 12, 20), end=local_dt(2028, 1, 3),
                                     reason="Kerstvakantie")
    actor = series.booker if who == "association" else UserFactory.volunteer(HouseFactory())
    with pytest.raises(NotAllowed):
        services.closure_cancel_affected(closure=closure, actor=actor)
    assert len(held(series)) == 13


# --- undecided requests, closures at approval, truncation ----------------------------------------------------------


def test_series_request__not_decided_in_time__dates_expire_then_the_series_expires_and_cannot_be_approved(
        requested_series, association, volunteer, frozen_now):
    from django.core.management import call_command

    frozen_now(local_dt(2027, 1, 12, 9))  # eight days later: past the 7-day decision deadline
    mail.outbox.clear()
    call_command("expire_bookings", verbosity=0)
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.EXPIRED
    assert held(requested_series) == []
    assert AuditEntry.objects.filter(action="series.expired", object_id=str(requested_series.pk)).count() == 1
    notice = next(m for m in mail.outbox if m.to == [association.email] and "verlopen" in m.subject)
    assert "opnieuw aanvragen" in notice.body
    with pytest.raises(InvalidTransition):
        services.series_approve(series=requested_series, actor=volunteer)
    # Running the job again changes nothing.
    assert services.series_expire_overdue() == []


def test_series_approve__every_date_expired_but_job_not_run_yet__refused_not_approved_empty(
        requested_series, volunteer, frozen_now):
    frozen_now(local_dt(2027, 1, 12, 9))
    services.expire_overdue()  # the bookings job ran, the series part not yet
    with pytest.raises(InvalidTransition) as refused:
        services.series_approve(series=requested_series, actor=volunteer)
    assert "verlopen" in refused.value.detail
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.REQUESTED


def test_series_approve__closure_added_after_the_request__those_dates_cancelled_as_closure_skips(
        requested_series, room, volunteer):
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 3, 15),
                            end=local_dt(2027, 3, 22), reason="Schilderwerk")
    services.series_approve(series=requested_series, actor=volunteer)
    requested_series.refresh_from_db()
    assert requested_series.status == SeriesStatus.APPROVED
    assert dt.date(2027, 3, 16) not in local_dates(held(requested_series))
    assert {b.status for b in requested_series.occurrences.all()} == {BookingStatus.CONFIRMED, BookingStatus.CANCELLED}
    assert skips_of(requested_series)[dt.date(2027, 3, 16)] == "closure"
    assert SeriesSkip.objects.get(series=requested_series, date=dt.date(2027, 3, 16)).detail == "Gesloten: Schilderwerk"


def test_series_cancel__truncated__skipped_dates_after_the_new_end_no_longer_listed(january, room, association,
                                                                                    volunteer):
    one_off(room, local_dt(2027, 5, 4, 18), local_dt(2027, 5, 4, 22))
    series = services.series_approve(series=create(room, association), actor=volunteer)
    assert dt.date(2027, 5, 4) in skips_of(series)
    services.series_cancel(series=series, actor=association, from_date=dt.date(2027, 4, 20))
    assert all(day < dt.date(2027, 4, 20) for day in skips_of(series))


def test_series_cancel__expired_series__invalid_transition(requested_series, association, frozen_now):
    frozen_now(local_dt(2027, 1, 12, 9))
    services.expire_overdue()
    services.series_expire_overdue()
    with pytest.raises(InvalidTransition):
        services.series_cancel(series=requested_series, actor=association)

"""Every rule of SPEC §4 at its edges: `boeking.rules.evaluate` on candidates, and `raise_for_failures`.

Time is frozen at Monday 4 January 2027, 09:00 in Maastricht unless a test says otherwise.
"""

import datetime as dt

import pytest
from django.utils import translation

from boeking import clock, services
from boeking.errors import CapReached, InvalidInput, InvalidLocalTime, RuleViolation, SlotTaken
from boeking.models import AuditEntry, Booking, CapRule, Closure, OpeningHours, RuleSettings
from boeking.rules import FAIL, PASS, WARN, Candidate, evaluate, raise_for_failures
from tests.factories import (
    BookingFactory,
    HouseFactory,
    NeighbourhoodFactory,
    RoomFactory,
    UserFactory,
    local_dt,
)

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
NOW = local_dt(2027, 1, 4, 9)  # a Monday
# Nights in February 2027 (all more than 14 days ahead of NOW).
FRI, SAT, SUN, TUE, THU = (dt.date(2027, 2, d) for d in (5, 6, 7, 9, 11))


@pytest.fixture(autouse=True)
def now(frozen_now):
    return frozen_now(NOW)


@pytest.fixture
def resident(db):
    return UserFactory.resident()


@pytest.fixture
def association(db):
    return UserFactory.association()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.make_local(day, dt.time(hour, minute))


def candidate(room, start, end, *, kind="party", guests=40, booker=None, requested_at=None, exclude_booking_id=None):
    return Candidate(room=room, kind=kind, start=start, end=end, guests=guests, booker=booker,
                     requested_at=clock.now() if requested_at is None else requested_at,
                     exclude_booking_id=exclude_booking_id)


def by_rule(cand) -> dict:
    return {r.rule: r for r in evaluate(cand)}


def outcome(cand, rule: str) -> str:
    return by_rule(cand)[rule].outcome


def book(room, day: dt.date, *, kind="party", status="approved", booker=None, approver=None, hours=(19, 22)):
    """A booking through the services, in `status`, on `day` (koffietafels 10:00–13:00)."""
    if kind == "koffietafel":
        hours = (10, 13)
    start, end = at(day, hours[0]), at(day, hours[1])
    kwargs = {"room": room, "kind": kind, "start": start, "end": end, "booker": booker or UserFactory.resident()}
    if status == "requested":
        return BookingFactory.requested(**kwargs)
    approver = approver or UserFactory.volunteer(room.house)
    if status == "confirmed":
        return BookingFactory.confirmed(approver=approver, **kwargs)
    return BookingFactory.approved(approver=approver, **kwargs)


def book_many(room, n: int, *, first=dt.date(2027, 4, 5), kind="party", status="approved"):
    """`n` bookings of `kind` in `status` on consecutive days from `first`."""
    booker = UserFactory.resident()
    approver = UserFactory.volunteer(room.house)
    return [book(room, first + dt.timedelta(days=i), kind=kind, status=status, booker=booker, approver=approver)
            for i in range(n)]


def room_in(house, **kwargs):
    return RoomFactory(location__house=house, **kwargs)


def override_cap(house, cap, kind="party"):
    return CapRule.objects.create(kind=kind, house=house, cap=cap, reason="Horeca om de hoek")


# --- minimum notice ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["party", "gathering"])
def test_min_notice__party_and_gathering__fail_one_minute_short_of_14_days(room, resident, kind):
    start = NOW + dt.timedelta(days=14) - MINUTE
    result = by_rule(candidate(room, start, start + dt.timedelta(hours=3), kind=kind, booker=resident))["min_notice"]
    assert result.outcome == FAIL
    assert "14 dagen" in result.message_nl
    assert "14 days" in result.message_en


@pytest.mark.parametrize("kind", ["party", "gathering"])
@pytest.mark.parametrize("notice", [dt.timedelta(days=14), dt.timedelta(days=14) + MINUTE], ids=["exactly", "plus_1min"])
def test_min_notice__party_and_gathering__pass_at_14_days_or_more(room, resident, kind, notice):
    start = NOW + notice
    assert outcome(candidate(room, start, start + dt.timedelta(hours=3), kind=kind, booker=resident), "min_notice") == PASS


def test_min_notice__party__fails_one_minute_short(room, resident):
    start = NOW + dt.timedelta(days=14) - MINUTE
    assert outcome(candidate(room, start, start + dt.timedelta(hours=3), booker=resident), "min_notice") == FAIL


def test_min_notice__party__passes_one_minute_over(room, resident):
    start = NOW + dt.timedelta(days=14) + MINUTE
    assert outcome(candidate(room, start, start + dt.timedelta(hours=3), booker=resident), "min_notice") == PASS


def test_min_notice__koffietafel__passes_with_exactly_24_hours(room, resident):
    start = NOW + dt.timedelta(hours=24)  # Tuesday 09:00
    result = by_rule(candidate(room, start, start + dt.timedelta(hours=3), kind="koffietafel", booker=resident))
    assert result["min_notice"].outcome == PASS
    assert "24 uur" in result["min_notice"].message_nl


def test_min_notice__koffietafel__fails_with_23h59(room, resident):
    start = NOW + dt.timedelta(hours=24)
    cand = candidate(room, start, start + dt.timedelta(hours=3), kind="koffietafel", booker=resident,
                     requested_at=NOW + MINUTE)
    result = by_rule(cand)["min_notice"]
    assert result.outcome == FAIL
    assert "24 uur" in result.message_nl
    assert "24 hours" in result.message_en


@pytest.mark.parametrize(("notice", "expected"), [
    (dt.timedelta(days=2) - MINUTE, FAIL),
    (dt.timedelta(days=2), PASS),
    (dt.timedelta(days=2) + MINUTE, PASS),
], ids=["47h59", "48h", "48h01"])
def test_min_notice__association__two_days(room, association, notice, expected):
    start = NOW + notice
    result = by_rule(candidate(room, start, start + dt.timedelta(hours=2), kind="association", booker=association))
    assert result["min_notice"].outcome == expected
    assert "2 dagen" in result["min_notice"].message_nl


def test_min_notice__community_by_volunteer__two_days(room):
    volunteer = UserFactory.volunteer(room.house)
    start = NOW + dt.timedelta(days=2)
    assert outcome(candidate(room, start, start + dt.timedelta(hours=2), kind="community", booker=volunteer),
                   "min_notice") == PASS
    assert outcome(candidate(room, start - MINUTE, start + dt.timedelta(hours=2), kind="community", booker=volunteer),
                   "min_notice") == FAIL


def test_min_notice__judged_against_the_moment_of_request_not_now(room, resident, frozen_now):
    start = at(SAT, 20)
    frozen_now(start - dt.timedelta(days=1))  # approval the day before: the request came in well in time
    cand = candidate(room, start, at(SAT, 23), booker=resident, requested_at=start - dt.timedelta(days=20))
    assert outcome(cand, "min_notice") == PASS


def test_min_notice__uses_the_configured_hours(room, resident):
    settings = RuleSettings.current()
    settings.min_notice_party_hours = 3 * 24
    settings.save()
    start = NOW + dt.timedelta(days=3)
    result = by_rule(candidate(room, start, start + dt.timedelta(hours=3), booker=resident))["min_notice"]
    assert result.outcome == PASS
    assert "3 dagen" in result.message_nl


def test_min_notice__request_too_late__service_refuses_with_code_and_writes_nothing(room, resident):
    start = NOW + dt.timedelta(days=14) - MINUTE
    with pytest.raises(RuleViolation) as info:
        services.booking_request(booker=resident, room=room, kind="party", start=start,
                                 end=start + dt.timedelta(hours=3), guests=40)
    assert info.value.code == "min_notice"
    assert info.value.http_status == 400
    assert Booking.objects.count() == 0


# --- maximum advance ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("advance", "expected"), [
    (dt.timedelta(days=365) - MINUTE, PASS),
    (dt.timedelta(days=365), PASS),
    (dt.timedelta(days=365) + MINUTE, FAIL),
], ids=["365d_minus_1min", "exactly_365d", "365d_plus_1min"])
def test_max_advance__365_days_edge(room, association, advance, expected):
    start = NOW + advance
    result = by_rule(candidate(room, start, start + dt.timedelta(hours=2), kind="association", booker=association))
    assert result["max_advance"].outcome == expected
    assert "365" in result["max_advance"].message_nl
    assert "365" in result["max_advance"].message_en


# --- caps -----------------------------------------------------------------------------------------------------------


def test_cap__11_of_12_counted__passes_with_one_left(room, resident):
    book_many(room, 6, status="approved")
    book_many(room, 5, status="confirmed", first=dt.date(2027, 5, 3))
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == PASS
    assert result.message_nl == "Nog 1 van 12 feesten beschikbaar in 2027."
    assert result.message_en == "1 of 12 parties still available in 2027."


def test_cap__12_of_12__fails_cap_reached_with_next_years_remaining_count(room, resident, frozen_now):
    book_many(room, 12)
    frozen_now(local_dt(2027, 6, 1, 9))
    book_many(room, 2, first=dt.date(2028, 1, 10))
    results = evaluate(candidate(room, local_dt(2027, 7, 3, 20), local_dt(2027, 7, 3, 23), booker=resident))
    cap = next(r for r in results if r.rule == "cap")
    assert cap.outcome == FAIL
    assert "maximum van 12 feesten in 2027 bereikt" in cap.message_nl
    assert "In 2028 zijn er nog 10 van 12 beschikbaar." in cap.message_nl
    assert "In 2028, 10 of 12 are still available." in cap.message_en
    with pytest.raises(CapReached) as info:
        raise_for_failures(results)
    assert info.value.code == "cap_reached"
    assert info.value.http_status == 409


def test_cap__12_of_12__request_refused_and_nothing_written(room, resident):
    book_many(room, 12)
    before = Booking.objects.count()
    with pytest.raises(CapReached):
        services.booking_request(booker=resident, room=room, kind="party", start=at(SAT, 20), end=at(SAT, 23),
                                 guests=40)
    assert Booking.objects.count() == before


def test_cap__pending_requests_are_shown_but_not_counted(room, resident):
    override_cap(room.house, 2)
    book_many(room, 1)
    book_many(room, 3, status="requested", first=dt.date(2027, 3, 1))
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == WARN  # more requests waiting than places left: a warning, never a refusal
    assert result.message_nl == "Nog 1 van 2 feesten beschikbaar in 2027 (3 aanvragen in behandeling)."
    assert result.message_en == "1 of 2 parties still available in 2027 (3 requests pending)."


def test_cap__fewer_pending_requests_than_places_left__passes(room, resident):
    override_cap(room.house, 3)
    book_many(room, 1, status="requested")
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == PASS
    assert "(1 aanvraag in behandeling)" in result.message_nl
    assert "(1 request pending)" in result.message_en


def test_cap__past_confirmed_bookings_count(room, resident, frozen_now):
    override_cap(room.house, 2)
    book_many(room, 2, status="confirmed")  # in February
    frozen_now(local_dt(2027, 6, 1, 9))
    assert Booking.objects.filter(end__lt=clock.now()).count() == 2
    assert outcome(candidate(room, local_dt(2027, 7, 3, 20), local_dt(2027, 7, 3, 23), booker=resident), "cap") == FAIL


def test_cap__rejected_cancelled_and_expired_bookings_do_not_count(room, resident, frozen_now):
    override_cap(room.house, 1)
    volunteer = UserFactory.volunteer(room.house)
    rejected, cancelled, expired = book_many(room, 3, status="requested")
    services.booking_reject(booking=rejected, actor=volunteer, reason="Geen vrijwilligers")
    approved = services.booking_approve(booking=cancelled, actor=volunteer)
    services.booking_cancel(booking=approved, actor=volunteer, reason="Zaal lekt")
    frozen_now(NOW + dt.timedelta(days=8))
    services.booking_expire(booking=expired)
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "cap") == PASS


def test_cap__counts_per_house(room, resident):
    other_room = RoomFactory()
    book_many(other_room, 12)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == PASS
    assert "Nog 12 van 12" in result.message_nl


def test_cap__counts_every_room_of_the_house(room, resident):
    override_cap(room.house, 1)
    book_many(room_in(room.house), 1)
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "cap") == FAIL


def test_cap__counts_per_kind__12_parties_do_not_block_a_gathering_or_koffietafel(room, resident):
    book_many(room, 12)
    gathering = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), kind="gathering", booker=resident))["cap"]
    assert gathering.outcome == PASS
    assert gathering.message_nl == "Nog 12 van 12 bijeenkomsten beschikbaar in 2027."
    koffietafel = by_rule(candidate(room, at(SAT, 10), at(SAT, 13), kind="koffietafel", booker=resident))["cap"]
    assert koffietafel.outcome == PASS
    assert koffietafel.message_nl == "Nog 24 van 24 koffietafels beschikbaar in 2027."
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "cap") == FAIL


@pytest.fixture
def year_end(frozen_now):
    """June 2027; a room open around the clock and parties allowed until 02:00 on Friday and Saturday nights."""
    frozen_now(local_dt(2027, 6, 1, 9))
    house = HouseFactory(hours=False)
    for weekday in range(7):
        OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(0), closes=dt.time(0))
    settings = RuleSettings.current()
    settings.private_end_weekend = dt.time(2)
    settings.save()
    override_cap(house, 1)
    return room_in(house)


def test_cap__event_starting_31_december_2330_local_counts_in_that_year(year_end, resident):
    room = year_end
    start = local_dt(2027, 12, 31, 23, 30)  # 22:30 UTC
    booking = BookingFactory.approved(room=room, start=start, end=start + dt.timedelta(hours=1))
    assert booking.local_year == 2027
    assert outcome(candidate(room, local_dt(2027, 12, 18, 20), local_dt(2027, 12, 18, 23), booker=resident), "cap") == FAIL
    result = by_rule(candidate(room, local_dt(2028, 1, 1, 0, 30), local_dt(2028, 1, 1, 1, 30), booker=resident))["cap"]
    assert result.outcome == PASS
    assert "in 2028" in result.message_nl


def test_cap__event_starting_1_january_0030_local_counts_in_the_next_year(year_end, resident):
    room = year_end
    start = local_dt(2028, 1, 1, 0, 30)
    booking = BookingFactory.approved(room=room, start=start, end=start + dt.timedelta(hours=1))
    assert booking.start.astimezone(dt.UTC).year == 2027  # 31 December, 23:30 UTC
    assert booking.local_year == 2028
    result = by_rule(candidate(room, local_dt(2027, 12, 31, 23, 30), local_dt(2028, 1, 1, 0, 30), booker=resident))["cap"]
    assert result.outcome == PASS
    assert result.message_nl == "Nog 1 van 1 feesten beschikbaar in 2027."
    result = by_rule(candidate(room, local_dt(2028, 1, 8, 20), local_dt(2028, 1, 8, 23), booker=resident))["cap"]
    assert result.outcome == FAIL
    assert "in 2028 bereikt" in result.message_nl


def test_cap__house_override_lower_than_default_wins(room, resident):
    override_cap(room.house, 2)
    book_many(room, 2)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == FAIL
    assert "maximum van 2 feesten" in result.message_nl
    other = RoomFactory()  # same default, no override
    book_many(other, 2)
    assert outcome(candidate(other, at(SAT, 20), at(SAT, 23), booker=resident), "cap") == PASS


def test_cap__house_override_higher_than_default_wins(room, resident):
    book_many(room, 12)
    override_cap(room.house, 14)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == PASS
    assert result.message_nl == "Nog 2 van 14 feesten beschikbaar in 2027."


def test_cap__override_of_zero_refuses_every_request(room, resident):
    override_cap(room.house, 0)
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "cap") == FAIL


def test_cap__override_for_one_kind_leaves_other_kinds_at_the_default(room, resident):
    override_cap(room.house, 0, kind="party")
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), kind="gathering", booker=resident))["cap"]
    assert result.outcome == PASS
    assert "van 12" in result.message_nl


def test_cap__house_without_any_cap_rule_has_no_cap(room, resident):
    CapRule.objects.all().delete()
    override_cap(RoomFactory().house, 0)  # another house's override does not apply here
    book_many(room, 13)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))["cap"]
    assert result.outcome == PASS
    assert result.message_nl == "Geen maximum voor feesten."
    assert result.message_en == "No cap for parties."


def test_cap__not_applied_to_association_and_community_bookings(room, association):
    override_cap(room.house, 0)
    start = NOW + dt.timedelta(days=3)
    assert "cap" not in by_rule(candidate(room, start, start + dt.timedelta(hours=2), kind="association",
                                          booker=association))


def test_cap__approving_own_booking_excludes_it_from_the_count(room, resident):
    override_cap(room.house, 1)
    booking = book(room, SAT)
    cand = candidate(room, booking.start, booking.end, booker=resident, exclude_booking_id=booking.pk)
    results = by_rule(cand)
    assert results["cap"].outcome == PASS
    assert results["slot"].outcome == PASS


# --- guests ---------------------------------------------------------------------------------------------------------


def test_guests__equal_to_capacity__passes(room, resident):
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), guests=room.capacity, booker=resident), "guests") == PASS


def test_guests__one_over_capacity__fails(room, resident):
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), guests=room.capacity + 1, booker=resident))["guests"]
    assert result.outcome == FAIL
    assert "80" in result.message_nl


# --- private events end by 00:00 / 01:00 -----------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "end", "expected"), [
    (SAT, (1, 0), PASS),
    (FRI, (1, 0), PASS),
    (SAT, (1, 1), FAIL),
    (FRI, (1, 1), FAIL),
    (TUE, (1, 0), FAIL),
    (THU, (1, 0), FAIL),
    (SUN, (1, 0), FAIL),
    (TUE, (0, 0), PASS),
    (TUE, (0, 1), FAIL),
    (SUN, (0, 0), PASS),
    (SUN, (0, 30), FAIL),
], ids=["sat_0100", "fri_0100", "sat_0101", "fri_0101", "tue_0100", "thu_0100", "sun_0100", "tue_0000", "tue_0001",
        "sun_0000", "sun_0030"])
def test_private_end__by_night_of_the_week(room, resident, day, end, expected):
    start = at(day, 20)
    stop = at(day + dt.timedelta(days=1), *end)
    result = by_rule(candidate(room, start, stop, booker=resident))["private_end"]
    assert result.outcome == expected


def test_private_end__party_saturday_2000_to_0100__passes(room, resident):
    result = by_rule(candidate(room, at(SAT, 20), at(SUN, 1), booker=resident))
    assert result["private_end"].outcome == PASS
    assert result["opening_hours"].outcome == PASS
    assert "01:00" in result["private_end"].message_nl


def test_private_end__party_tuesday_2000_to_0100__fails(room, resident):
    result = by_rule(candidate(room, at(TUE, 20), at(TUE + dt.timedelta(days=1), 1), booker=resident))["private_end"]
    assert result.outcome == FAIL
    assert "00:00" in result.message_nl
    assert "Sunday to Thursday" in result.message_en


def test_private_end__event_starting_after_midnight_belongs_to_the_previous_evening(room, resident):
    # Saturday 00:30–01:00 is still Friday night: allowed until 01:00.
    assert outcome(candidate(room, at(SAT, 0), at(SAT, 1), booker=resident), "private_end") == PASS
    # Tuesday 00:00–01:00 is Monday night: over at 00:00.
    assert outcome(candidate(room, at(TUE, 0), at(TUE, 1), booker=resident), "private_end") == FAIL


def test_private_end__daytime_event__passes(room, resident):
    assert outcome(candidate(room, at(TUE, 13), at(TUE, 17), booker=resident), "private_end") == PASS


def test_private_end__applies_to_private_kinds_only(room, association):
    start = at(TUE, 20)
    assert "private_end" not in by_rule(candidate(room, start, at(TUE + dt.timedelta(days=1), 1), kind="association",
                                                  booker=association))


# --- koffietafel window ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "end", "expected"), [
    ((9, 0), (12, 0), PASS),
    ((8, 59), (12, 0), FAIL),
    ((15, 0), (18, 0), PASS),
    ((15, 0), (18, 1), FAIL),
    ((9, 0), (18, 0), PASS),
], ids=["0900-1200", "0859-1200", "1500-1800", "1500-1801", "0900-1800"])
def test_koffietafel_window__between_0900_and_1800(room, resident, start, end, expected):
    day = dt.date(2027, 1, 12)
    result = by_rule(candidate(room, at(day, *start), at(day, *end), kind="koffietafel", booker=resident))
    assert result["koffietafel_window"].outcome == expected
    assert "09:00" in result["koffietafel_window"].message_nl
    assert "18:00" in result["koffietafel_window"].message_en


def test_koffietafel_window__only_for_koffietafels(room, resident):
    assert "koffietafel_window" not in by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))


# --- duration -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "expected"), [(59, FAIL), (60, PASS), (12 * 60, PASS), (12 * 60 + 1, FAIL)],
                         ids=["59min", "60min", "12h", "12h01"])
@pytest.mark.parametrize("kind", ["party", "gathering"])
def test_duration__party_and_gathering__1_to_12_hours(room, resident, kind, minutes, expected):
    start = at(SAT, 10)
    result = by_rule(candidate(room, start, start + dt.timedelta(minutes=minutes), kind=kind, booker=resident))
    assert result["duration"].outcome == expected


@pytest.mark.parametrize(("minutes", "expected"), [(59, FAIL), (60, PASS)], ids=["59min", "60min"])
def test_duration__koffietafel__at_least_1_hour(room, resident, minutes, expected):
    start = at(SAT, 10)
    result = by_rule(candidate(room, start, start + dt.timedelta(minutes=minutes), kind="koffietafel", booker=resident))
    assert result["duration"].outcome == expected


def test_duration__party_59_minutes__fails(room, resident):
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 20, 59), booker=resident))["duration"]
    assert result.outcome == FAIL
    assert result.message_nl == "Een privé-bijeenkomst duurt minimaal 1 en maximaal 12 uur."


def test_duration__party_12h01__fails(room, resident):
    assert outcome(candidate(room, at(SAT, 10), at(SAT, 22, 1), booker=resident), "duration") == FAIL


def test_duration__association__not_limited(room, association):
    start = NOW + dt.timedelta(days=3)
    results = by_rule(candidate(room, start, start + dt.timedelta(hours=15), kind="association", booker=association))
    assert "duration" not in results
    results = by_rule(candidate(room, start, start + dt.timedelta(minutes=30), kind="association", booker=association))
    assert "duration" not in results


# --- opening hours and closures -------------------------------------------------------------------------------------


@pytest.fixture
def daytime_room(db, caps):
    """A house open 09:00–17:00 every day, except Friday 18:00–02:00 (past midnight)."""
    house = HouseFactory(hours=False)
    for weekday in range(7):
        if weekday == 4:
            OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(18), closes=dt.time(2))
        else:
            OpeningHours.objects.create(house=house, weekday=weekday, opens=dt.time(9), closes=dt.time(17))
    return room_in(house)


def test_opening_hours__booking_outside__fails_with_code_opening_hours(daytime_room, resident):
    results = evaluate(candidate(daytime_room, at(TUE, 18), at(TUE, 21), booker=resident))
    assert {r.rule: r.outcome for r in results}["opening_hours"] == FAIL
    with pytest.raises(RuleViolation) as info:
        raise_for_failures(results)
    assert info.value.code == "opening_hours"
    assert info.value.http_status == 400


@pytest.mark.parametrize(("start", "end", "expected"), [
    ((9, 0), (17, 0), PASS),
    ((8, 59), (12, 0), FAIL),
    ((14, 0), (17, 1), FAIL),
], ids=["exact_hours", "one_minute_early", "one_minute_late"])
def test_opening_hours__edges(daytime_room, association, start, end, expected):
    cand = candidate(daytime_room, at(TUE, *start), at(TUE, *end), kind="association", booker=association)
    assert outcome(cand, "opening_hours") == expected


def test_opening_hours__booking_past_midnight_within_hours_that_cross_midnight__passes(daytime_room, association):
    # Friday 18:00 – Saturday 02:00.
    cand = candidate(daytime_room, at(FRI, 22), at(SAT, 2), kind="association", booker=association)
    assert outcome(cand, "opening_hours") == PASS
    # Only the after-midnight part, on Saturday's date.
    cand = candidate(daytime_room, at(SAT, 0), at(SAT, 1, 30), kind="association", booker=association)
    assert outcome(cand, "opening_hours") == PASS
    cand = candidate(daytime_room, at(FRI, 22), at(SAT, 2, 1), kind="association", booker=association)
    assert outcome(cand, "opening_hours") == FAIL


def test_opening_hours__booking_across_the_nightly_closing__fails(room, association):
    # The factory house is open 08:00–01:00 every day: closed from 01:00 to 08:00.
    cand = candidate(room, at(TUE, 23), at(TUE + dt.timedelta(days=1), 9), kind="association", booker=association)
    assert outcome(cand, "opening_hours") == FAIL


def test_opening_hours__touching_intervals_on_one_day_form_one(db, caps, association):
    house = HouseFactory(hours=False)
    OpeningHours.objects.create(house=house, weekday=1, opens=dt.time(9), closes=dt.time(13))
    OpeningHours.objects.create(house=house, weekday=1, opens=dt.time(13), closes=dt.time(17))
    room = room_in(house)
    assert outcome(candidate(room, at(TUE, 12), at(TUE, 14), kind="association", booker=association),
                   "opening_hours") == PASS


def test_opening_hours__gap_between_intervals_on_one_day__fails(db, caps, association):
    house = HouseFactory(hours=False)
    OpeningHours.objects.create(house=house, weekday=1, opens=dt.time(9), closes=dt.time(12))
    OpeningHours.objects.create(house=house, weekday=1, opens=dt.time(13), closes=dt.time(17))
    room = room_in(house)
    assert outcome(candidate(room, at(TUE, 9), at(TUE, 12), kind="association", booker=association),
                   "opening_hours") == PASS
    assert outcome(candidate(room, at(TUE, 11), at(TUE, 14), kind="association", booker=association),
                   "opening_hours") == FAIL


def test_opening_hours__house_without_hours_is_never_open(db, caps, association):
    room = room_in(HouseFactory(hours=False))
    assert outcome(candidate(room, at(TUE, 10), at(TUE, 12), kind="association", booker=association),
                   "opening_hours") == FAIL


def test_closure__house_wide_closure__blocks(room, resident):
    Closure.objects.create(house=room.house, start=at(SAT, 0), end=at(SUN, 12), reason="Carnaval")
    results = evaluate(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))
    closure = next(r for r in results if r.rule == "closure")
    assert closure.outcome == FAIL
    assert "Carnaval" in closure.message_nl
    assert "za 06-02-2027 00:00" in closure.message_nl
    with pytest.raises(RuleViolation) as info:
        raise_for_failures(results)
    assert info.value.code == "closure"


def test_closure__closure_of_this_room__blocks(room, resident):
    Closure.objects.create(house=room.house, room=room, start=at(SAT, 22), end=at(SAT, 22, 30), reason="Vloer")
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "closure") == FAIL


def test_closure__closure_of_another_room__does_not_block(room, resident):
    other = room_in(room.house)
    Closure.objects.create(house=room.house, room=other, start=at(SAT, 0), end=at(SUN, 12), reason="Vloer")
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "closure") == PASS


def test_closure__closure_of_another_house__does_not_block(room, resident):
    other = RoomFactory()
    Closure.objects.create(house=other.house, start=at(SAT, 0), end=at(SUN, 12), reason="Zomerstop")
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "closure") == PASS


def test_closure__touching_the_booking__does_not_block(room, resident):
    Closure.objects.create(house=room.house, start=at(SAT, 8), end=at(SAT, 20), reason="Schilderwerk")
    Closure.objects.create(house=room.house, start=at(SAT, 23), end=at(SUN, 8), reason="Schilderwerk")
    assert outcome(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident), "closure") == PASS


# --- slot (with buffers) --------------------------------------------------------------------------------------------


@pytest.fixture
def existing(room):
    """An approved party on Saturday 14:00–18:00; the room's 30-minute buffer keeps it busy until 18:30."""
    return BookingFactory.approved(room=room, start=at(SAT, 14), end=at(SAT, 18))


@pytest.mark.parametrize(("start", "end", "expected"), [
    ((18, 30), (22, 0), PASS),   # exactly at end + buffer
    ((18, 29), (22, 0), FAIL),   # inside the buffer
    ((18, 0), (22, 0), FAIL),    # right at the end, no room for cleaning
    ((15, 0), (17, 0), FAIL),    # inside
    ((10, 0), (20, 0), FAIL),    # around
    ((10, 0), (13, 30), PASS),   # its own buffer ends exactly when the other starts
    ((10, 0), (13, 31), FAIL),   # its own buffer runs into the other
], ids=["at_end_plus_buffer", "inside_buffer", "at_end", "inside", "around", "own_buffer_touches", "own_buffer_overlaps"])
def test_slot__against_an_active_booking_with_buffers(room, existing, association, start, end, expected):
    cand = candidate(room, at(SAT, *start), at(SAT, *end), kind="association", booker=association)
    assert outcome(cand, "slot") == expected


def test_slot__taken__raises_slot_taken_409(room, existing, resident):
    results = evaluate(candidate(room, at(SAT, 18, 29), at(SAT, 22), booker=resident))
    with pytest.raises(SlotTaken) as info:
        raise_for_failures(results)
    assert info.value.code == "slot_taken"
    assert info.value.http_status == 409
    assert "30 minuten" in info.value.detail


def test_slot__another_room_of_the_house_is_free(room, existing, association):
    other = room_in(room.house)
    assert outcome(candidate(other, at(SAT, 15), at(SAT, 17), kind="association", booker=association), "slot") == PASS


def test_slot__pending_request_holds_the_slot(room, association):
    BookingFactory.requested(room=room, start=at(SAT, 14), end=at(SAT, 18))
    assert outcome(candidate(room, at(SAT, 15), at(SAT, 17), kind="association", booker=association), "slot") == FAIL


@pytest.mark.parametrize("how", ["rejected", "cancelled", "expired"])
def test_slot__rejected_cancelled_or_expired_booking__does_not_block(room, association, frozen_now, how):
    booking = BookingFactory.requested(room=room, start=at(SAT, 14), end=at(SAT, 18))
    volunteer = UserFactory.volunteer(room.house)
    if how == "rejected":
        services.booking_reject(booking=booking, actor=volunteer, reason="Dubbel")
    elif how == "cancelled":
        services.booking_cancel(booking=booking, actor=booking.booker)
    else:
        frozen_now(NOW + dt.timedelta(days=8))
        services.booking_expire(booking=booking)
    assert outcome(candidate(room, at(SAT, 15), at(SAT, 17), kind="association", booker=association), "slot") == PASS


def test_slot__room_without_buffer__back_to_back_passes(db, caps, association):
    room = RoomFactory(buffer_minutes=0)
    BookingFactory.approved(room=room, start=at(SAT, 14), end=at(SAT, 18))
    assert outcome(candidate(room, at(SAT, 18), at(SAT, 20), kind="association", booker=association), "slot") == PASS
    assert outcome(candidate(room, at(SAT, 12), at(SAT, 14), kind="association", booker=association), "slot") == PASS
    assert outcome(candidate(room, at(SAT, 17, 59), at(SAT, 20), kind="association", booker=association),
                   "slot") == FAIL


# --- who may book what -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("postcode", "expected"), [
    ("6211 AA", PASS),
    ("6229 ZZ", PASS),
    ("6221AB", PASS),
    ("6210 ZZ", FAIL),
    ("6230 AA", FAIL),
    ("1012 AB", FAIL),
    ("", FAIL),
], ids=["6211", "6229", "no_space", "6210", "6230", "amsterdam", "none"])
def test_resident__postcode_in_municipality(room, postcode, expected):
    booker = UserFactory.resident(profile__postcode=postcode)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=booker))["resident"]
    assert result.outcome == expected
    if expected == FAIL:
        assert "6211-6229" in result.message_nl


def test_resident__not_declared_adult__fails(room):
    booker = UserFactory.resident(profile__adult_declared=False)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=booker))["resident"]
    assert result.outcome == FAIL
    assert "18" in result.message_nl
    with pytest.raises(RuleViolation) as info:
        services.booking_request(booker=booker, room=room, kind="party", start=at(SAT, 20), end=at(SAT, 23), guests=40)
    assert info.value.code == "resident"


@pytest.fixture
def wyck_room(db, caps):
    neighbourhood = NeighbourhoodFactory(name="Wyck", slug="wyck", pc4s=["6221"])
    NeighbourhoodFactory(name="Jekerkwartier", slug="jekerkwartier", pc4s=["6211"])
    house = HouseFactory(neighbourhood=neighbourhood, neighbourhood_residents_only=True, name="Huis van Wyck")
    return room_in(house)


def test_resident__neighbourhood_only_house__postcode_of_the_neighbourhood_passes(wyck_room):
    booker = UserFactory.resident(profile__postcode="6221 AB")
    assert outcome(candidate(wyck_room, at(SAT, 20), at(SAT, 23), booker=booker), "resident") == PASS


@pytest.mark.parametrize("postcode", ["6211 AA", "6222 AA"], ids=["other_neighbourhood", "unmapped"])
def test_resident__neighbourhood_only_house__other_postcode_fails(wyck_room, postcode):
    booker = UserFactory.resident(profile__postcode=postcode)
    result = by_rule(candidate(wyck_room, at(SAT, 20), at(SAT, 23), booker=booker))["resident"]
    assert result.outcome == FAIL
    assert result.message_nl == "Huis van Wyck verhuurt voor privé-bijeenkomsten alleen aan bewoners van Wyck."


def test_resident__neighbourhood_only_house__association_kind_not_limited(wyck_room, association):
    start = NOW + dt.timedelta(days=3)
    results = by_rule(candidate(wyck_room, start, start + dt.timedelta(hours=2), kind="association",
                                booker=association))
    assert "resident" not in results
    assert results["booker_role"].outcome == PASS


@pytest.mark.parametrize(("role", "kind", "expected"), [
    ("resident", "party", PASS),
    ("resident", "koffietafel", PASS),
    ("resident", "gathering", PASS),
    ("resident", "association", FAIL),
    ("resident", "community", FAIL),
    ("association", "association", PASS),
    ("association", "party", FAIL),
    ("association", "koffietafel", FAIL),
    ("association", "gathering", FAIL),
    ("association", "community", FAIL),
    ("municipality", "party", FAIL),
    ("municipality", "koffietafel", FAIL),
    ("municipality", "association", FAIL),
    ("municipality", "community", FAIL),
])
def test_booker_role__who_may_book_which_kind(room, role, kind, expected):
    booker = getattr(UserFactory, role)()
    assert outcome(candidate(room, at(SAT, 10), at(SAT, 13), kind=kind, booker=booker), "booker_role") == expected


def test_booker_role__association_booking_party__fails_with_code_booker_role(room, association):
    results = evaluate(candidate(room, at(SAT, 20), at(SAT, 23), booker=association))
    result = next(r for r in results if r.rule == "booker_role")
    assert result.outcome == FAIL
    assert "alleen voor bewoners" in result.message_nl
    assert "resident" not in {r.rule for r in results}
    with pytest.raises(RuleViolation) as info:
        raise_for_failures(results)
    assert info.value.code == "booker_role"


def test_booker_role__municipality_user_cannot_book(room):
    officer = UserFactory.municipality()
    with pytest.raises(RuleViolation) as info:
        services.booking_request(booker=officer, room=room, kind="party", start=at(SAT, 20), end=at(SAT, 23), guests=40)
    assert info.value.code == "booker_role"
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("kind", ["party", "koffietafel", "gathering", "association", "community"])
def test_booker_role__volunteer_of_the_house_may_book_every_kind(room, kind):
    volunteer = UserFactory.volunteer(room.house)
    assert outcome(candidate(room, at(SAT, 10), at(SAT, 13), kind=kind, booker=volunteer), "booker_role") == PASS


def test_booker_role__volunteer_of_another_house__fails(room):
    volunteer = UserFactory.volunteer(RoomFactory().house)
    assert outcome(candidate(room, at(SAT, 10), at(SAT, 13), kind="community", booker=volunteer), "booker_role") == FAIL


def test_resident__private_kind_booked_by_the_board__warns_to_check_the_renter(room):
    volunteer = UserFactory.volunteer(room.house)
    result = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=volunteer))["resident"]
    assert result.outcome == WARN


def test_booker_role__anonymous_quote__no_booker_rules(room):
    results = by_rule(candidate(room, at(SAT, 20), at(SAT, 23), booker=None))
    assert "booker_role" not in results
    assert "resident" not in results
    assert results["cap"].outcome == PASS


def test_room_private__room_closed_to_private_events__fails_private_kinds(db, caps, resident, association):
    room = RoomFactory(private_events_allowed=False)
    for kind in ("party", "koffietafel", "gathering"):
        cand = candidate(room, at(SAT, 10), at(SAT, 13), kind=kind, booker=resident)
        assert outcome(cand, "room_private") == FAIL
    results = evaluate(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))
    with pytest.raises(RuleViolation) as info:
        raise_for_failures(results)
    assert info.value.code == "room_private"
    assert "room_private" not in by_rule(candidate(room, at(SAT, 10), at(SAT, 13), kind="association",
                                                   booker=association))


# --- results as a whole ---------------------------------------------------------------------------------------------


def test_evaluate__party_by_resident__every_rule_passes_in_a_stable_order(room, resident):
    results = evaluate(candidate(room, at(SAT, 20), at(SUN, 1), booker=resident))
    assert [r.rule for r in results] == [
        "booker_role", "resident", "open_requests", "room_private", "min_notice", "max_advance", "private_end", "duration", "guests",
        "room_active", "opening_hours", "closure", "slot", "cap", "melding",
    ]
    assert {r.outcome for r in results} == {PASS}
    raise_for_failures(results)  # nothing to raise


def test_evaluate__koffietafel__has_window_and_no_melding(room, resident):
    rules = [r.rule for r in evaluate(candidate(room, at(SAT, 10), at(SAT, 13), kind="koffietafel", booker=resident))]
    assert "koffietafel_window" in rules
    assert "melding" not in rules


def test_evaluate__writes_nothing(room, resident):
    RuleSettings.current()
    before = (Booking.objects.count(), AuditEntry.objects.count(), RuleSettings.objects.count())
    evaluate(candidate(room, at(SAT, 20), at(SAT, 23), booker=resident))
    assert (Booking.objects.count(), AuditEntry.objects.count(), RuleSettings.objects.count()) == before


def test_raise_for_failures__plain_rules_come_before_slot_and_cap(room, existing, resident):
    override_cap(room.house, 1)
    # The existing party fills the cap, the time overlaps it, and there are too many guests.
    results = evaluate(candidate(room, at(SAT, 15), at(SAT, 17), guests=81, booker=resident))
    failed = [r.rule for r in results if r.outcome == FAIL]
    assert failed == ["guests", "slot", "cap"]
    with pytest.raises(RuleViolation) as info:
        raise_for_failures(results)
    assert info.value.code == "guests"
    assert info.value.http_status == 400
    assert info.value.detail == next(r for r in results if r.rule == "guests").message
    assert [r["rule"] for r in info.value.rules] == [r.rule for r in results]  # every result, passes included


def test_raise_for_failures__first_plain_failure_in_evaluation_order(room, resident):
    start = NOW + dt.timedelta(days=1)  # too soon, too many guests, too long
    results = evaluate(candidate(room, start, start + dt.timedelta(hours=13), guests=500, booker=resident))
    assert [r.rule for r in results if r.outcome == FAIL][:2] == ["min_notice", "duration"]
    with pytest.raises(RuleViolation) as info:
        raise_for_failures(results)
    assert info.value.code == "min_notice"


def test_raise_for_failures__slot_before_cap(room, existing, resident):
    override_cap(room.house, 1)
    results = evaluate(candidate(room, at(SAT, 15), at(SAT, 17), booker=resident))
    assert [r.rule for r in results if r.outcome == FAIL] == ["slot", "cap"]
    with pytest.raises(SlotTaken):
        raise_for_failures(results)


def test_raise_for_failures__cap_alone__cap_reached_409(room, existing, resident):
    override_cap(room.house, 1)
    results = evaluate(candidate(room, at(SAT, 19), at(SAT, 23), booker=resident))
    assert [r.rule for r in results if r.outcome == FAIL] == ["cap"]
    with pytest.raises(CapReached) as info:
        raise_for_failures(results)
    assert info.value.http_status == 409
    assert info.value.rules


def test_raise_for_failures__warnings_do_not_raise(room):
    volunteer = UserFactory.volunteer(room.house)
    results = evaluate(candidate(room, at(SAT, 20), at(SAT, 23), booker=volunteer))
    assert WARN in {r.outcome for r in results}
    raise_for_failures(results)


@pytest.fixture
def every_outcome(room, existing, resident, association):
    """Candidates that, together, make every rule pass, warn and fail where it can."""
    volunteer = UserFactory.volunteer(room.house)
    closed_room = room_in(room.house, private_events_allowed=False)
    Closure.objects.create(house=room.house, room=closed_room, start=at(TUE, 0), end=at(THU, 0), reason="Lekkage")
    override_cap(closed_room.house, 1)
    wyck_house = HouseFactory(neighbourhood=NeighbourhoodFactory(pc4s=["6221"]), neighbourhood_residents_only=True)
    CapRule.objects.create(kind="gathering", house=wyck_house, cap=1, reason="Rustige buurt")
    wyck = room_in(wyck_house)
    BookingFactory.requested(room=wyck, kind="gathering", start=at(SAT, 10), end=at(SAT, 12))
    cands = [
        candidate(room, at(SAT, 20), at(SUN, 1), booker=resident),
        candidate(room, at(TUE, 10), at(TUE, 13), kind="koffietafel", booker=resident),
        candidate(room, at(TUE, 8), at(TUE, 13), kind="koffietafel", booker=volunteer),
        candidate(closed_room, at(TUE, 13), at(TUE + dt.timedelta(days=1), 4), guests=500, booker=association,
                  requested_at=NOW + dt.timedelta(days=30)),
        candidate(room, at(SAT, 15), at(SAT, 15, 30), booker=UserFactory.resident(profile__postcode="6230 AA")),
        candidate(room, at(SAT, 20), at(SAT, 23), booker=UserFactory.resident(profile__adult_declared=False)),
        candidate(room, at(SAT, 10), at(SAT, 12), kind="community", booker=resident,
                  requested_at=NOW - dt.timedelta(days=400)),
        candidate(wyck, at(SAT, 14), at(SAT, 16), kind="gathering", booker=UserFactory.resident(profile__postcode="6211")),
        candidate(wyck, at(SAT, 14), at(SAT, 16), kind="gathering", booker=resident),
    ]
    CapRule.objects.filter(house=None, kind="koffietafel").delete()
    return [r for c in cands for r in evaluate(c)]


def test_messages__every_result_in_dutch_and_english(every_outcome):
    for result in every_outcome:
        assert result.message_nl.strip(), result
        assert result.message_en.strip(), result
        assert result.message_nl != result.message_en, result


def test_messages__cover_every_rule_and_outcome(every_outcome):
    seen = {(r.rule, r.outcome) for r in every_outcome}
    expected = {
        (rule, PASS) for rule in ("booker_role", "resident", "room_private", "min_notice", "max_advance", "private_end",
                                  "koffietafel_window", "duration", "guests", "opening_hours", "closure", "slot",
                                  "cap", "melding")
    } | {
        (rule, FAIL) for rule in ("booker_role", "resident", "room_private", "min_notice", "max_advance", "private_end",
                                  "koffietafel_window", "duration", "guests", "opening_hours", "closure", "slot", "cap")
    } | {("resident", WARN), ("cap", WARN)}
    assert expected <= seen, sorted(expected - seen)


def test_messages__follow_the_active_language(every_outcome):
    result = every_outcome[0]
    with translation.override("en"):
        assert result.message == result.message_en
        assert result.as_dict()["message"] == result.message_en
    with translation.override("nl"):
        assert result.message == result.message_nl
        data = result.as_dict()
    assert data == {"rule": result.rule, "outcome": result.outcome, "message": result.message_nl,
                    "message_nl": result.message_nl, "message_en": result.message_en}


# --- daylight saving time -------------------------------------------------------------------------------------------


def test_duration__across_autumn_dst_change__counts_real_time(room, resident, frozen_now):
    # Saturday 30 October 2027: at 03:00 the clocks go back to 02:00, so the night lasts an hour longer.
    start = local_dt(2027, 10, 30, 20)
    wall_11h30 = candidate(room, start, local_dt(2027, 10, 31, 7, 30), kind="gathering", booker=resident)
    assert outcome(wall_11h30, "duration") == FAIL  # 12 h 30 min in real time
    wall_11h = candidate(room, start, local_dt(2027, 10, 31, 7), kind="gathering", booker=resident)
    assert outcome(wall_11h, "duration") == PASS  # exactly 12 h in real time
    wall_11h01 = candidate(room, start, local_dt(2027, 10, 31, 7, 1), kind="gathering", booker=resident)
    assert outcome(wall_11h01, "duration") == FAIL  # 12 h 01 min in real time


def test_duration__across_spring_dst_change__counts_real_time(room, resident):
    # Sunday 28 March 2027: at 02:00 the clocks jump to 03:00, so the night lasts an hour less.
    start = local_dt(2027, 3, 27, 19)
    wall_12h30 = candidate(room, start, local_dt(2027, 3, 28, 7, 30), kind="gathering", booker=resident)
    assert outcome(wall_12h30, "duration") == PASS  # 11 h 30 min in real time
    wall_13h01 = candidate(room, start, local_dt(2027, 3, 28, 8, 1), kind="gathering", booker=resident)
    assert outcome(wall_13h01, "duration") == FAIL  # 12 h 01 min in real time


def test_rules__same_instants_in_utc_or_local_time__same_outcomes(room, resident, frozen_now):
    frozen_now(local_dt(2027, 10, 17, 20, 30))
    cands = [
        (local_dt(2027, 10, 30, 20), local_dt(2027, 10, 31, 7, 30)),  # across the DST change
        (local_dt(2027, 10, 31, 20), local_dt(2027, 11, 1, 0)),  # notice across the DST change
    ]
    for start, end in cands:
        in_local = evaluate(candidate(room, start, end, kind="gathering", booker=resident))
        in_utc = evaluate(candidate(room, start.astimezone(dt.UTC), end.astimezone(dt.UTC), kind="gathering",
                                    booker=resident, requested_at=clock.now().astimezone(dt.UTC)))
        assert [(r.rule, r.outcome) for r in in_local] == [(r.rule, r.outcome) for r in in_utc]


def test_private_end__on_the_autumn_dst_night__by_the_wall_clock(room, resident):
    # Saturday night 30/31 October 2027: still 01:00 on the wall clock.
    assert outcome(candidate(room, local_dt(2027, 10, 30, 20), local_dt(2027, 10, 31, 1), booker=resident),
                   "private_end") == PASS
    assert outcome(candidate(room, local_dt(2027, 10, 30, 20), local_dt(2027, 10, 31, 1, 1), booker=resident),
                   "private_end") == FAIL


@pytest.mark.parametrize("clock_time", [dt.time(2, 0), dt.time(2, 30), dt.time(2, 59)])
def test_make_local__spring_forward_gap__nonexistent_local_time(clock_time):
    with pytest.raises(InvalidLocalTime) as info:
        clock.make_local(dt.date(2027, 3, 28), clock_time)
    assert info.value.code == "nonexistent_local_time"
    assert info.value.http_status == 400
    assert isinstance(info.value, InvalidInput)
    assert "28-03-2027" in info.value.detail


@pytest.mark.parametrize("clock_time", [dt.time(2, 0), dt.time(2, 30), dt.time(2, 59)])
def test_make_local__autumn_back_overlap__ambiguous_local_time(clock_time):
    with pytest.raises(InvalidLocalTime) as info:
        clock.make_local(dt.date(2027, 10, 31), clock_time)
    assert info.value.code == "ambiguous_local_time"
    assert "31-10-2027" in info.value.detail


@pytest.mark.parametrize(("day", "clock_time", "offset_hours"), [
    (dt.date(2027, 3, 28), dt.time(1, 59), 1),
    (dt.date(2027, 3, 28), dt.time(3, 0), 2),
    (dt.date(2027, 10, 31), dt.time(1, 59), 2),
    (dt.date(2027, 10, 31), dt.time(3, 0), 1),
])
def test_make_local__times_around_the_dst_changes__exist_once(day, clock_time, offset_hours):
    moment = clock.make_local(day, clock_time)
    assert moment.utcoffset() == dt.timedelta(hours=offset_hours)
    assert clock.local(moment).time() == clock_time


def test_aware__naive_time_in_the_gap__rejected_and_aware_time_kept():
    with pytest.raises(InvalidLocalTime):
        clock.aware(dt.datetime(2027, 3, 28, 2, 30))
    moment = dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)
    assert clock.aware(moment) is moment
    assert clock.aware(dt.datetime(2027, 3, 28, 3, 30)) == dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC)


def test_booking_request__local_time_in_the_spring_gap__rejected_before_writing(room, association, frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))
    before = (Booking.objects.count(), AuditEntry.objects.count())
    with pytest.raises(InvalidLocalTime) as info:
        services.booking_request(booker=association, room=room, kind="association",
                                 start=clock.aware(dt.datetime(2027, 3, 28, 2, 30)),
                                 end=clock.aware(dt.datetime(2027, 3, 28, 4, 0)), guests=10)
    assert info.value.code == "nonexistent_local_time"
    assert (Booking.objects.count(), AuditEntry.objects.count()) == before

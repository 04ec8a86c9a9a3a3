"""Usage against caps (boeking.usage): what counts, which cap, the levels, filters, and a constant number of
queries however many houses there are."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import usage
from boeking.models import Booking, BookingStatus, CapRule, District, HouseType
from boeking.services import booking_cancel, booking_reject
from tests.factories import (
    BookingFactory,
    DistrictFactory,
    HouseFactory,
    LocationFactory,
    NeighbourhoodFactory,
    RoomFactory,
    UserFactory,
    local_dt,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def january(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    return frozen_now


def saturdays(first: dt.date, n: int):
    day = first + dt.timedelta(days=(5 - first.weekday()) % 7)
    return [day + dt.timedelta(weeks=k) for k in range(n)]


def parties(room, n: int, *, status: str = "approved", first=dt.date(2027, 2, 1), **kwargs) -> list[Booking]:
    volunteer = UserFactory.volunteer(room.house)
    made = []
    for day in saturdays(first, n):
        start, end = local_dt(day.year, day.month, day.day, 19), local_dt(day.year, day.month, day.day, 23)
        if status == "requested":
            made.append(BookingFactory.requested(room=room, start=start, end=end, **kwargs))
        elif status == "confirmed":
            made.append(BookingFactory.confirmed(room=room, approver=volunteer, start=start, end=end, **kwargs))
        else:
            made.append(BookingFactory.approved(room=room, approver=volunteer, start=start, end=end, **kwargs))
    return made


def row(rows, house, kind="party"):
    return next(r for r in rows if r.house == house.pk and r.kind == kind)


def test_usage__counts_approved_and_confirmed_pending_shown_not_counted(room):
    parties(room, 2)
    parties(room, 1, status="confirmed", first=dt.date(2027, 4, 1))
    pending = parties(room, 2, status="requested", first=dt.date(2027, 5, 1))
    booking_reject(booking=pending[1], actor=UserFactory.volunteer(room.house), reason="Dubbel")
    cancelled = parties(room, 1, first=dt.date(2027, 6, 1))[0]
    booking_cancel(booking=cancelled, actor=cancelled.booker)

    r = row(usage.usage(2027), room.house)
    assert (r.count, r.pending, r.cap, r.cap_source, r.percent, r.level) == (3, 1, 12, "default", 25, "ok")
    assert row(usage.usage(2028), room.house).count == 0


def test_usage__past_bookings_keep_counting(room, frozen_now):
    parties(room, 2)
    frozen_now(local_dt(2027, 11, 1, 9))
    assert row(usage.usage(2027), room.house).count == 2


def test_usage__house_override_wins_with_its_reason_and_levels_near_and_full(room):
    CapRule.objects.create(kind="party", house=room.house, cap=5, reason="horeca in de buurt")
    made = parties(room, 4)
    r = row(usage.usage(2027), room.house)
    assert (r.cap, r.cap_source, r.cap_reason, r.percent, r.level, r.remaining) == (
        5, "house", "horeca in de buurt", 80, "near", 1)
    parties(room, 1, first=made[-1].start.date() + dt.timedelta(days=7))
    r = row(usage.usage(2027), room.house)
    assert (r.percent, r.level, r.remaining) == (100, "full", 0)
    other = row(usage.usage(2027), room.house, "gathering")
    assert (other.cap, other.cap_source, other.cap_reason, other.level) == (12, "default", "", "ok")


def test_usage__kind_without_any_cap_rule_has_level_none(room):
    CapRule.objects.filter(kind="gathering").delete()
    r = row(usage.usage(2027), room.house, "gathering")
    assert (r.cap, r.cap_source, r.percent, r.level) == (None, "none", None, "none")


def test_usage__filters_by_district_and_house_type(caps):
    west = NeighbourhoodFactory(district=DistrictFactory(name="Maastricht-West", slug="maastricht-west"))
    in_west = HouseFactory(neighbourhood=west, house_type=HouseType.HUIS_VAN_DE_WIJK)
    elsewhere = HouseFactory()
    assert {r.house for r in usage.usage(2027)} == {in_west.pk, elsewhere.pk}
    assert {r.house for r in usage.usage(2027, district="maastricht-west")} == {in_west.pk}
    district_id = District.objects.get(slug="maastricht-west").pk
    assert {r.house for r in usage.usage(2027, district=district_id)} == {in_west.pk}
    assert {r.house for r in usage.usage(2027, house_type=HouseType.GEMEENSCHAPSHUIS)} == {elsewhere.pk}


def test_usage__number_of_queries_does_not_grow_with_houses(room, django_assert_num_queries):
    parties(room, 2)
    with django_assert_num_queries(3):
        small = usage.usage(2027)
    for _ in range(6):
        house = RoomFactory(location=LocationFactory(house=HouseFactory())).house
        CapRule.objects.create(kind="koffietafel", house=house, cap=3, reason="klein huis")
    with django_assert_num_queries(3):
        big = usage.usage([2026, 2027])
    assert len(small) == 3 and len(big) == 2 * 7 * 3


def test_monthly__counted_bookings_per_local_month(room):
    parties(room, 2, first=dt.date(2027, 3, 1))  # two Saturdays in March
    parties(room, 1, first=dt.date(2027, 10, 30))  # the last Saturday of October (after the clocks go back)
    parties(room, 1, status="requested", first=dt.date(2027, 5, 1))
    per_month = usage.monthly(2027)
    assert per_month["party"][2] == 2 and per_month["party"][9] == 1 and sum(per_month["party"]) == 3
    assert usage.monthly(2027, house_ids=[HouseFactory().pk])["party"] == [0] * 12


def test_totals__city_wide_per_kind_with_houses_near_and_full(room):
    CapRule.objects.create(kind="party", house=room.house, cap=2, reason="horeca in de buurt")
    parties(room, 2)
    HouseFactory()
    totals = {t.kind: t for t in usage.totals(usage.usage(2027))}
    assert (totals["party"].count, totals["party"].cap_total, totals["party"].full, totals["party"].houses) == (
        2, 2 + 12, 1, 2)
    assert totals["koffietafel"].count == 0 and totals["koffietafel"].cap_total == 48


def test_years_with_bookings__includes_current_year(room):
    assert usage.years_with_bookings() == [2027]
    Booking.objects.update(local_year=2025)
    assert usage.years_with_bookings() == [2027]  # no bookings, still the current year
    parties(room, 1)
    Booking.objects.update(local_year=2025, status=BookingStatus.CONFIRMED)
    assert usage.years_with_bookings() == [2025, 2027]


def test_to_csv__formula_like_text_is_neutralised():
    text = usage.to_csv([{"house": 1, "house_name": "=HYPERLINK(1)", "district": "x", "year": 2027, "kind": "party",
                          "count": 0, "cap": None}], usage.OPEN_DATA_FIELDS)
    assert text.splitlines()[1] == "1,'=HYPERLINK(1),x,2027,party,0,"


def test_usage_export__superscript_digit_as_district__no_error_no_rows(client, room):
    # "²".isdigit() is True but int("²") fails: a typed URL must not become a 500.
    response = client.get("/api/v1/usage/export.csv", {"district": "²"})
    assert response.status_code == 200
    assert response.content.decode().count("\n") == 1  # the header only

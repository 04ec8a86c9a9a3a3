"""What a booking costs (SPEC §5) and what cancelling it costs (SPEC §4): `boeking.pricing`.

The factory room: residents € 25/hour or € 60/dagdeel, associations € 15/hour, others € 40/hour, € 50 deposit.
"""

import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from boeking import clock, services
from boeking.models import Booking, BookingStatus, House, Room, Tariff, TariffTier, TariffUnit
from boeking.pricing import DAYPARTS, Price, cancellation_terms, euro, quote_price, round_cents, tier_for
from tests.factories import BookingFactory, HouseFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
TUE = dt.date(2027, 2, 9)
SAT = dt.date(2027, 2, 20)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.make_local(day, dt.time(hour, minute))


def codes(price: Price) -> list[str]:
    return [line["code"] for line in price.lines]


def line(price: Price, code: str) -> dict:
    return next(item for item in price.lines if item["code"] == code)


@pytest.fixture
def hourly_room(db):
    """Only an hourly resident tariff of € 25 and no deposit: the rental alone."""
    return RoomFactory(tariffs=[(TariffTier.PRIVATE, TariffUnit.HOUR, 2500)], deposit_cents=0)


# --- rental by the hour -------------------------------------------------------------------------------------------


def test_hourly__2h15_at_25_an_hour__costs_62_50(hourly_room):
    price = quote_price(room=hourly_room, kind="party", start=at(SAT, 20), end=at(SAT, 22, 15))
    rental = line(price, "rental_hours")
    assert rental["quantity"] == 2.5
    assert rental["unit_cents"] == 2500
    assert rental["amount_cents"] == 6250
    assert rental["label"] == "Huur 2,5 uur × € 25,00"
    assert rental["label_en"] == "Rent 2.5 h × € 25,00"
    assert price.rental_cents == 6250
    assert euro(price.total_cents) == "€ 62,50"


@pytest.mark.parametrize(("minutes", "cents"), [
    (1, 1250), (30, 1250), (31, 2500), (60, 2500), (61, 3750), (135, 6250), (150, 6250), (151, 7500), (12 * 60, 30000),
])
def test_hourly__billed_per_started_half_hour(hourly_room, minutes, cents):
    start = at(SAT, 19)
    price = quote_price(room=hourly_room, kind="party", start=start, end=start + dt.timedelta(minutes=minutes))
    assert price.rental_cents == cents


def test_hourly__odd_cent_half_hour__rounds_half_up(db):
    room = RoomFactory(tariffs=[(TariffTier.PRIVATE, TariffUnit.HOUR, 2525)], deposit_cents=0)
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 20, 30))
    assert price.rental_cents == 1263  # € 12,625 for half an hour


# --- rental by dagdeel --------------------------------------------------------------------------------------------


def test_dayparts__are_morning_afternoon_evening():
    assert [(nl, start, end) for nl, _en, start, end in DAYPARTS] == [
        ("ochtend", dt.time(9), dt.time(12)), ("middag", dt.time(13), dt.time(17)), ("avond", dt.time(18), dt.time(22))]


def test_daypart__0900_1200__one_dagdeel_of_60_beats_three_hours_of_75(room):
    price = quote_price(room=room, kind="party", start=at(SAT, 9), end=at(SAT, 12))
    assert codes(price) == ["rental_dayparts", "deposit"]
    rental = line(price, "rental_dayparts")
    assert (rental["quantity"], rental["unit_cents"], rental["amount_cents"]) == (1, 6000, 6000)
    assert rental["label"] == "Huur 1 dagdeel × € 60,00"
    assert rental["label_en"] == "Rent 1 daypart × € 60,00"
    assert price.rental_cents == 6000


@pytest.mark.parametrize(("start", "end", "parts"), [
    ((9, 0), (17, 0), 2),
    ((13, 0), (22, 0), 2),
    ((9, 0), (22, 0), 3),
    ((14, 0), (16, 15), 1),
    ((18, 0), (22, 0), 1),
], ids=["morning_afternoon", "afternoon_evening", "whole_day", "within_afternoon", "evening"])
def test_daypart__chosen_when_cheaper_and_covering(room, start, end, parts):
    price = quote_price(room=room, kind="party", start=at(SAT, *start), end=at(SAT, *end))
    rental = line(price, "rental_dayparts")
    assert rental["quantity"] == parts
    assert price.rental_cents == parts * 6000
    assert f"{parts} dagde{'el' if parts == 1 else 'len'}" in rental["label"]


def test_daypart__hourly_chosen_when_cheaper_within_a_daypart(room):
    price = quote_price(room=room, kind="party", start=at(SAT, 10), end=at(SAT, 11))
    assert codes(price) == ["rental_hours", "deposit"]
    assert price.rental_cents == 2500


@pytest.mark.parametrize(("start", "end", "cents"), [
    ((20, 0), (23, 30), 8750),
    ((8, 30), (12, 0), 8750),
    ((12, 0), (13, 0), 2500),
    ((17, 0), (18, 0), 2500),
    ((16, 0), (17, 30), 3750),
], ids=["evening_past_2200", "morning_before_0900", "between_morning_and_afternoon", "between_afternoon_and_evening",
        "past_the_afternoon"])
def test_daypart__not_applicable_outside_dayparts__hourly(room, start, end, cents):
    price = quote_price(room=room, kind="party", start=at(SAT, *start), end=at(SAT, *end))
    assert codes(price) == ["rental_hours", "deposit"]
    assert price.rental_cents == cents


def test_daypart__not_applicable_past_midnight(room):
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT + dt.timedelta(days=1), 1))
    assert codes(price) == ["rental_hours", "deposit"]
    assert price.rental_cents == 12500


def test_daypart__only_tariff__no_rental_line_outside_dayparts(db):
    room = RoomFactory(tariffs=[(TariffTier.PRIVATE, TariffUnit.DAYPART, 6000)], deposit_cents=0)
    assert quote_price(room=room, kind="party", start=at(SAT, 9), end=at(SAT, 12)).rental_cents == 6000
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 23))
    assert price.lines == []
    assert price.rental_cents == 0


# --- tiers --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "tier"), [
    ("party", "private"), ("koffietafel", "private"), ("gathering", "private"), ("association", "association"),
    ("community", "other"),
])
def test_tier__by_kind(kind, tier):
    assert tier_for(kind) == tier


def test_tier__association_pays_the_association_hourly_price(room):
    price = quote_price(room=room, kind="association", start=at(TUE, 9), end=at(TUE, 12))
    assert codes(price) == ["rental_hours"]  # no daypart tariff for associations: hourly, even in a daypart
    assert price.rental_cents == 4500
    assert line(price, "rental_hours")["unit_cents"] == 1500


def test_tier__community_the_house_own_activity_is_free(room):
    price = quote_price(room=room, kind="community", start=at(TUE, 19), end=at(TUE, 21))
    assert (price.rental_cents, price.deposit_cents, price.total_cents) == (0, 0, 0)
    assert codes(price) == ["own_activity"]


def test_tier__room_without_a_tariff_for_the_tier__no_rental(db):
    room = RoomFactory(tariffs=False)
    price = quote_price(room=room, kind="association", start=at(TUE, 19), end=at(TUE, 21))
    assert price.lines == []
    assert price.total_cents == 0


# --- discount, cleaning, deposit, totals -----------------------------------------------------------------------------


def test_discount__percentage_of_the_rental_as_its_own_line(db):
    house = HouseFactory(discount_percent=20)
    room = RoomFactory(location__house=house, tariffs=[(TariffTier.PRIVATE, TariffUnit.HOUR, 2500)], deposit_cents=0)
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 22, 15))
    assert codes(price) == ["rental_hours", "discount"]
    discount = line(price, "discount")
    assert discount["amount_cents"] == -1250
    assert discount["label"] == "Korting 20%"
    assert discount["label_en"] == "Discount 20%"
    assert price.rental_cents == 5000


def test_discount__half_a_cent__rounded_up(db):
    house = HouseFactory(discount_percent=15)
    room = RoomFactory(location__house=house, tariffs=[(TariffTier.PRIVATE, TariffUnit.HOUR, 2500)], deposit_cents=0)
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 22, 15))
    assert line(price, "discount")["amount_cents"] == -938  # 15 % of € 62,50 is € 9,375
    assert price.rental_cents == 5312


def test_discount__15_percent_of_41_25__is_6_19(db):
    """The example of issue 16: € 6,1875 to the nearest cent is € 6,19 (it used to be cut to € 6,18)."""
    house = HouseFactory(discount_percent=15)
    room = RoomFactory(location__house=house, tariffs=[(TariffTier.PRIVATE, TariffUnit.HOUR, 1650)], deposit_cents=0)
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 22, 30))  # 2,5 h × € 16,50
    assert line(price, "rental_hours")["amount_cents"] == 4125
    assert line(price, "discount")["amount_cents"] == -619
    assert price.rental_cents == 4125 - 619


@pytest.mark.parametrize(("amount", "cents"), [
    (Decimal("618.75"), 619), (Decimal("618.5"), 619), (Decimal("618.49"), 618), (Decimal("1262.5"), 1263),
    (Decimal("0.5"), 1), (Decimal("0.4999"), 0), (Decimal("-618.5"), -619), (Decimal("-0.5"), -1), (7, 7),
])
def test_round_cents__half_up_to_the_cent(amount, cents):
    assert round_cents(amount) == cents


def test_round_cents__refuses_a_float():
    with pytest.raises(TypeError):
        round_cents(618.75)


def test_discount__none_without_rental(db):
    house = HouseFactory(discount_percent=20)
    room = RoomFactory(location__house=house, tariffs=False)
    assert "discount" not in codes(quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 22)))


def test_cleaning_fee__own_line__part_of_the_rental__not_discounted(db):
    house = HouseFactory(discount_percent=20)
    room = RoomFactory(location__house=house, tariffs=[(TariffTier.PRIVATE, TariffUnit.HOUR, 2500)],
                       cleaning_fee_cents=1500, deposit_cents=5000)
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 22, 15))
    assert codes(price) == ["rental_hours", "discount", "cleaning", "deposit"]
    cleaning = line(price, "cleaning")
    assert (cleaning["amount_cents"], cleaning["label"], cleaning["label_en"]) == (1500, "Schoonmaakkosten",
                                                                                   "Cleaning fee")
    assert price.rental_cents == 6250 - 1250 + 1500
    assert price.deposit_cents == 5000
    assert price.total_cents == 6500 + 5000


def test_cleaning_fee__charged_to_associations_not_to_the_house_itself(db):
    room = RoomFactory(cleaning_fee_cents=1500)
    assert "cleaning" in codes(quote_price(room=room, kind="association", start=at(TUE, 19), end=at(TUE, 21)))
    assert "cleaning" not in codes(quote_price(room=room, kind="community", start=at(TUE, 19), end=at(TUE, 21)))


@pytest.mark.parametrize("kind", ["party", "koffietafel", "gathering"])
def test_deposit__for_private_kinds(room, kind):
    price = quote_price(room=room, kind=kind, start=at(SAT, 10), end=at(SAT, 12))
    deposit = line(price, "deposit")
    assert deposit["amount_cents"] == 5000
    assert deposit["label"] == "Borg (retour na afloop)"
    assert price.deposit_cents == 5000


@pytest.mark.parametrize("kind", ["association", "community"])
def test_deposit__not_for_association_or_community(room, kind):
    price = quote_price(room=room, kind=kind, start=at(TUE, 19), end=at(TUE, 21))
    assert "deposit" not in codes(price)
    assert price.deposit_cents == 0
    assert price.total_cents == price.rental_cents


def test_totals__rental_plus_deposit(room):
    price = quote_price(room=room, kind="party", start=at(SAT, 20), end=at(SAT, 23))
    assert (price.rental_cents, price.deposit_cents, price.total_cents) == (7500, 5000, 12500)
    assert price.as_dict() == {"lines": price.lines, "rental_cents": 7500, "deposit_cents": 5000,
                               "total_cents": 12500, "currency": "EUR"}
    assert sum(item["amount_cents"] for item in price.lines) == price.total_cents


def test_totals__lines_add_up_with_every_kind_of_line(db):
    house = HouseFactory(discount_percent=10)
    room = RoomFactory(location__house=house, cleaning_fee_cents=1250)
    price = quote_price(room=room, kind="gathering", start=at(SAT, 9), end=at(SAT, 17))
    assert codes(price) == ["rental_dayparts", "discount", "cleaning", "deposit"]
    assert sum(item["amount_cents"] for item in price.lines) == price.total_cents == 12000 - 1200 + 1250 + 5000


@pytest.mark.parametrize(("cents", "text"), [
    (0, "€ 0,00"), (5, "€ 0,05"), (99, "€ 0,99"), (100, "€ 1,00"), (6250, "€ 62,50"), (123450, "€ 1.234,50"),
    (100000000, "€ 1.000.000,00"), (-1250, "-€ 12,50"),
])
def test_euro__dutch_notation(cents, text):
    assert euro(cents) == text


# --- DST: real time ---------------------------------------------------------------------------------------------------


def test_hourly__night_of_the_autumn_dst_change__billed_in_real_time(room):
    # Saturday 30 October 2027, 22:00 – Sunday 04:00 on the wall clock: 7 real hours (02:00–03:00 happens twice).
    start, end = local_dt(2027, 10, 30, 22), local_dt(2027, 10, 31, 4)
    price = quote_price(room=room, kind="association", start=start, end=end)
    assert line(price, "rental_hours")["quantity"] == 7
    assert price.rental_cents == 7 * 1500


def test_hourly__night_of_the_spring_dst_change__billed_in_real_time(room):
    # Saturday 27 March 2027, 22:00 – Sunday 04:00 on the wall clock: 5 real hours (02:00–03:00 is skipped).
    start, end = local_dt(2027, 3, 27, 22), local_dt(2027, 3, 28, 4)
    price = quote_price(room=room, kind="association", start=start, end=end)
    assert price.rental_cents == 5 * 1500


def test_price__same_instants_in_utc_or_local_time__same_price(room):
    start, end = local_dt(2027, 10, 30, 22), local_dt(2027, 10, 31, 4)
    in_local = quote_price(room=room, kind="association", start=start, end=end)
    in_utc = quote_price(room=room, kind="association", start=start.astimezone(dt.UTC), end=end.astimezone(dt.UTC))
    assert in_local.as_dict() == in_utc.as_dict()


def test_daypart__on_the_dst_sunday__by_the_wall_clock(room):
    price = quote_price(room=room, kind="party", start=local_dt(2027, 10, 31, 9), end=local_dt(2027, 10, 31, 12))
    assert line(price, "rental_dayparts")["quantity"] == 1


# --- through the services -------------------------------------------------------------------------------------------


def test_booking_quote__price_and_rules__writes_nothing(room, frozen_now):
    resident = UserFactory.resident()
    quote = services.booking_quote(booker=resident, room=room, kind="party", start=at(SAT, 9), end=at(SAT, 12),
                                   guests=30)
    assert quote.ok
    assert quote.price.as_dict() == quote_price(room=room, kind="party", start=at(SAT, 9), end=at(SAT, 12)).as_dict()
    assert quote.price.total_cents == 11000
    assert Booking.objects.count() == 0


def test_booking_request__stores_the_price_snapshot(room, frozen_now):
    booking = BookingFactory.requested(room=room, start=at(SAT, 9), end=at(SAT, 12))
    booking.refresh_from_db()
    assert booking.price_lines == quote_price(room=room, kind="party", start=at(SAT, 9), end=at(SAT, 12)).lines
    assert (booking.rental_cents, booking.deposit_cents, booking.total_cents) == (6000, 5000, 11000)


# --- cancellation terms ---------------------------------------------------------------------------------------------


@pytest.fixture
def confirmed_party(room, frozen_now):
    """A paid party on Saturday 20 February 2027, 20:00–23:00: € 75 rental + € 50 deposit."""
    booking = BookingFactory.confirmed(room=room, start=at(SAT, 20), end=at(SAT, 23))
    assert (booking.rental_cents, booking.deposit_cents, booking.paid_cents) == (7500, 5000, 12500)
    return booking


def test_cancellation__exactly_14_days_before__free(confirmed_party):
    moment = confirmed_party.start - dt.timedelta(days=14)
    terms = cancellation_terms(confirmed_party, at=moment, by_volunteer=False, free_days=14)
    assert terms.free
    assert (terms.fee_cents, terms.refund_cents) == (0, 12500)
    assert terms.free_until == moment


def test_cancellation__earlier__free(confirmed_party):
    terms = cancellation_terms(confirmed_party, at=confirmed_party.start - dt.timedelta(days=30), by_volunteer=False,
                               free_days=14)
    assert terms.free
    assert terms.refund_cents == 12500


def test_cancellation__one_minute_after_the_free_period__rental_due_deposit_refunded(confirmed_party):
    moment = confirmed_party.start - dt.timedelta(days=14) + MINUTE
    terms = cancellation_terms(confirmed_party, at=moment, by_volunteer=False, free_days=14)
    assert not terms.free
    assert terms.fee_cents == confirmed_party.rental_cents == 7500
    assert terms.refund_cents == confirmed_party.deposit_cents == 5000


def test_cancellation__late_and_unpaid__fee_due_nothing_to_refund(room, frozen_now):
    booking = BookingFactory.approved(room=room, start=at(SAT, 20), end=at(SAT, 23))
    terms = cancellation_terms(booking, at=booking.start - dt.timedelta(days=1), by_volunteer=False, free_days=14)
    assert (terms.free, terms.fee_cents, terms.refund_cents) == (False, 7500, 0)


def test_cancellation__by_volunteer__always_free_with_full_refund(confirmed_party):
    terms = cancellation_terms(confirmed_party, at=confirmed_party.start - dt.timedelta(hours=1), by_volunteer=True,
                               free_days=14)
    assert terms.free
    assert (terms.fee_cents, terms.refund_cents) == (0, 12500)


def test_cancellation__request_not_yet_approved__free(room, frozen_now):
    booking = BookingFactory.requested(room=room, start=at(SAT, 20), end=at(SAT, 23))
    assert booking.status == BookingStatus.REQUESTED
    terms = cancellation_terms(booking, at=booking.start - dt.timedelta(days=1), by_volunteer=False, free_days=14)
    assert (terms.free, terms.fee_cents, terms.refund_cents) == (True, 0, 0)


def test_cancellation__uses_the_configured_number_of_days(confirmed_party):
    moment = confirmed_party.start - dt.timedelta(days=10)
    assert cancellation_terms(confirmed_party, at=moment, by_volunteer=False, free_days=10).free
    assert not cancellation_terms(confirmed_party, at=moment, by_volunteer=False, free_days=14).free


@pytest.fixture
def confirmed_koffietafel(room, frozen_now):
    """A paid koffietafel on Tuesday 9 February 2027, 10:00–13:00: € 75 rental + € 50 deposit."""
    return BookingFactory.confirmed(room=room, kind="koffietafel", start=at(TUE, 10), end=at(TUE, 13))


@pytest.mark.parametrize("before", [dt.timedelta(days=13), dt.timedelta(hours=1), MINUTE, dt.timedelta(0)],
                         ids=["13_days", "1_hour", "1_minute", "at_start"])
def test_cancellation__koffietafel__free_until_the_start(confirmed_koffietafel, before):
    terms = cancellation_terms(confirmed_koffietafel, at=confirmed_koffietafel.start - before, by_volunteer=False,
                               free_days=14)
    assert terms.free
    assert terms.free_until == confirmed_koffietafel.start
    assert terms.refund_cents == confirmed_koffietafel.paid_cents


def test_cancellation__koffietafel_after_the_start__rental_due(confirmed_koffietafel):
    terms = cancellation_terms(confirmed_koffietafel, at=confirmed_koffietafel.start + MINUTE, by_volunteer=False,
                               free_days=14)
    assert not terms.free
    assert terms.fee_cents == confirmed_koffietafel.rental_cents


def test_cancellation__free_until_does_not_depend_on_how_the_start_is_written(confirmed_party):
    # 14 days before a start just after the spring DST change: the same instant either way.
    confirmed_party.start = local_dt(2027, 4, 3, 20)
    in_local = cancellation_terms(confirmed_party, at=local_dt(2027, 3, 1), by_volunteer=False, free_days=14)
    confirmed_party.start = confirmed_party.start.astimezone(dt.UTC)
    in_utc = cancellation_terms(confirmed_party, at=local_dt(2027, 3, 1), by_volunteer=False, free_days=14)
    assert in_local.free_until == in_utc.free_until


def test_cancellation__free_period_is_14_times_24_hours_also_across_the_dst_change(confirmed_party):
    # Start Saturday 3 April 2027, 20:00 summer time; 14 × 24 h earlier is Saturday 20 March, 19:00 winter time.
    confirmed_party.start = local_dt(2027, 4, 3, 20)
    terms = cancellation_terms(confirmed_party, at=local_dt(2027, 3, 1), by_volunteer=False, free_days=14)
    assert terms.free_until == local_dt(2027, 3, 20, 19)


# --- properties (Hypothesis): lines add up, one rounding rule ---------------------------------------------------------

KINDS = ["party", "koffietafel", "gathering", "association", "community"]


def half_up(exact: Fraction) -> int:
    """The stated rule, written independently of `round_cents`: the nearest cent, a half cent upwards (amounts ≥ 0)."""
    return math.floor(exact + Fraction(1, 2))


@st.composite
def quotes(draw):
    tier = draw(st.sampled_from([TariffTier.PRIVATE, TariffTier.ASSOCIATION, TariffTier.OTHER]))
    tariffs = [Tariff(tier=tier, unit=unit, amount_cents=draw(st.integers(0, 100_000)))
               for unit in draw(st.sets(st.sampled_from([TariffUnit.HOUR, TariffUnit.DAYPART])))]
    house = House(discount_percent=draw(st.integers(0, 100)))
    room = Room(cleaning_fee_cents=draw(st.integers(0, 50_000)), deposit_cents=draw(st.integers(0, 100_000)))
    day = draw(st.dates(dt.date(2027, 1, 1), dt.date(2028, 12, 31)))
    start = clock.make_local(day, dt.time(draw(st.integers(8, 20)), draw(st.sampled_from([0, 15, 30, 45]))))
    end = start + dt.timedelta(minutes=draw(st.integers(1, 12 * 60)))
    return dict(room=room, house=house, tariffs=tariffs, kind=draw(st.sampled_from(KINDS)), start=start, end=end)


@given(quotes())
@settings(max_examples=300, deadline=None)
def test_property__the_total_is_the_sum_of_the_lines_and_every_line_whole_cents(case):
    price = quote_price(**case)
    amounts = [item["amount_cents"] for item in price.lines]
    assert all(isinstance(a, int) for a in amounts)
    assert sum(amounts) == price.total_cents == price.rental_cents + price.deposit_cents
    assert price.deposit_cents == sum(item["amount_cents"] for item in price.lines if item["code"] == "deposit")
    assert price.rental_cents >= 0


@given(quotes())
@settings(max_examples=300, deadline=None)
def test_property__rounding_follows_the_rule__half_up_to_the_cent(case):
    price = quote_price(**case)
    by_code = {item["code"]: item for item in price.lines}
    if "rental_hours" in by_code:
        rental = by_code["rental_hours"]
        half_hours = math.ceil(int((case["end"] - case["start"]).total_seconds() // 60) / 30)
        assert rental["amount_cents"] == half_up(Fraction(half_hours * rental["unit_cents"], 2))
    if "discount" in by_code:
        rent = next(item["amount_cents"] for item in price.lines if item["code"].startswith("rental_"))
        exact = Fraction(rent * case["house"].discount_percent, 100)
        assert by_code["discount"]["amount_cents"] == -half_up(exact)
        assert abs(-by_code["discount"]["amount_cents"] - exact) <= Fraction(1, 2)


@given(st.integers(-10**12, 10**12), st.integers(1, 1000))
def test_property__round_cents_is_the_nearest_cent_ties_away_from_zero(numerator, denominator):
    exact = Fraction(numerator, denominator)
    cents = round_cents(Decimal(numerator) / Decimal(denominator))
    assert abs(cents - exact) <= Fraction(1, 2)
    if abs(cents - exact) == Fraction(1, 2):
        assert abs(cents) > abs(exact)  # a tie goes away from zero: up for amounts, down for discounts


@given(paid=st.integers(0, 10**7), refunded=st.integers(0, 10**7), rental=st.integers(0, 10**7),
       late=st.booleans(), by_volunteer=st.booleans())
def test_property__a_cancellation_never_refunds_more_than_is_held(paid, refunded, rental, late, by_volunteer):
    start = local_dt(2027, 6, 5, 19)
    booking = Booking(kind="party", status=BookingStatus.CONFIRMED, start=start, end=start + dt.timedelta(hours=3),
                      paid_cents=paid, refunded_cents=refunded, rental_cents=rental)
    at = start - dt.timedelta(days=2 if late else 30)
    terms = cancellation_terms(booking, at=at, by_volunteer=by_volunteer, free_days=14)
    assert 0 <= terms.refund_cents <= max(paid - refunded, 0)
    assert terms.refund_cents == max(paid - refunded - terms.fee_cents, 0)

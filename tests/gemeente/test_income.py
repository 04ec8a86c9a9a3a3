"""Own income per house (boeking.income): the ledger's sums per month and kind group, by the Amsterdam date of each
line; the API; who may ask."""

from __future__ import annotations

import pytest

from boeking import income
from boeking.models import Booking, BookingStatus, LedgerKind, PaymentEntry
from tests.factories import HouseFactory, LocationFactory, RoomFactory, UserFactory, local_dt
from tests.gemeente.test_occupancy import make_booking

pytestmark = pytest.mark.django_db

SIGN = {LedgerKind.CHARGE: 1, LedgerKind.REFUND: -1, LedgerKind.DEPOSIT_REFUND: -1, LedgerKind.DISPUTE: -1,
        LedgerKind.DISPUTE_REINSTATED: 1, LedgerKind.DEPOSIT_RETAINED: 0, LedgerKind.FAILURE: 0}


def line(booking: Booking, kind: str, cents: int, at) -> PaymentEntry:
    return PaymentEntry.objects.create(booking=booking, kind=kind, method="offline", amount_cents=cents, at=at)


@pytest.fixture
def ledger(db):
    room = RoomFactory()
    other_room = RoomFactory(location=LocationFactory(house=HouseFactory()))
    party = make_booking(room, "party", local_dt(2026, 5, 2, 19), local_dt(2026, 5, 2, 23), BookingStatus.CONFIRMED)
    club = make_booking(room, "association", local_dt(2026, 5, 5, 19), local_dt(2026, 5, 5, 21))
    own = make_booking(room, "community", local_dt(2026, 6, 5, 19), local_dt(2026, 6, 5, 21))
    elsewhere = make_booking(other_room, "koffietafel", local_dt(2026, 7, 1, 10), local_dt(2026, 7, 1, 12))
    line(party, LedgerKind.CHARGE, 15000, local_dt(2026, 4, 20, 10))
    line(party, LedgerKind.DEPOSIT_RETAINED, 2000, local_dt(2026, 5, 4, 10))
    line(party, LedgerKind.DEPOSIT_REFUND, 3000, local_dt(2026, 5, 4, 10))
    line(party, LedgerKind.DISPUTE, 1000, local_dt(2026, 6, 1, 0, 30))  # 1 June here, still 31 May in UTC
    line(party, LedgerKind.DISPUTE_REINSTATED, 1000, local_dt(2026, 6, 10, 10))
    line(club, LedgerKind.CHARGE, 3000, local_dt(2026, 5, 5, 18))
    line(club, LedgerKind.REFUND, 500, local_dt(2026, 5, 6, 9))
    line(club, LedgerKind.FAILURE, 3000, local_dt(2026, 5, 4, 9))
    line(own, LedgerKind.CHARGE, 700, local_dt(2026, 1, 1, 0, 30))  # 31 December 2025 in UTC, 2026 here
    line(own, LedgerKind.CHARGE, 999, local_dt(2025, 12, 31, 23, 30))  # 2025 here
    line(elsewhere, LedgerKind.CHARGE, 4200, local_dt(2026, 6, 30, 12))
    return room.house, other_room.house


def test_income__equals_the_ledgers_sum_per_house_month_and_group(ledger):
    house, other = ledger
    report = income.income(2026, houses=[house, other])
    mine = next(h for h in report.houses if h.house == house.pk)
    lines = PaymentEntry.objects.filter(booking__house=house).exclude(at__lt=local_dt(2026, 1, 1))
    assert mine.total().net_cents == sum(SIGN[e.kind] * e.amount_cents for e in lines) == 15000 - 3000 - 1000 + 1000 \
        + 3000 - 500 + 700
    assert mine.total().deposit_retained_cents == 2000
    assert mine.total(group="private").as_dict() == {"received_cents": 15000, "refunded_cents": 3000,
                                                     "deposit_retained_cents": 2000, "net_cents": 12000}
    assert mine.total(group="association").net_cents == 2500 and mine.total(group="other").net_cents == 700
    assert mine.total(month=4).received_cents == 15000
    assert mine.total(month=5).refunded_cents == 3000 + 500
    assert mine.total(month=6).refunded_cents == 1000 - 1000
    assert mine.total(month=1).received_cents == 700
    assert report.city().net_cents == mine.total().net_cents + 4200
    assert sum(m.net_cents for m in report.per_month()) == report.city().net_cents


def test_income_api__municipality_all_volunteer_own_resident_refused(client, ledger):
    house, other = ledger
    client.force_login(UserFactory.municipality())
    body = client.get("/api/v1/income/", {"year": 2026}).json()
    mine = next(h for h in body["results"] if h["house"] == house.pk)
    assert (mine["net_cents"], mine["groups"]["private"]["net_cents"]) == (15200, 12000)
    assert {"month": 4, "group": "private", "received_cents": 15000, "refunded_cents": 0,
            "deposit_retained_cents": 0, "net_cents": 15000} in mine["months"]
    assert body["city"]["net_cents"] == 15200 + 4200
    client.force_login(UserFactory.volunteer(other))
    assert [h["house"] for h in client.get("/api/v1/income/", {"year": 2026}).json()["results"]] == [other.pk]
    client.force_login(UserFactory.resident())
    assert client.get("/api/v1/income/").status_code == 403

"""A house's own income from the payments ledger (`PaymentEntry`), for the operating-subsidy conversation.
Aggregates only: amounts per house, month and kind group; never a booking, a name or a reason.

Per ledger line, by the Europe/Amsterdam date of `at` and the kind of its booking:

- `received_cents`: payments received (`charge`);
- `refunded_cents`: refunds and returned deposits (`refund`, `deposit_refund`) plus what a payer's bank took back
  (`dispute`) minus disputes won (`dispute_reinstated`);
- `deposit_retained_cents`: deposits kept (`deposit_retained`: money already received, so it is inside net; listed
  apart because it is not rent);
- `net_cents` = received − refunded. A deposit still held counts in net until it is returned.

Kind groups: `private` (para-commercial: party, koffietafel, gathering), `association`, `other` (the house's own
activities and anything else). Association income invoiced through `boeking.invoicing` is reported next to it as
`invoiced_cents` per house and year (it is not in the ledger). Failed payments (`failure`) move no money.

`income(year, houses=...)` answers in three queries whatever the number of houses (houses, one GROUP BY over the
ledger, invoices).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, Sum
from django.db.models.functions import ExtractMonth

from .clock import TZ, local_midnight
from .models import LedgerKind, PaymentEntry, kind_group

GROUPS = ("private", "association", "other")


def group_of(kind: str) -> str:
    """`models.kind_group`, its third group named "other" as the income tables call it."""
    group = kind_group(kind)
    return "other" if group == "community" else group


@dataclass
class Money:
    received_cents: int = 0
    refunded_cents: int = 0
    deposit_retained_cents: int = 0

    @property
    def net_cents(self) -> int:
        return self.received_cents - self.refunded_cents

    def add(self, other: Money) -> None:
        self.received_cents += other.received_cents
        self.refunded_cents += other.refunded_cents
        self.deposit_retained_cents += other.deposit_retained_cents

    def as_dict(self) -> dict:
        return {"received_cents": self.received_cents, "refunded_cents": self.refunded_cents,
                "deposit_retained_cents": self.deposit_retained_cents, "net_cents": self.net_cents}


@dataclass
class HouseIncome:
    house: int
    house_name: str
    district: str
    cells: dict[tuple[int, str], Money] = field(default_factory=dict)  # (month 1-12, group) → Money
    invoiced_cents: int = 0

    def total(self, *, month: int | None = None, group: str | None = None) -> Money:
        money = Money()
        for (m, g), cell in self.cells.items():
            if (month is None or m == month) and (group is None or g == group):
                money.add(cell)
        return money


@dataclass
class Income:
    year: int
    houses: list[HouseIncome]

    def city(self) -> Money:
        money = Money()
        for house in self.houses:
            money.add(house.total())
        return money

    def per_month(self) -> list[Money]:
        """The city's net per month (index 0 = January)."""
        months = [Money() for _ in range(12)]
        for house in self.houses:
            for (m, _g), cell in house.cells.items():
                months[m - 1].add(cell)
        return months


def income(year: int, *, houses: Iterable | None = None) -> Income:
    """Own income of each house in `houses` (default: `usage.houses_for()`, in its order) in calendar `year`."""
    from .usage import houses_for

    house_list = list(houses if houses is not None else houses_for())
    ids = [h.pk for h in house_list]
    start, end = local_midnight(dt.date(year, 1, 1)), local_midnight(dt.date(year + 1, 1, 1))
    rows = (PaymentEntry.objects.filter(at__gte=start, at__lt=end, booking__house_id__in=ids)
            .annotate(month=ExtractMonth("at", tzinfo=TZ))
            .values("booking__house_id", "booking__kind", "month")
            .annotate(received=Sum("amount_cents", filter=Q(kind=LedgerKind.CHARGE)),
                      refunded=Sum("amount_cents", filter=Q(kind__in=[LedgerKind.REFUND, LedgerKind.DEPOSIT_REFUND,
                                                                      LedgerKind.DISPUTE])),
                      reinstated=Sum("amount_cents", filter=Q(kind=LedgerKind.DISPUTE_REINSTATED)),
                      retained=Sum("amount_cents", filter=Q(kind=LedgerKind.DEPOSIT_RETAINED)))
            .order_by())
    by_house = {h.pk: HouseIncome(house=h.pk, house_name=h.name, district=h.neighbourhood.district.name)
                for h in house_list}
    for row in rows:
        house = by_house[row["booking__house_id"]]
        key = (row["month"], group_of(row["booking__kind"]))
        cell = house.cells.setdefault(key, Money())
        cell.add(Money(received_cents=row["received"] or 0,
                       refunded_cents=(row["refunded"] or 0) - (row["reinstated"] or 0),
                       deposit_retained_cents=row["retained"] or 0))
    try:
        from .invoicing.services import invoiced_income_per_house
    except ImportError:  # pragma: no cover - invoicing is part of the product; kept optional for a slim install
        invoiced = {}
    else:
        invoiced = invoiced_income_per_house(year)
    for house in by_house.values():
        house.invoiced_cents = invoiced.get(house.house, 0)
    return Income(year=year, houses=[by_house[h.pk] for h in house_list])


def house_dict(house: HouseIncome) -> dict:
    """The API's shape of one house: the year, per group, per month × group (months without money left out)."""
    return {"house": house.house, "house_name": house.house_name, "district": house.district,
            **house.total().as_dict(), "invoiced_cents": house.invoiced_cents,
            "groups": {g: house.total(group=g).as_dict() for g in GROUPS},
            "months": [{"month": m, "group": g, **cell.as_dict()} for (m, g), cell in sorted(house.cells.items())]}

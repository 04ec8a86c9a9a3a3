"""Prices as a snapshot of line items, in integer euro cents. The one place that knows what a booking costs.

Rental is billed per started half hour at the hourly tariff, or per dagdeel (daypart) when the room has a
daypart tariff and the booking lies within the dayparts it touches; the cheaper of the two applies.
Tier by kind: private events (party, koffietafel, gathering) < association < other (community).
The house's discount applies to the rental. The deposit (borg) applies to private events only.

Rounding — one rule for all money: an amount that is not a whole number of cents (half an hour at an odd-cent hourly
tariff, a percentage discount) is rounded **half up to the cent** (half a cent and more goes up, less goes down), as on
Dutch invoices; `round_cents` is the only place that rounds. A discount is rounded as the positive amount it is, then
subtracted: 15 % of € 41,25 (€ 6,1875) is −€ 6,19, 15 % of € 62,50 (€ 9,375) is −€ 9,38. Every line is a whole number of
cents before lines are added, so the total is exactly the sum of the lines.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .clock import UTC, elapsed, local, make_local
from .models import PRIVATE_KINDS, Booking, BookingKind, BookingStatus, House, Room, Tariff, TariffTier, TariffUnit

# Dagdelen (SPEC §3): ochtend 09–12, middag 13–17, avond 18–22.
DAYPARTS: list[tuple[str, str, dt.time, dt.time]] = [
    ("ochtend", "morning", dt.time(9), dt.time(12)),
    ("middag", "afternoon", dt.time(13), dt.time(17)),
    ("avond", "evening", dt.time(18), dt.time(22)),
]


def tier_for(kind: str) -> str:
    if kind in PRIVATE_KINDS:
        return TariffTier.PRIVATE
    if kind == BookingKind.ASSOCIATION:
        return TariffTier.ASSOCIATION
    return TariffTier.OTHER


def round_cents(amount: Decimal | int) -> int:
    """`amount` (in cents, possibly with a fraction) as whole cents, half up: 618.75 → 619, 1262.5 → 1263,
    618.49 → 618. Negative amounts round away from zero likewise (−0.5 → −1). The one rounding rule for money.
    A float is refused: it cannot hold most cent fractions exactly."""
    if isinstance(amount, float):
        raise TypeError("round_cents takes a Decimal or an int, never a float")
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percentage_of(cents: int, percent: int) -> int:
    """`percent` % of `cents`, rounded by `round_cents` (exact: no float on the way)."""
    return round_cents(Decimal(cents) * percent / 100)


def euro(cents: int) -> str:
    """`€ 1.234,50`, as written in the Netherlands."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}€ {whole:,}".replace(",", ".") + f",{rest:02d}"


@dataclass
class Price:
    lines: list[dict[str, Any]] = field(default_factory=list)
    rental_cents: int = 0
    deposit_cents: int = 0

    @property
    def total_cents(self) -> int:
        return self.rental_cents + self.deposit_cents

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "rental_cents": self.rental_cents,
            "deposit_cents": self.deposit_cents,
            "total_cents": self.total_cents,
            "currency": "EUR",
        }


def _line(code: str, label_nl: str, label_en: str, amount: int, quantity: float = 1, unit: int | None = None):
    return {
        "code": code,
        "label": label_nl,
        "label_en": label_en,
        "quantity": quantity,
        "unit_cents": amount if unit is None else unit,
        "amount_cents": amount,
    }


def _dayparts_covering(start: dt.datetime, end: dt.datetime) -> int | None:
    """How many consecutive dayparts a booking needs, or None when dayparts cannot cover it."""
    loc_start, loc_end = local(start), local(end)
    if loc_start.date() != loc_end.date() and not (loc_end.time() == dt.time(0) and
                                                   loc_end.date() == loc_start.date() + dt.timedelta(days=1)):
        return None
    day = loc_start.date()
    touched = []
    for index, (_nl, _en, part_start, part_end) in enumerate(DAYPARTS):
        ps, pe = make_local(day, part_start), make_local(day, part_end)
        if ps < end and pe > start:
            touched.append((index, ps, pe))
    if not touched:
        return None
    if start < touched[0][1] or end > touched[-1][2]:
        return None
    return len(touched)


def quote_price(*, room: Room, kind: str, start: dt.datetime, end: dt.datetime, house: House | None = None,
                tariffs: list[Tariff] | None = None) -> Price:
    """The price snapshot of a booking. The house's own activities (`community`, booked only by its board) are
    free: the house does not pay itself, and a price would leave them waiting for a payment no one makes."""
    if kind == BookingKind.COMMUNITY:
        return Price(lines=[_line("own_activity", "Activiteit van het huis: geen huur",
                                  "The house's own activity: no rent", 0)])
    house = house or room.house
    tier = tier_for(kind)
    tariffs = tariffs if tariffs is not None else list(room.tariffs.all())
    by_unit = {t.unit: t.amount_cents for t in tariffs if t.tier == tier}
    price = Price()
    options: list[dict[str, Any]] = []
    minutes = int(elapsed(start, end).total_seconds() // 60)
    if TariffUnit.HOUR in by_unit:
        half_hours = math.ceil(minutes / 30)
        hourly = by_unit[TariffUnit.HOUR]
        amount = round_cents(Decimal(half_hours * hourly) / 2)
        hours = half_hours / 2
        hours_text = f"{hours:g}".replace(".", ",")
        options.append(_line("rental_hours", f"Huur {hours_text} uur × {euro(hourly)}",
                             f"Rent {hours:g} h × {euro(hourly)}", amount, hours, hourly))
    if TariffUnit.DAYPART in by_unit:
        parts = _dayparts_covering(start, end)
        if parts:
            rate = by_unit[TariffUnit.DAYPART]
            options.append(_line("rental_dayparts", f"Huur {parts} dagde{'el' if parts == 1 else 'len'} × {euro(rate)}",
                                 f"Rent {parts} daypart{'s' if parts > 1 else ''} × {euro(rate)}",
                                 parts * rate, parts, rate))
    rent = 0
    if options:
        best = min(options, key=lambda line: line["amount_cents"])
        price.lines.append(best)
        rent = best["amount_cents"]
    if rent and house.discount_percent:
        discount = -percentage_of(rent, house.discount_percent)
        price.lines.append(_line("discount", f"Korting {house.discount_percent}%",
                                 f"Discount {house.discount_percent}%", discount))
        rent += discount
    if room.cleaning_fee_cents and kind != BookingKind.COMMUNITY:
        price.lines.append(_line("cleaning", "Schoonmaakkosten", "Cleaning fee", room.cleaning_fee_cents))
        rent += room.cleaning_fee_cents
    price.rental_cents = rent
    if kind in PRIVATE_KINDS and room.deposit_cents:
        price.lines.append(_line("deposit", "Borg (retour na afloop)", "Deposit (refunded afterwards)",
                                 room.deposit_cents))
        price.deposit_cents = room.deposit_cents
    return price


@dataclass(frozen=True)
class CancellationTerms:
    fee_cents: int
    refund_cents: int
    free: bool
    free_until: dt.datetime | None


def cancellation_terms(booking: Booking, *, at: dt.datetime, by_volunteer: bool, free_days: int) -> CancellationTerms:
    """SPEC §4: free until `free_days` before the start (koffietafel: until the start); later the rental fee is
    due and the deposit is refunded. Cancelled by a volunteer, or before approval: everything back."""
    if booking.kind == BookingKind.KOFFIETAFEL:
        free_until = booking.start
    else:
        # Real time (like the notice rules), whether `start` comes from the database in UTC or in local time.
        free_until = booking.start.astimezone(UTC) - dt.timedelta(days=free_days)
    free = by_volunteer or booking.status == BookingStatus.REQUESTED or at <= free_until
    fee = 0 if free else booking.rental_cents
    refund = max(booking.paid_cents - booking.refunded_cents - fee, 0)
    return CancellationTerms(fee_cents=fee, refund_cents=refund, free=free, free_until=free_until)

"""Prices as a snapshot of line items, in integer euro cents. The one place that knows what a booking costs.

Rental is billed per started half hour at the hourly tariff, or per dagdeel (daypart) when the room has a
daypart tariff and the booking lies within the dayparts it touches; the cheaper of the two applies.
Tier by kind: private events (party, koffietafel, gathering) < association < other (community).
The house's discount applies to the rental. The deposit (borg) applies to private events only.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
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
        amount = (half_hours * hourly + 1) // 2
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
        discount = -(rent * house.discount_percent // 100)
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

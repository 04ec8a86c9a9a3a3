"""Every booking rule of SPEC §4, evaluated for one candidate booking.

`evaluate()` returns one result per applicable rule, `{rule, outcome: pass|warn|fail, message}`, with the message
in Dutch and English. `raise_for_failures()` turns the first failure into the domain error the API reports:
`slot` → `slot_taken` (409), `cap` → `cap_reached` (409), any other rule → 400 with the rule's name as code.
The same function runs at request time and, under the house lock, at approval time; the time-of-request rules
(notice, advance) are then judged against the moment the request was made.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import translation

from . import availability
from .clock import elapsed, format_local, local, make_local
from .errors import CapReached, RuleViolation, SlotTaken
from .models import (
    PRIVATE_KINDS,
    Booking,
    BookingKind,
    CapRule,
    Closure,
    House,
    PostcodeArea,
    Role,
    Room,
    RuleSettings,
)

PASS, WARN, FAIL = "pass", "warn", "fail"

KIND_WORDS = {
    BookingKind.PARTY: ("feesten", "parties"),
    BookingKind.KOFFIETAFEL: ("koffietafels", "coffee gatherings"),
    BookingKind.GATHERING: ("bijeenkomsten", "gatherings"),
}


@dataclass(frozen=True)
class RuleResult:
    rule: str
    outcome: str
    message_nl: str
    message_en: str

    @property
    def message(self) -> str:
        return self.message_en if translation.get_language() == "en" else self.message_nl

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "outcome": self.outcome, "message": self.message,
                "message_nl": self.message_nl, "message_en": self.message_en}


@dataclass(frozen=True)
class Candidate:
    """A booking as it would be: the thing every rule looks at."""

    room: Room
    kind: str
    start: dt.datetime
    end: dt.datetime
    guests: int
    booker: Any  # a User, or None for an anonymous quote
    requested_at: dt.datetime
    exclude_booking_id: int | None = None


@dataclass(frozen=True)
class CapStatus:
    cap: int | None
    source: str  # "default", "house" or "none"
    reason: str
    count: int
    pending: int

    @property
    def remaining(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.count, 0)


def cap_for(house: House | int, kind: str) -> tuple[int | None, str, str]:
    """The cap in force for `house` and `kind`: the house's override wins over the city default."""
    house_id = house.pk if isinstance(house, House) else house
    rules = {
        r.house_id is not None: r
        for r in CapRule.objects.filter(Q(house_id=house_id) | Q(house__isnull=True), kind=kind)
    }
    if True in rules:
        return rules[True].cap, "house", rules[True].reason
    if False in rules:
        return rules[False].cap, "default", ""
    return None, "none", ""


def cap_status(house: House | int, kind: str, year: int, *, exclude_booking_id: int | None = None) -> CapStatus:
    cap, source, reason = cap_for(house, kind)
    counted = Booking.objects.counting_towards_cap(house, kind, year)
    pending = Booking.objects.pending_for_cap(house, kind, year)
    if exclude_booking_id:
        counted = counted.exclude(pk=exclude_booking_id)
        pending = pending.exclude(pk=exclude_booking_id)
    return CapStatus(cap=cap, source=source, reason=reason, count=counted.count(), pending=pending.count())


def _r(rule: str, outcome: str, nl: str, en: str) -> RuleResult:
    return RuleResult(rule, outcome, nl, en)


def _is_volunteer_of(user, house_id: int) -> bool:
    return bool(user and user.is_authenticated and user.memberships.filter(house_id=house_id).exists())


def _role(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def evaluate(candidate: Candidate, *, settings: RuleSettings | None = None) -> list[RuleResult]:
    """All rule results for `candidate`, in a stable order. Reads the database; writes nothing."""
    settings = settings or RuleSettings.current()
    c = candidate
    room, house = c.room, c.room.house
    private = c.kind in PRIVATE_KINDS
    results: list[RuleResult] = []
    add = results.append
    loc_start, loc_end = local(c.start), local(c.end)
    minutes = int(elapsed(c.start, c.end).total_seconds() // 60)
    notice = elapsed(c.requested_at, c.start)

    # Who may book which kind.
    role = _role(c.booker)
    volunteer_here = role == Role.ADMIN or _is_volunteer_of(c.booker, house.pk)
    if c.booker is not None:
        if volunteer_here:
            allowed = True
        elif role == Role.RESIDENT:
            allowed = private
        elif role == Role.ASSOCIATION:
            allowed = c.kind == BookingKind.ASSOCIATION
        else:
            allowed = False
        if allowed:
            add(_r("booker_role", PASS, "U mag deze soort boeking aanvragen.", "You may request this kind of booking."))
        else:
            add(_r("booker_role", FAIL,
                   "Feesten, koffietafels en bijeenkomsten zijn alleen voor bewoners; verenigingen boeken "
                   "verenigingsactiviteiten."
                   if private else "Deze soort boeking is voor verenigingen en het bestuur van het huis.",
                   "Parties, coffee gatherings and gatherings are for residents only; associations book association "
                   "activities." if private else "This kind of booking is for associations and the house's board."))

    # Private kinds: a resident of the municipality, 18+.
    if private and c.booker is not None and not volunteer_here and role == Role.RESIDENT:
        profile = c.booker.profile
        pc4 = profile.pc4
        if not settings.postcode_in_municipality(pc4):
            add(_r("resident", FAIL,
                   f"Alleen inwoners van de gemeente (postcode {settings.resident_postcodes}) kunnen dit boeken.",
                   f"Only residents of the municipality (postcode {settings.resident_postcodes}) can book this."))
        elif not profile.adult_declared:
            add(_r("resident", FAIL, "U moet verklaren dat u 18 jaar of ouder bent.",
                   "You must declare that you are 18 or older."))
        elif house.neighbourhood_residents_only and not PostcodeArea.objects.filter(
            neighbourhood_id=house.neighbourhood_id, pc4=pc4
        ).exists():
            add(_r("resident", FAIL,
                   f"{house.name} verhuurt voor privé-bijeenkomsten alleen aan bewoners van {house.neighbourhood}.",
                   f"{house.name} rents for private events only to residents of {house.neighbourhood}."))
        else:
            add(_r("resident", PASS, "U bent bewoner van de gemeente en 18+.",
                   "You are a resident of the municipality and 18+."))
    elif private and volunteer_here:
        add(_r("resident", WARN, "Geboekt door het bestuur: controleer dat de huurder een bewoner van 18+ is.",
               "Booked by the board: check that the renter is a resident aged 18+."))

    if private:
        if room.private_events_allowed:
            add(_r("room_private", PASS, "Deze zaal mag voor privé-bijeenkomsten worden gehuurd.",
                   "This room may be rented for private events."))
        else:
            add(_r("room_private", FAIL, "Deze zaal wordt niet verhuurd voor privé-bijeenkomsten.",
                   "This room is not rented out for private events."))

    # Notice and advance, judged against the moment of the request.
    notice_hours = settings.min_notice_hours(c.kind)
    notice_text = f"{notice_hours // 24} dagen" if notice_hours % 24 == 0 and notice_hours >= 48 else f"{notice_hours} uur"
    notice_text_en = f"{notice_hours // 24} days" if notice_hours % 24 == 0 and notice_hours >= 48 else f"{notice_hours} hours"
    if notice >= dt.timedelta(hours=notice_hours):
        add(_r("min_notice", PASS, f"Minimaal {notice_text} vooraf aangevraagd.",
               f"Requested at least {notice_text_en} in advance."))
    else:
        add(_r("min_notice", FAIL, f"Vraag minimaal {notice_text} vooraf aan.",
               f"Request at least {notice_text_en} in advance."))
    if notice <= dt.timedelta(days=settings.max_advance_days):
        add(_r("max_advance", PASS, f"Binnen {settings.max_advance_days} dagen vooruit.",
               f"Within {settings.max_advance_days} days ahead."))
    else:
        add(_r("max_advance", FAIL, f"U kunt maximaal {settings.max_advance_days} dagen vooruit boeken.",
               f"You can book at most {settings.max_advance_days} days ahead."))

    if private:
        # The night an event belongs to: its local start date (before 06:00 counts as the previous evening).
        evening = loc_start.date() - dt.timedelta(days=1) if loc_start.hour < 6 else loc_start.date()
        weekend = evening.weekday() in (4, 5)  # Friday and Saturday nights
        limit_time = settings.private_end_weekend if weekend else settings.private_end_weeknight
        limit_day = evening if limit_time >= dt.time(12) else evening + dt.timedelta(days=1)
        limit = make_local(limit_day, limit_time)
        nights_nl = "vrijdag- en zaterdagnacht" if weekend else "zondag- t/m donderdagnacht"
        nights_en = "Friday and Saturday nights" if weekend else "Sunday to Thursday nights"
        if c.end <= limit:
            add(_r("private_end", PASS, f"Eindigt uiterlijk {limit_time:%H:%M} ({nights_nl}).",
                   f"Ends by {limit_time:%H:%M} ({nights_en})."))
        else:
            add(_r("private_end", FAIL, f"Privé-bijeenkomsten eindigen op {nights_nl} uiterlijk {limit_time:%H:%M}.",
                   f"Private events end by {limit_time:%H:%M} on {nights_en}."))

    if c.kind == BookingKind.KOFFIETAFEL:
        earliest = make_local(loc_start.date(), settings.koffietafel_earliest)
        latest = make_local(loc_start.date(), settings.koffietafel_latest)
        window = f"{settings.koffietafel_earliest:%H:%M} en {settings.koffietafel_latest:%H:%M}"
        window_en = f"{settings.koffietafel_earliest:%H:%M} and {settings.koffietafel_latest:%H:%M}"
        if earliest <= c.start and c.end <= latest:
            add(_r("koffietafel_window", PASS, f"Tussen {window}.", f"Between {window_en}."))
        else:
            add(_r("koffietafel_window", FAIL, f"Een koffietafel valt tussen {window}.",
                   f"A coffee gathering takes place between {window_en}."))

    if private:
        lo, hi = settings.private_min_minutes, settings.private_max_minutes
        if lo <= minutes <= hi:
            add(_r("duration", PASS, f"Duur tussen {lo // 60} en {hi // 60} uur.",
                   f"Duration between {lo // 60} and {hi // 60} hours."))
        else:
            add(_r("duration", FAIL, f"Een privé-bijeenkomst duurt minimaal {lo // 60} en maximaal {hi // 60} uur.",
                   f"A private event lasts at least {lo // 60} and at most {hi // 60} hours."))

    if c.guests <= room.capacity:
        add(_r("guests", PASS, f"{c.guests} gasten, de zaal biedt plaats aan {room.capacity}.",
               f"{c.guests} guests; the room holds {room.capacity}."))
    else:
        add(_r("guests", FAIL, f"De zaal biedt plaats aan maximaal {room.capacity} personen.",
               f"The room holds at most {room.capacity} people."))

    opening = availability.opening_intervals(house, loc_start.date(), loc_end.date())
    if any(s <= c.start and c.end <= e for s, e in opening):
        add(_r("opening_hours", PASS, "Binnen de openingstijden van het huis.", "Within the house's opening hours."))
    else:
        add(_r("opening_hours", FAIL, "Het huis is dan niet open; kies een tijd binnen de openingstijden.",
               "The house is not open then; choose a time within the opening hours."))

    closure = Closure.objects.affecting(room, c.start, c.end).first()
    if closure is None:
        add(_r("closure", PASS, "Geen sluiting in deze periode.", "No closure in this period."))
    else:
        add(_r("closure", FAIL, f"Gesloten: {closure.reason} ({format_local(closure.start)} – {format_local(closure.end)}).",
               f"Closed: {closure.reason} ({format_local(closure.start)} – {format_local(closure.end)})."))

    clashes = Booking.objects.overlapping(room, c.start, c.end, buffer_minutes=room.buffer_minutes)
    if c.exclude_booking_id:
        clashes = clashes.exclude(pk=c.exclude_booking_id)
    if clashes.exists():
        add(_r("slot", FAIL, f"De zaal is dan al bezet (inclusief {room.buffer_minutes} minuten schoonmaaktijd).",
               f"The room is already taken then (including {room.buffer_minutes} minutes for cleaning)."))
    else:
        add(_r("slot", PASS, "De zaal is vrij.", "The room is free."))

    if private:
        results.append(_cap_result(c, house, loc_start.year))

    if c.kind in (BookingKind.PARTY, BookingKind.GATHERING):
        add(_r("melding", PASS, "Na goedkeuring meldt Zaalboek deze bijeenkomst (zonder persoonsgegevens) bij de gemeente.",
               "Once approved, Zaalboek notifies the municipality of this event (without personal data)."))
    return results


def _cap_result(c: Candidate, house: House, year: int) -> RuleResult:
    status = cap_status(house, c.kind, year, exclude_booking_id=c.exclude_booking_id)
    word_nl, word_en = KIND_WORDS[c.kind]
    if status.cap is None:
        return _r("cap", PASS, f"Geen maximum voor {word_nl}.", f"No cap for {word_en}.")
    if status.count >= status.cap:
        following = cap_status(house, c.kind, year + 1)
        return _r("cap", FAIL,
                  f"{house.name} heeft het maximum van {status.cap} {word_nl} in {year} bereikt. "
                  f"In {year + 1} zijn er nog {following.remaining} van {following.cap} beschikbaar.",
                  f"{house.name} has reached its cap of {status.cap} {word_en} in {year}. "
                  f"In {year + 1}, {following.remaining} of {following.cap} are still available.")
    remaining = status.cap - status.count
    pending_nl = f" ({status.pending} aanvra{'ag' if status.pending == 1 else 'gen'} in behandeling)" if status.pending else ""
    pending_en = f" ({status.pending} request{'s' if status.pending != 1 else ''} pending)" if status.pending else ""
    outcome = WARN if status.pending >= remaining else PASS
    return _r("cap", outcome,
              f"Nog {remaining} van {status.cap} {word_nl} beschikbaar in {year}{pending_nl}.",
              f"{remaining} of {status.cap} {word_en} still available in {year}{pending_en}.")


def failures(results: list[RuleResult]) -> list[RuleResult]:
    return [r for r in results if r.outcome == FAIL]


def raise_for_failures(results: list[RuleResult]) -> None:
    """Raise the domain error for the first failing rule; 400-class rules come before slot and cap."""
    failed = failures(results)
    if not failed:
        return
    payload = [r.as_dict() for r in results]
    plain = [r for r in failed if r.rule not in ("slot", "cap")]
    if plain:
        raise RuleViolation(plain[0].rule, plain[0].message, payload)
    first = failed[0]
    if first.rule == "slot":
        raise SlotTaken(detail=first.message, rules=payload)
    raise CapReached(detail=first.message, rules=payload)

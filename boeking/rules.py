"""Every booking rule of SPEC §4, evaluated for one candidate booking.

`evaluate()` returns one result per applicable rule, `{rule, outcome: pass|warn|fail, message}`, with the message
in Dutch and English. `raise_for_failures()` turns the first failure into the domain error the API reports:
`slot` → `slot_taken` (409), `cap` → `cap_reached` (409), any other rule → 400 with the rule's name as code.
The same function runs at request time and, under the house lock, at approval time; the time-of-request rules
(notice, advance) are then judged against the moment the request was made.

This is the one bookability engine: single requests (`evaluate`), the series planner and the demo seeder
(`evaluate_many`: many periods of one room over data loaded once, each accepted period blocking the next), the
approval service and the volunteers' inbox (`evaluate_for_decision`: the rules at decision time), and the usage
reports (`CapTable`: which cap is in force) all ask it; none of them checks notice, closures, opening hours,
conflicts or caps its own way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import translation

from . import access, availability, intervals
from .clock import elapsed, format_local, local, local_midnight, make_local
from .errors import CapReached, RuleViolation, SlotTaken
from .models import (
    PRIVATE_KINDS,
    Booking,
    BookingKind,
    BookingStatus,
    CapRule,
    Closure,
    House,
    OpeningHours,
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


class CapTable:
    """Which cap is in force for each house and private kind on a date: a house's override wins over the city
    default. Caps keep their history (`CapRule.effective_from`), so the answer depends on the day asked about.

    Loaded in one query (`CapTable.load()`, every version). `in_force(house_id, kind, on=None)` →
    `(cap or None, source, reason)` with source "house", "default" or "none"; `on` is a local date (default: today).
    `version(house_id, kind, on)` → the `CapRule` that applies (None: no cap). Before the first recorded city default
    the earliest default applies (the city always had one); a house override applies only from its own date, and a
    house version without a number ends the override. `judging_day(year)` is the day a year's usage is measured on:
    today for this year, 31 December for a past year, 1 January for a later year. The usage reports and the rules
    both read caps through this table.
    """

    def __init__(self, rules):
        self.defaults: dict[str, list[CapRule]] = {}
        self.overrides: dict[tuple[int, str], list[CapRule]] = {}
        for rule in sorted(rules, key=lambda r: (r.effective_from, r.pk or 0)):
            if rule.house_id is None:
                self.defaults.setdefault(rule.kind, []).append(rule)
            else:
                self.overrides.setdefault((rule.house_id, rule.kind), []).append(rule)

    @classmethod
    def load(cls, *, house_ids=None, kinds=None) -> CapTable:
        qs = CapRule.objects.all()
        if house_ids is not None:
            qs = qs.filter(Q(house__isnull=True) | Q(house_id__in=list(house_ids)))
        if kinds is not None:
            qs = qs.filter(kind__in=list(kinds))
        return cls(list(qs))

    @staticmethod
    def judging_day(year: int) -> dt.date:
        from .clock import today

        current = today()
        if year == current.year:
            return current
        return dt.date(year, 12, 31) if year < current.year else dt.date(year, 1, 1)

    @staticmethod
    def _latest(versions: list[CapRule], on: dt.date) -> CapRule | None:
        found = None
        for rule in versions:
            if rule.effective_from > on:
                break
            found = rule
        return found

    def version(self, house_id: int, kind: str, on: dt.date | None = None) -> CapRule | None:
        if on is None:
            from .clock import today

            on = today()
        override = self._latest(self.overrides.get((house_id, kind), []), on)
        if override is not None and override.cap is not None:
            return override
        defaults = self.defaults.get(kind, [])
        return self._latest(defaults, on) or (defaults[0] if defaults else None)

    def in_force(self, house_id: int, kind: str, on: dt.date | None = None) -> tuple[int | None, str, str]:
        rule = self.version(house_id, kind, on)
        if rule is None:
            return None, "none", ""
        if rule.house_id is not None:
            return rule.cap, "house", rule.reason
        return rule.cap, "default", ""

    def rules_on(self, on: dt.date | None = None) -> list[CapRule]:
        """Every rule in force on `on` (default today): the city defaults, then the house overrides (ended ones left
        out)."""
        if on is None:
            from .clock import today

            on = today()
        found = []
        for versions in self.defaults.values():
            rule = self._latest(versions, on) or versions[0]
            found.append(rule)
        for versions in self.overrides.values():
            rule = self._latest(versions, on)
            if rule is not None and rule.cap is not None:
                found.append(rule)
        return found


def cap_for(house: House | int, kind: str, on: dt.date | None = None) -> tuple[int | None, str, str]:
    """The cap in force for `house` and `kind` on the local date `on` (default today; `CapTable.in_force`), in one
    query."""
    house_id = house.pk if isinstance(house, House) else house
    return CapTable.load(house_ids=[house_id], kinds=[kind]).in_force(house_id, kind, on)


def cap_status(house: House | int, kind: str, year: int, *, exclude_booking_id: int | None = None,
               on: dt.date | None = None, table: CapTable | None = None) -> CapStatus:
    """Counted and pending bookings of `house` and `kind` in `year` against the cap in force on `on` (the event's
    local date; default `CapTable.judging_day(year)`). Two queries (the cap table, unless `table` is given, and
    both counts in one)."""
    from django.db.models import Count

    house_id = house.pk if isinstance(house, House) else house
    table = table or CapTable.load(house_ids=[house_id], kinds=[kind])
    cap, source, reason = table.in_force(house_id, kind, on or CapTable.judging_day(year))
    # counting_towards_cap (approved, confirmed) and pending_for_cap (requested), counted in one statement.
    bookings = Booking.objects.filter(house_id=house_id, kind=kind, local_year=year)
    if exclude_booking_id:
        bookings = bookings.exclude(pk=exclude_booking_id)
    counts = bookings.aggregate(count=Count("pk", filter=Q(status__in=BookingStatus.COUNTING)),
                                pending=Count("pk", filter=Q(status=BookingStatus.REQUESTED)))
    return CapStatus(cap=cap, source=source, reason=reason, count=counts["count"], pending=counts["pending"])


def _r(rule: str, outcome: str, nl: str, en: str) -> RuleResult:
    return RuleResult(rule, outcome, nl, en)


@dataclass
class RoomData:
    """What the rules read about one room over a period, loaded once (`load_room_data`): opening hours, closures,
    the bookings that hold a slot, the settings. `taken` grows while `evaluate_many` accepts periods, so a series'
    own dates never clash with each other."""

    room: Room
    settings: RuleSettings
    first_day: dt.date
    last_day: dt.date
    opening: list[tuple[dt.datetime, dt.datetime]]
    closures: list[tuple[dt.datetime, dt.datetime, str]]
    taken: list[tuple[dt.datetime, dt.datetime, int | None]] = field(default_factory=list)
    caps: dict[tuple[str, int, int | None, dt.date | None], CapStatus] = field(default_factory=dict)
    # Loaded with the rest by `load_room_data` (None/empty: asked when needed): the cap rules of the city and the
    # house, the room's tariffs (for the price), undecided requests per booker id.
    cap_table: CapTable | None = None
    tariffs: list | None = None
    open_requests: dict[int, int] = field(default_factory=dict)

    def covers(self, start: dt.datetime, end: dt.datetime) -> bool:
        return self.first_day <= local(start).date() and local(end).date() <= self.last_day

    def closure_at(self, start: dt.datetime, end: dt.datetime):
        return next((c for c in self.closures if c[0] < end and c[1] > start), None)

    def clashes(self, start: dt.datetime, end: dt.datetime, *, exclude_booking_id: int | None = None
                ) -> list[int | None]:
        """The held slots `[start, blocked_until)` that clash with `[start, end + buffer)` (half-open): their
        booking ids, None for a period accepted earlier in the same plan (`evaluate_many`)."""
        blocked_until = end + dt.timedelta(minutes=self.room.buffer_minutes)
        return [pk for s, until, pk in self.taken
                if s < blocked_until and until > start and (pk is None or pk != exclude_booking_id)]

    def cap_status(self, house_id: int, kind: str, year: int, exclude_booking_id: int | None,
                   on: dt.date | None = None) -> CapStatus:
        key = (kind, year, exclude_booking_id, on)
        if key not in self.caps:
            self.caps[key] = cap_status(house_id, kind, year, exclude_booking_id=exclude_booking_id, on=on,
                                        table=self.cap_table)
        return self.caps[key]


def load_room_data(room: Room, start: dt.datetime, end: dt.datetime, *, settings: RuleSettings | None = None,
                   exclude_series_id: int | None = None, booker=None) -> RoomData:
    """Everything the rules need for `room` between the local dates of `start` and `end`, in one statement
    (`availability.load_rule_rows`; plus the settings when not given): opening hours, closures, held slots, the
    cap rules, the room's tariffs and — with `booker` — that account's undecided requests. Cap counts are asked
    when a rule needs them (one query per kind and year)."""
    first_day, last_day = local(start).date(), local(end).date()
    window_start = local_midnight(first_day - dt.timedelta(days=1))
    window_end = local_midnight(last_day + dt.timedelta(days=2))
    booker_id = booker.pk if booker is not None and getattr(booker, "is_authenticated", False) else None
    rows = availability.load_rule_rows(room, window_start, window_end, exclude_series_id=exclude_series_id,
                                       booker_id=booker_id)
    return RoomData(
        room=room, settings=settings or RuleSettings.current(), first_day=first_day, last_day=last_day,
        opening=availability.opening_intervals(room.house_id, first_day, last_day, hours=rows.hours),
        closures=rows.closures, taken=rows.taken, cap_table=CapTable(rows.cap_rules), tariffs=rows.tariffs,
        open_requests={} if booker_id is None else {booker_id: rows.open_requests or 0},
    )


def evaluate(candidate: Candidate, *, settings: RuleSettings | None = None,
             data: RoomData | None = None) -> list[RuleResult]:
    """All rule results for `candidate`, in a stable order. Reads the database (or `data`); writes nothing."""
    if data is None or not data.covers(candidate.start, candidate.end):
        data = load_room_data(candidate.room, candidate.start, candidate.end, settings=settings,
                              booker=candidate.booker)
    settings = data.settings
    c = candidate
    room, house = c.room, c.room.house
    private = c.kind in PRIVATE_KINDS
    results: list[RuleResult] = []
    add = results.append
    loc_start = local(c.start)
    minutes = int(elapsed(c.start, c.end).total_seconds() // 60)
    notice = elapsed(c.requested_at, c.start)

    # Who may book which kind (boeking.access).
    role = access.role_of(c.booker)
    volunteer_here = access.is_volunteer(c.booker, house)
    if c.booker is not None:
        if c.kind in access.bookable_kinds(c.booker, house):
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

    # How many undecided requests one account may hold at once (a person cannot hold many slots with requests).
    if c.booker is not None and not volunteer_here and c.exclude_booking_id is None:
        open_requests = data.open_requests.get(c.booker.pk)
        if open_requests is None:
            open_requests = Booking.objects.filter(booker=c.booker, status=BookingStatus.REQUESTED).count()
        limit = settings.max_open_requests
        if open_requests < limit:
            add(_r("open_requests", PASS, f"{open_requests} van maximaal {limit} aanvragen in behandeling.",
                   f"{open_requests} of at most {limit} requests pending."))
        else:
            add(_r("open_requests", FAIL,
                   f"U heeft al {open_requests} aanvragen in behandeling (maximaal {limit}); wacht op een besluit of "
                   "trek er een in.",
                   f"You already have {open_requests} requests pending (at most {limit}); wait for a decision or "
                   "withdraw one."))

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

    if room.active and house.active:
        add(_r("room_active", PASS, "De zaal is te boeken.", "The room can be booked."))
    else:
        add(_r("room_active", FAIL, "Deze zaal is niet (meer) te boeken.", "This room can no longer be booked."))

    if intervals.covers(data.opening, c.start, c.end):
        add(_r("opening_hours", PASS, "Binnen de openingstijden van het huis.", "Within the house's opening hours."))
    else:
        add(_r("opening_hours", FAIL, "Het huis is dan niet open; kies een tijd binnen de openingstijden.",
               "The house is not open then; choose a time within the opening hours."))

    closure = data.closure_at(c.start, c.end)
    if closure is None:
        add(_r("closure", PASS, "Geen sluiting in deze periode.", "No closure in this period."))
    else:
        c_start, c_end, c_reason = closure
        add(_r("closure", FAIL, f"Gesloten: {c_reason} ({format_local(c_start)} – {format_local(c_end)}).",
               f"Closed: {c_reason} ({format_local(c_start, 'en')} – {format_local(c_end, 'en')})."))

    clashes = data.clashes(c.start, c.end, exclude_booking_id=c.exclude_booking_id)
    if clashes and all(pk is None for pk in clashes):
        add(_r("slot", FAIL, f"Overlapt met een eerdere datum van dezelfde aanvraag (inclusief {room.buffer_minutes} "
                             "minuten schoonmaaktijd).",
               f"Overlaps an earlier date of the same request (including {room.buffer_minutes} minutes for cleaning)."))
    elif clashes:
        add(_r("slot", FAIL, f"De zaal is dan al bezet (inclusief {room.buffer_minutes} minuten schoonmaaktijd).",
               f"The room is already taken then (including {room.buffer_minutes} minutes for cleaning)."))
    else:
        add(_r("slot", PASS, "De zaal is vrij.", "The room is free."))

    if private:
        results.append(_cap_result(c, house, loc_start.year, data))

    if c.kind in (BookingKind.PARTY, BookingKind.GATHERING):
        add(_r("melding", PASS, "Na goedkeuring meldt Zaalboek deze bijeenkomst (zonder persoonsgegevens) bij de gemeente.",
               "Once approved, Zaalboek notifies the municipality of this event (without personal data)."))
    return results


def _cap_result(c: Candidate, house: House, year: int, data: RoomData) -> RuleResult:
    status = data.cap_status(house.pk, c.kind, year, c.exclude_booking_id, local(c.start).date())
    word_nl, word_en = KIND_WORDS[c.kind]
    if status.cap is None:
        return _r("cap", PASS, f"Geen maximum voor {word_nl}.", f"No cap for {word_en}.")
    if status.count >= status.cap:
        following = data.cap_status(house.pk, c.kind, year + 1, None)
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


# The rules about the place itself, whoever books it and whenever they ask.
PLACE_RULES = ("room_active", "opening_hours", "closure")


def place_refusal(room: Room, start: dt.datetime, end: dt.datetime, *,
                  data: RoomData | None = None) -> RuleResult | None:
    """The first failing place rule (`PLACE_RULES`: room active, house open, not closed) for `[start, end)`, or
    None when the place can be used then. For callers that plan bookings (the demo seeder) before asking for one."""
    candidate = Candidate(room=room, kind=BookingKind.COMMUNITY, start=start, end=end, guests=1, booker=None,
                          requested_at=start)
    return next((r for r in evaluate(candidate, data=data) if r.rule in PLACE_RULES and r.outcome == FAIL), None)


# Who booked is judged at request time; at decision time an account deleted or changed since must not block it.
REQUEST_ONLY_RULES = frozenset({"booker_role", "resident", "open_requests"})


def evaluate_for_decision(booking: Booking, *, settings: RuleSettings | None = None,
                          data: RoomData | None = None) -> list[RuleResult]:
    """The rules at decision time, as the approval service applies them and the volunteers' inbox shows them:
    every rule except who booked (`REQUEST_ONLY_RULES`), notice and advance judged against the moment of the
    request, the booking itself not counted against its own slot or cap."""
    candidate = Candidate(room=booking.room, kind=booking.kind, start=booking.start, end=booking.end,
                          guests=booking.guests, booker=booking.booker, requested_at=booking.created_at,
                          exclude_booking_id=booking.pk)
    results = evaluate(candidate, settings=settings, data=data)
    return [r for r in results if r.rule not in REQUEST_ONLY_RULES]


def evaluate_many_for_decision(bookings: list[Booking], *, settings: RuleSettings | None = None,
                               data: RoomData | None = None) -> list[list[RuleResult]]:
    """`evaluate_for_decision` for many requested bookings of ONE room (a series' dates), over data loaded once:
    what `series_approve` applies and the board's series card shows. Who booked is not judged again. `data`: the
    room's data already loaded (`load_decision_data`, the inbox), else loaded here."""
    results = evaluate_many([
        Candidate(room=b.room, kind=b.kind, start=b.start, end=b.end, guests=b.guests, booker=None,
                  requested_at=b.created_at, exclude_booking_id=b.pk) for b in bookings], settings=settings, data=data)
    return [[r for r in result if r.rule not in REQUEST_ONLY_RULES] for result in results]


def evaluate_many(candidates: list[Candidate], *, settings: RuleSettings | None = None,
                  exclude_series_id: int | None = None, data: RoomData | None = None) -> list[list[RuleResult]]:
    """Rule results for many candidates of ONE room (a series' dates, demo bookings), over data loaded once: a
    constant number of queries whatever their number. Each candidate that passes blocks its slot for the ones
    after it, so the periods of one plan never overlap each other (buffers included). `data`: the room's data
    loaded beforehand (`load_decision_data`); the slots this plan blocks are taken out of it again afterwards."""
    if not candidates:
        return []
    room = candidates[0].room
    if any(c.room.pk != room.pk for c in candidates):
        raise ValueError("evaluate_many: one room at a time")
    if data is None:
        data = load_room_data(room, min(c.start for c in candidates), max(c.end for c in candidates),
                              settings=settings, exclude_series_id=exclude_series_id)
    planned_from = len(data.taken)
    out = []
    for candidate in candidates:
        results = evaluate(candidate, data=data)
        if not failures(results):
            blocked_until = candidate.end + dt.timedelta(minutes=room.buffer_minutes)
            data.taken.append((candidate.start, blocked_until, None))
        out.append(results)
    del data.taken[planned_from:]
    return out


def cap_usage(house_ids, years) -> dict[tuple[int, str, int], tuple[int, int]]:
    """Cap usage of many houses in ONE grouped query: `{(house_id, kind, year): (counted, pending)}` for the private
    kinds, counted = approved + confirmed (`counting_towards_cap`), pending = requested (`pending_for_cap`). Missing
    keys are (0, 0). `house_ids` may be a list or a House queryset."""
    from django.db.models import Count

    rows = (Booking.objects.filter(house__in=house_ids, kind__in=list(PRIVATE_KINDS), local_year__in=sorted(years))
            .values_list("house_id", "kind", "local_year")
            .annotate(counted=Count("pk", filter=Q(status__in=BookingStatus.COUNTING)),
                      pending=Count("pk", filter=Q(status=BookingStatus.REQUESTED)))
            .order_by())
    return {(house_id, kind, year): (counted, pending) for house_id, kind, year, counted, pending in rows}


def cap_statuses(house_ids, years, *, table: CapTable | None = None) -> dict[tuple[int, str, int], CapStatus]:
    """`cap_status` for every house in `house_ids` (ids), private kind and year in `years`, in two queries (the
    cap table and `cap_usage`), each against the cap in force on `CapTable.judging_day(year)`."""
    house_ids = list(house_ids)
    table = table or CapTable.load(house_ids=house_ids)
    usage = cap_usage(house_ids, years)
    out = {}
    for house_id in house_ids:
        for kind in PRIVATE_KINDS:
            for year in years:
                cap, source, reason = table.in_force(house_id, kind, CapTable.judging_day(year))
                counted, pending = usage.get((house_id, kind, year), (0, 0))
                out[(house_id, kind, year)] = CapStatus(cap=cap, source=source, reason=reason, count=counted,
                                                        pending=pending)
    return out


def load_decision_data(bookings: list[Booking], *, settings: RuleSettings | None = None
                       ) -> dict[int, RoomData]:
    """What the rules read to decide many requested bookings of MANY rooms and houses (the board's inbox: one-off
    requests and series dates), loaded at once: `{room_id: RoomData}`. A constant number of queries whatever the
    number of bookings, rooms and houses: settings, held slots, closures, opening hours, the cap table and the cap
    usage (one grouped query). Each booking's own cap figures (itself not counted), and those of the following year
    (named when a cap is reached), are filled in, so `evaluate` asks nothing more. Every booking's `room` (with its
    `house`) must be loaded."""
    settings = settings or RuleSettings.current()
    if not bookings:
        return {}
    by_room: dict[int, list[Booking]] = {}
    for b in bookings:
        by_room.setdefault(b.room_id, []).append(b)
    # One window per booking (the day before to the day after, as load_room_data): only the slots that can clash.
    windows = Q()
    for b in bookings:
        lo = local_midnight(local(b.start).date() - dt.timedelta(days=1))
        hi = local_midnight(local(b.end).date() + dt.timedelta(days=2))
        windows |= Q(room_id=b.room_id, start__lt=hi, blocked_until__gt=lo)
    taken: dict[int, list] = {}
    for room_id, start, until, pk in Booking.objects.active().filter(windows).values_list(
            "room_id", "start", "blocked_until", "pk"):
        taken.setdefault(room_id, []).append((start, until, pk))
    house_ids = sorted({b.room.house_id for b in bookings})
    lo = local_midnight(min(local(b.start).date() for b in bookings) - dt.timedelta(days=1))
    hi = local_midnight(max(local(b.end).date() for b in bookings) + dt.timedelta(days=2))
    closures: dict[tuple[int, int | None], list] = {}
    for house_id, room_id, start, end, reason in Closure.objects.filter(
            Q(room__isnull=True, house_id__in=house_ids) | Q(room_id__in=list(by_room)),
            start__lt=hi, end__gt=lo).values_list("house_id", "room_id", "start", "end", "reason"):
        closures.setdefault((house_id, room_id), []).append((start, end, reason))
    hours: dict[int, list[OpeningHours]] = {}
    for row in OpeningHours.objects.filter(house_id__in=house_ids):
        hours.setdefault(row.house_id, []).append(row)
    years = {local(b.start).year for b in bookings}
    years |= {year + 1 for year in years}
    table = CapTable.load(house_ids=house_ids)
    usage = cap_usage(house_ids, years)
    out = {}
    for room_id, room_bookings in by_room.items():
        room = room_bookings[0].room
        first_day = min(local(b.start).date() for b in room_bookings)
        last_day = max(local(b.end).date() for b in room_bookings)
        data = RoomData(
            room=room, settings=settings, first_day=first_day, last_day=last_day,
            opening=availability.opening_intervals(room.house, first_day, last_day, hours=hours.get(room.house_id, [])),
            closures=[*closures.get((room.house_id, None), []), *closures.get((room.house_id, room_id), [])],
            taken=taken.get(room_id, []))
        for b in room_bookings:
            if b.kind not in PRIVATE_KINDS:
                continue
            year, on = local(b.start).year, local(b.start).date()
            for key_year, key_on, exclude in ((year, on, b.pk), (year + 1, None, None)):
                cap, source, reason = table.in_force(room.house_id, b.kind, key_on or CapTable.judging_day(key_year))
                counted, pending = usage.get((room.house_id, b.kind, key_year), (0, 0))
                if exclude is not None and b.status == BookingStatus.REQUESTED and b.local_year == key_year:
                    pending -= 1  # the booking itself is not counted against its own cap
                data.caps[(b.kind, key_year, exclude, key_on)] = CapStatus(
                    cap=cap, source=source, reason=reason, count=counted, pending=max(pending, 0))
        out[room_id] = data
    return out


def evaluate_each_for_decision(bookings: list[Booking], *, data: dict[int, RoomData] | None = None,
                               settings: RuleSettings | None = None) -> list[list[RuleResult]]:
    """`evaluate_for_decision` for many one-off requests of any rooms over data loaded once (`load_decision_data`,
    or `data` from it): the board's inbox. Each request is judged on its own (they do not block each other beyond
    the slots they already hold). Who booked is not judged again (`REQUEST_ONLY_RULES`)."""
    data = data if data is not None else load_decision_data(bookings, settings=settings)
    out = []
    for b in bookings:
        candidate = Candidate(room=b.room, kind=b.kind, start=b.start, end=b.end, guests=b.guests, booker=None,
                              requested_at=b.created_at, exclude_booking_id=b.pk)
        out.append([r for r in evaluate(candidate, data=data[b.room_id]) if r.rule not in REQUEST_ONLY_RULES])
    return out


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

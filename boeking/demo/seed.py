"""Building the Maastricht demo (SPEC §9): `seed()` does the work, `manage.py seed_demo` only calls it and prints.

What it makes: the seven wijken of Maastricht with buurten and PC4 postcodes (the PC4 → buurt mapping is
approximate, demo only), eight fictional houses with opening hours, locations, rooms, facilities and tariffs, the
city-wide caps (with the party cap they replaced) and one per-house override, the demo accounts of SPEC §9 (password
`demo`) plus fictional residents, volunteers and association contacts, a year of bookings around today (about nine
months back and three ahead) and the last complete month's invoices.
The static part (who, where, what) is in `boeking.demo.data`; this module places it in time.

Bookings go through the services (`booking_request`, `booking_approve`, `booking_mark_paid`, ...), so every
status, price, audit entry and melding is what the application itself would have produced. To make history the
clock (`boeking.clock._now`) is set, step by step, to the moment a request, decision or payment happened.
Configuration without a service of its own (geography, houses, rooms, tariffs, opening hours, people, memberships)
is created with the ORM; caps and closures go through `boeking.services.config`. Invoices: the houses' invoice
settings and the last complete month's invoice run go through `boeking.invoicing.services`, as the board's page does;
one invoice is marked paid.

Idempotent: what exists is left alone (nothing is overwritten), bookings are made only while the demo houses
have none, invoices only while they have none. `reset=True` removes the demo houses' invoices, bookings, meldingen
and closures first, to get fresh dates around today. Deterministic for a given day (fixed random seed). Emails the
services would send are not sent while seeding.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils.text import slugify

from boeking import clock, rules, services
from boeking.clock import local, make_local
from boeking.demo import data as demo_data
from boeking.demo.data import HouseData, Person
from boeking.errors import CapReached, InvalidInput, InvalidLocalTime, RuleViolation, SlotTaken
from boeking.invoicing import services as invoicing
from boeking.invoicing.models import Invoice, InvoiceLine, InvoiceSequence, InvoiceSettings
from boeking.models import (
    PRIVATE_KINDS,
    AuditEntry,
    Booking,
    BookingKind,
    BookingStatus,
    CapRule,
    Closure,
    District,
    Facility,
    House,
    Location,
    Melding,
    Membership,
    Neighbourhood,
    OpeningHours,
    OperatorType,
    PaymentEntry,
    PostcodeArea,
    Profile,
    Room,
    RuleSettings,
    Tariff,
    TariffTier,
    TariffUnit,
)

PARTY, KOFFIETAFEL, GATHERING, ASSOCIATION = (BookingKind.PARTY, BookingKind.KOFFIETAFEL, BookingKind.GATHERING,
                                              BookingKind.ASSOCIATION)
CONFIRMED, APPROVED, REQUESTED, REJECTED, CANCELLED, EXPIRED = (
    "confirmed", "approved", "requested", "rejected", "cancelled", "expired")

DUMMY_MAIL = "django.core.mail.backends.dummy.EmailBackend"
PAST_DAYS = 270  # about nine months back
FUTURE_DAYS = 90  # about three months ahead

# When private events happen: (weekday, start, end); an end at or before the start is the next day.
PATTERNS: dict[str, list[tuple[int, str, str]]] = {
    PARTY: [(4, "20:00", "01:00"), (5, "20:00", "01:00"), (5, "19:00", "00:00"), (5, "14:00", "18:00"),
            (6, "13:00", "17:00"), (4, "19:00", "23:00"), (3, "19:00", "23:00")],
    GATHERING: [(6, "14:00", "17:00"), (5, "15:00", "19:00"), (2, "19:00", "22:00"), (6, "11:00", "15:00"),
                (3, "19:30", "22:00")],
    KOFFIETAFEL: [(d, s, e) for d in range(6) for s, e in (("11:00", "14:00"), ("13:30", "16:30"), ("12:00", "15:30"))],
}
# Weekly chance of a private event of each kind in a house of activity 1.0.
WEEKLY_CHANCE = {PARTY: 0.30, GATHERING: 0.13, KOFFIETAFEL: 0.17}


def _hm(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

# The city's cap before the current one (kind → cap, reason), a year before it: the caps' history on /gemeente/ shows
# a change. Before the demo's bookings begin, so no booking is measured against it.
EARLIER_CAPS: dict[str, tuple[int, str]] = {PARTY: (10, "Eerste afspraak met de huizen")}
CURRENT_CAPS_REASON = "Evaluatie na een jaar: meer ruimte voor feesten"


def _demo_iban(number: int) -> str:
    """A fictional Dutch IBAN with valid check digits (bank code ZAAL: no real bank)."""
    from stdnum import iban

    bban = f"ZAAL{number:010d}"
    return f"NL{iban.calc_check_digits('NL00' + bban)}{bban}"


@contextmanager
def clock_at(moment: dt.datetime) -> Iterator[None]:
    """Let `boeking.clock.now()` return `moment` for the duration (the services read the time from there)."""
    previous = clock._now
    clock._now = lambda: moment
    try:
        yield
    finally:
        clock._now = previous


@dataclass
class Report:
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)  # candidate bookings the services refused, by code
    bookings_made: bool = False
    reset: int = 0  # objects removed by `reset=True`
    houses: dict[str, House] = field(default_factory=dict)  # slug → the demo's houses, in the order of the data


class DemoSeeder:
    """Builds the demo. `run()` must be called inside a transaction (`seed()` does)."""

    def __init__(self, *, seed: int = demo_data.RANDOM_SEED):
        self.rng = random.Random(seed)
        self.now = clock.now()
        self.today = clock.today()
        self.window_start = self.today - dt.timedelta(days=PAST_DAYS)
        self.window_end = self.today + dt.timedelta(days=FUTURE_DAYS)
        self.report = Report()
        self._password: str | None = None
        self.users: dict = {}  # e-mail → User
        self.houses: dict[str, House] = {}
        self.slug_of: dict[int, str] = {}
        self.bookers: dict[str, list] = {}
        self.house_data: dict[str, HouseData] = {h.slug: h for h in demo_data.HOUSES}
        self.rooms: dict[tuple[str, str], Room] = {}
        self.counted: Counter = Counter()  # (house slug, kind, year) → approved/confirmed made by this run

    # --- the whole demo ------------------------------------------------------------------------------------------

    def run(self, *, reset: bool = False) -> Report:
        self.settings = RuleSettings.current()
        self._geography()
        self._facilities()
        self._people()
        self._houses()
        self.report.houses = self.houses
        self._caps()
        if reset:
            self._reset()
        if not Booking.objects.filter(house__slug__in=self.houses).exists():
            self.report.bookings_made = True
            self._closures()
            self._scenario()
            self._series()
            self._private_year()
            self._near_cap()
        self._invoices()
        return self.report

    # --- configuration: created when missing, never overwritten ----------------------------------------------------

    def _geography(self) -> None:
        for district_name, buurten in demo_data.DISTRICTS:
            district, _ = District.objects.get_or_create(slug=slugify(district_name), defaults={"name": district_name})
            for buurt, pc4s in buurten:
                neighbourhood, _ = Neighbourhood.objects.get_or_create(
                    slug=slugify(buurt), defaults={"name": buurt, "district": district})
                for pc4 in pc4s:
                    PostcodeArea.objects.get_or_create(pc4=pc4, neighbourhood=neighbourhood)

    def _facilities(self) -> None:
        self.facilities = {}
        for code, name_nl, name_en in demo_data.FACILITIES:
            self.facilities[code], _ = Facility.objects.get_or_create(
                code=code, defaults={"name_nl": name_nl, "name_en": name_en})

    def _user(self, person: Person):
        User = get_user_model()
        user = User.objects.filter(username=person.email).first()
        if user is None:
            if self._password is None:
                self._password = make_password(demo_data.DEMO_PASSWORD)  # hash once: PBKDF2 is slow on purpose
            user = User.objects.create(
                username=person.email, email=person.email, first_name=person.first_name, last_name=person.last_name,
                password=self._password, is_staff=person.superuser, is_superuser=person.superuser)
            self.report.created["users"] += 1
        Profile.objects.get_or_create(user=user, defaults={
            "role": person.role, "postcode": person.postcode, "phone": person.phone,
            "organisation": person.organisation, "adult_declared": not person.superuser, "language": person.language,
        })
        if person in demo_data.DEMO_ACCOUNTS:
            self._account_layer(user, person)
        self.users[person.email] = user
        return user

    def _account_layer(self, user, person: Person) -> None:
        """The demo accounts are pre-verified (allauth's address row); the municipality and admin accounts get the
        documented authenticator secret (`demo_data.DEMO_TOTP_SECRET`), as two-factor is required for them."""
        from allauth.account.models import EmailAddress
        from allauth.mfa.models import Authenticator
        from allauth.mfa.totp.internal.auth import TOTP

        EmailAddress.objects.get_or_create(user=user, email=person.email, defaults={"verified": True, "primary": True})
        if person.role in ("municipality", "admin") and not Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, demo_data.DEMO_TOTP_SECRET)

    def _people(self) -> None:
        for person in [*demo_data.DEMO_ACCOUNTS, *demo_data.RESIDENTS, *demo_data.ASSOCIATION_CONTACTS,
                       *(h.volunteer for h in demo_data.HOUSES)]:
            if person.email not in self.users:
                self._user(person)
        self.residents = [self.users[p.email] for p in demo_data.RESIDENTS]
        self.pc4 = {p.email: "".join(ch for ch in p.postcode if ch.isdigit())[:4] for p in demo_data.RESIDENTS}

    def _houses(self) -> None:
        for data in demo_data.HOUSES:
            house, created = House.objects.get_or_create(slug=data.slug, defaults={
                "name": data.name, "house_type": data.house_type, "operator_type": data.operator_type,
                "operator_name": data.operator_name, "description": data.description, "house_rules": data.house_rules,
                "email": data.email, "phone": data.phone, "discount_percent": data.discount_percent,
                "neighbourhood_residents_only": data.neighbourhood_residents_only,
                "neighbourhood": Neighbourhood.objects.get(name=data.neighbourhood),
            })
            self.report.created["houses"] += created
            self.houses[data.slug] = house
            self.slug_of[house.pk] = data.slug
            if not house.opening_hours.exists():
                OpeningHours.objects.bulk_create(
                    OpeningHours(house=house, weekday=weekday, opens=opens, closes=closes)
                    for weekday, (opens, closes) in sorted(data.hours.items()))
            for loc in data.locations:
                location, _ = Location.objects.get_or_create(house=house, name=loc.name, defaults={
                    "street": loc.street, "postcode": loc.postcode, "step_free_entrance": loc.step_free_entrance,
                    "threshold_max_2cm": loc.threshold_max_2cm, "door_width_cm": loc.door_width_cm, "lift": loc.lift,
                    "accessible_toilet": loc.accessible_toilet,
                    "disabled_parking_distance_m": loc.disabled_parking_distance_m,
                    "public_transport_distance_m": loc.public_transport_distance_m, "hearing_loop": loc.hearing_loop,
                    "screening_date": loc.screening_date, "screening_status": loc.screening_status,
                })
                coordinates = demo_data.LOCATION_COORDINATES.get(loc.name)
                if coordinates and location.latitude is None:
                    location.latitude, location.longitude = coordinates
                    location.save(update_fields=["latitude", "longitude"])
                for r in loc.rooms:
                    room, created = Room.objects.get_or_create(house=house, name=r.name, defaults={
                        "location": location, "description": r.description, "capacity": r.capacity,
                        "area_m2": r.area_m2, "deposit_cents": r.deposit, "cleaning_fee_cents": r.cleaning,
                        "buffer_minutes": r.buffer, "private_events_allowed": r.private_events_allowed,
                    })
                    if created:
                        self.report.created["rooms"] += 1
                        room.facilities.set([self.facilities[code] for code in r.facilities])
                        tariffs = [(TariffTier.PRIVATE, TariffUnit.HOUR, r.private_hour),
                                   (TariffTier.ASSOCIATION, TariffUnit.HOUR, r.association_hour),
                                   (TariffTier.OTHER, TariffUnit.HOUR, r.other_hour)]
                        if r.private_daypart:
                            tariffs.append((TariffTier.PRIVATE, TariffUnit.DAYPART, r.private_daypart))
                        Tariff.objects.bulk_create(Tariff(room=room, tier=tier, unit=unit, amount_cents=cents)
                                                   for tier, unit, cents in tariffs)
                    self.rooms[(data.slug, r.name)] = room
            member_role = (Membership.MemberRole.OPERATOR if data.operator_type == OperatorType.PROFESSIONAL
                           else Membership.MemberRole.BOARD)
            Membership.objects.get_or_create(user=self.users[data.volunteer.email], house=house,
                                             defaults={"role": member_role})

    def _caps(self) -> None:
        """City-wide defaults (for a party also the version a year before, `EARLIER_CAPS`) and one override, set by
        the municipality (audited) when missing, oldest first."""
        officer = self.users["gemeente@example.org"]
        current_from = self.now - dt.timedelta(days=PAST_DAYS + 30)
        for kind, cap in demo_data.DEFAULT_CAPS.items():
            versions = CapRule.objects.filter(kind=kind, house__isnull=True).order_by("effective_from")
            first = versions.first()
            if kind in EARLIER_CAPS and versions.count() < 2:
                earlier, reason = EARLIER_CAPS[kind]
                since = make_local(first.effective_from, dt.time(10)) if first else current_from
                with clock_at(since - dt.timedelta(days=365)):
                    services.cap_rule_set(actor=officer, kind=kind, cap=earlier, reason=reason)
            if first is None:
                with clock_at(current_from):
                    services.cap_rule_set(actor=officer, kind=kind, cap=cap,
                                          reason=CURRENT_CAPS_REASON if kind in EARLIER_CAPS else "")
        with clock_at(current_from):
            for data in demo_data.HOUSES:
                if data.party_cap_override and not CapRule.objects.filter(kind=PARTY, house=self.houses[data.slug]).exists():
                    cap, reason = data.party_cap_override
                    services.cap_rule_set(actor=officer, kind=PARTY, cap=cap, house=self.houses[data.slug], reason=reason)

    def _reset(self) -> None:
        """Remove the demo houses' invoices (with their numbering), bookings (their audit entries go with them),
        meldingen and closures."""
        houses = list(self.houses.values())
        invoices = Invoice.objects.filter(house__in=houses)
        AuditEntry.objects.filter(object_type="invoice",
                                  object_id__in=[str(pk) for pk in invoices.values_list("pk", flat=True)]).delete()
        InvoiceLine.objects.filter(invoice__house__in=houses).exclude(credits_line=None).delete()
        InvoiceLine.objects.filter(invoice__house__in=houses).delete()  # the lines protect bookings and invoices
        invoices.exclude(credits=None).delete()
        invoices.delete()
        InvoiceSequence.objects.filter(house__in=houses).delete()
        closure_ids = [str(pk) for pk in Closure.objects.filter(house__in=houses).values_list("pk", flat=True)]
        AuditEntry.objects.filter(object_type="closure", object_id__in=closure_ids).delete()
        Closure.objects.filter(house__in=houses).delete()
        Melding.objects.filter(house__in=houses).delete()
        PaymentEntry.objects.filter(booking__house__in=houses).delete()  # the ledger protects its bookings
        self.report.reset, _ = Booking.objects.filter(house__in=houses).delete()

    # --- time helpers --------------------------------------------------------------------------------------------

    def _at(self, day: dt.date, start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
        s, e = _hm(start), _hm(end)
        return make_local(day, s), make_local(day + dt.timedelta(days=1) if e <= s else day, e)

    def _possible(self, room: Room, start: dt.datetime, end: dt.datetime) -> bool:
        """Open and not closed (the rules' place rules), so the services refuse only what a real booker would bump
        into (a slot taken meanwhile)."""
        return rules.place_refusal(room, start, end) is None

    def _notice(self, kind: str) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.min_notice_hours(kind))

    def _timeline(self, kind: str, start: dt.datetime, end: dt.datetime, outcome: str) -> dict[str, dt.datetime]:
        """When each step of a booking's story happened, all before now and in the order the rules allow."""
        rng, now, hour, day = self.rng, self.now, dt.timedelta(hours=1), dt.timedelta(days=1)
        quick = kind == KOFFIETAFEL  # a funeral: requested a few days ahead, decided within hours
        if outcome == REQUESTED:
            return {"requested": now - hour * rng.uniform(1, 96)}
        if outcome == APPROVED:
            decided = now - hour * rng.uniform(2, 72)
            return {"requested": decided - hour * rng.uniform(3, 72), "decided": decided}
        if quick:
            lead = hour * rng.uniform(30, 96)
        elif kind == ASSOCIATION:
            lead = day * rng.uniform(5, 30)
        else:
            lead = day * rng.uniform(16, 75)
        lead = max(lead, self._notice(kind) + 6 * hour)
        t = {"requested": start - lead}
        if t["requested"] > now - 2 * hour:
            # A coming booking: requested recently (moving the request earlier only lengthens the notice).
            t["requested"] = now - (hour if quick else day) * rng.uniform(2, 20)
        if outcome == EXPIRED:
            deadline = min(t["requested"] + day * self.settings.decision_days, start)
            t["expired"] = min(deadline + hour * rng.uniform(1, 12), now - hour)
            return t
        t["decided"] = min(t["requested"] + hour * (rng.uniform(1, 6) if quick else rng.uniform(6, 96)),
                           start - hour, now - hour)
        t["paid"] = min(t["decided"] + hour * (rng.uniform(0.5, 4) if quick else rng.uniform(6, 120)),
                        start - hour / 2, now - hour / 2)
        if outcome == CANCELLED:
            latest = min(start, now) - hour
            if latest > t["paid"]:
                t["cancelled"] = t["paid"] + (latest - t["paid"]) * rng.uniform(0.2, 0.9)
            else:
                t["cancelled"] = t["paid"] + dt.timedelta(minutes=5)
        t["settled"] = end + day * rng.uniform(1, 5)
        return t

    # --- one booking's story, through the services --------------------------------------------------------------

    def _approver(self, room: Room):
        return self.users[self.house_data[self.slug_of[room.house_id]].volunteer.email]

    def book(self, *, room: Room, kind: str, start: dt.datetime, end: dt.datetime, guests: int, booker, title: str,
             outcome: str, alcohol: bool = False, timeline: dict[str, dt.datetime] | None = None,
             reason: str = "") -> Booking | None:
        """Request a booking at its request moment and take it to `outcome`. None when the services refuse it."""
        t = timeline or self._timeline(kind, start, end, outcome)
        approver = self._approver(room)
        try:
            with clock_at(t["requested"]):
                booking = services.booking_request(booker=booker, room=room, kind=kind, start=start, end=end,
                                                   guests=guests, alcohol=alcohol, title=title)
        except (SlotTaken, CapReached, RuleViolation) as exc:
            self.report.skipped[exc.code] += 1
            return None
        if outcome == REQUESTED:
            return booking
        if outcome == EXPIRED:
            with clock_at(t["expired"]):
                return services.booking_expire(booking=booking)
        if outcome == REJECTED:
            with clock_at(t["decided"]):
                return services.booking_reject(booking=booking, actor=approver,
                                               reason=reason or self.rng.choice(demo_data.REJECTION_REASONS))
        try:
            with clock_at(t["decided"]):
                booking = services.booking_approve(booking=booking, actor=approver)
        except CapReached:
            self.report.skipped["cap_reached_at_approval"] += 1
            with clock_at(t["decided"]):
                return services.booking_reject(booking=booking, actor=approver,
                                               reason="Het maximum voor dit jaar is bereikt.")
        if booking.status == BookingStatus.APPROVED and outcome != APPROVED:
            with clock_at(t["paid"]):
                booking = services.booking_mark_paid(booking=booking, actor=approver)
        if outcome == CANCELLED:
            with clock_at(t["cancelled"]):
                return services.booking_cancel(booking=booking, actor=booker,
                                               reason=reason or self.rng.choice(demo_data.CANCELLATION_REASONS))
        if booking.status in BookingStatus.COUNTING and kind in PRIVATE_KINDS:
            self.counted[(self.slug_of[room.house_id], kind, booking.local_year)] += 1
        settled = t.get("settled")
        if (booking.status == BookingStatus.CONFIRMED and booking.deposit_cents and settled and settled < self.now
                and self.rng.random() < 0.92):
            retain = 2500 if self.rng.random() < 0.06 else 0
            with clock_at(settled):
                booking = services.booking_refund_deposit(booking=booking, actor=approver, retain_cents=retain,
                                                          reason="Gebroken glaswerk" if retain else "")
        return booking

    def _span(self, room: Room, day: dt.date, start: str, end: str,
              not_before: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime] | None:
        """`start`–`end` on `day` if `room` is open and not closed then (and it is not before `not_before`)."""
        try:
            span = self._at(day, start, end)
        except InvalidLocalTime:
            return None
        if (not_before is not None and span[0] < not_before) or not self._possible(room, *span):
            return None
        return span

    def _book_first(self, *, room: Room, weekday: int | None, from_day: dt.date, start: str, end: str,
                    not_before: dt.datetime | None = None, timeline: dict[str, dt.datetime] | None = None,
                    timeline_for=None, **kwargs) -> Booking | None:
        """Book the first possible day (on `weekday`, if given) from `from_day` on, trying up to ten weeks.

        `timeline_for(start)` gives the story's moments when they depend on the day found."""
        for offset in range(70):
            day = from_day + dt.timedelta(days=offset)
            if weekday is not None and day.weekday() != weekday:
                continue
            span = self._span(room, day, start, end, not_before)
            if span is None:
                continue
            booking = self.book(room=room, start=span[0], end=span[1],
                                timeline=timeline_for(span[0]) if timeline_for else timeline, **kwargs)
            if booking is not None:
                return booking
        self.report.skipped["scenario_not_placed"] += 1
        return None

    # --- bookings ------------------------------------------------------------------------------------------------

    def _closures(self) -> None:
        """Christmas at De Kastanje, summer at Het Kamerke, maintenance at De Mergel (past) and De Linde (coming)."""
        midnight = clock.local_midnight
        plans: list[tuple[str, str | None, dt.date, dt.date, str]] = []
        for year in (self.today.year - 1, self.today.year):
            plans.append(("de-kastanje", None, dt.date(year, 12, 24), dt.date(year + 1, 1, 2), "Kerstsluiting"))
        summer = self.today.year if dt.date(self.today.year, 7, 15) <= self.today else self.today.year - 1
        plans.append(("het-kamerke", None, dt.date(summer, 7, 13), dt.date(summer, 8, 10), "Zomersluiting"))
        plans.append(("de-mergel", "Zaal", self.today - dt.timedelta(days=100), self.today - dt.timedelta(days=93),
                      "Onderhoud: nieuwe vloer"))
        plans.append(("de-linde", "Gymzaal", self.today + dt.timedelta(days=30), self.today + dt.timedelta(days=37),
                      "Schilderwerk"))
        for slug, room_name, first, until, reason in plans:
            if until < self.window_start or first > self.window_end:
                continue
            house = self.houses[slug]
            room = self.rooms[(slug, room_name)] if room_name else None
            start = midnight(first)
            with clock_at(min(start - dt.timedelta(days=45), self.now - dt.timedelta(hours=2))):
                services.closure_create(actor=self.users[self.house_data[slug].volunteer.email],
                                                  house=house, room=room, start=start, end=midnight(until),
                                                  reason=reason)
            self.report.created["closures"] += 1

    def _scenario(self) -> None:
        """The bookings the demo accounts look at first (SPEC §9)."""
        u, r, now, today = self.users, self.rooms, self.now, self.today
        hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
        bewoner, bestuur_house = u["bewoner@example.org"], "de-kastanje"

        # Pending requests for bestuur@example.org, newest last: a party that would be the house's 12th this year,
        # a gathering, a koffietafel for the day after tomorrow and a one-off concert of the choir.
        self._book_first(room=r[(bestuur_house, "Grote zaal")], weekday=5, from_day=today + 18 * day, start="20:00",
                         end="01:00", kind=PARTY, guests=90, booker=u["jos.hermans@example.org"], alcohol=True,
                         title="Verjaardag (60 jaar)", outcome=REQUESTED,
                         timeline={"requested": now - 27 * hour})
        self._book_first(room=r[(bestuur_house, "Soos")], weekday=6, from_day=today + 24 * day, start="13:00",
                         end="17:00", kind=GATHERING, guests=35, booker=u["noor.debie@example.org"], alcohol=False,
                         title="Babyshower", outcome=REQUESTED, timeline={"requested": now - 50 * hour})
        self._book_first(room=r[(bestuur_house, "Soos")], weekday=None, from_day=today + 2 * day, start="11:00",
                         end="14:00", not_before=now + 30 * hour, kind=KOFFIETAFEL, guests=45,
                         booker=u["twan.vanderhorst@example.org"], title="Koffietafel na de uitvaart",
                         outcome=REQUESTED, timeline={"requested": now - 3 * hour})
        self._book_first(room=r[(bestuur_house, "Grote zaal")], weekday=6, from_day=today + 10 * day, start="14:00",
                         end="17:00", kind=ASSOCIATION, guests=110, booker=u["vereniging@example.org"],
                         title="Concert Gemengd Koor Maasklanken", outcome=REQUESTED,
                         timeline={"requested": now - 20 * hour})

        # bewoner@example.org: one coming booking approved and waiting for payment, one confirmed, and history.
        self._book_first(room=r[(bestuur_house, "Soos")], weekday=5, from_day=today + 21 * day, start="15:00",
                         end="19:00", kind=GATHERING, guests=40, booker=bewoner, title="Reünie", outcome=APPROVED,
                         timeline={"requested": now - 4 * day, "decided": now - 22 * hour})
        self._book_first(room=r[("de-kleine-brug", "Maaszaal")], weekday=5, from_day=today + 35 * day,
                         start="20:00", end="01:00", kind=PARTY, guests=60, booker=bewoner, alcohol=True,
                         title="Verjaardag (40 jaar)", outcome=CONFIRMED,
                         timeline={"requested": now - 20 * day, "decided": now - 18 * day, "paid": now - 15 * day})
        self._book_first(room=r[("de-kleine-brug", "Bovenzaal")], weekday=None, from_day=today - 120 * day,
                         start="13:30", end="16:30", kind=KOFFIETAFEL, guests=25, booker=bewoner,
                         title="Koffietafel na de uitvaart", outcome=CONFIRMED,
                         timeline_for=lambda start: {"requested": start - 50 * hour, "decided": start - 46 * hour,
                                                     "paid": start - 30 * hour, "settled": start + 3 * day})
        self._book_first(room=r[(bestuur_house, "Soos")], weekday=6, from_day=today - 45 * day, start="14:00",
                         end="17:00", kind=GATHERING, guests=30, booker=bewoner, title="Familiedag",
                         outcome=CANCELLED, reason="Datum verzet.",
                         timeline_for=lambda start: {"requested": start - 40 * day, "decided": start - 38 * day,
                                                     "paid": start - 35 * day, "cancelled": start - 20 * day})

    def _series(self) -> None:
        """Weekly association bookings: each a real series (`series_create`), requested for the season in one go and
        approved by the board; the rules skip closed days and taken slots. The last one is still a request, so the
        board's inbox shows a series to decide."""
        for index, s in enumerate(demo_data.SERIES):
            room = self.rooms[(s.house, s.room)]
            contact = self.users[s.contact]
            next_day = self.today + dt.timedelta(days=(s.weekday - self.today.weekday()) % 7)
            first = next_day - dt.timedelta(weeks=s.weeks_back)
            last = next_day + dt.timedelta(weeks=s.weeks_ahead - 1)
            pending = index == len(demo_data.SERIES) - 1
            if pending:  # requested yesterday, for the coming weeks
                first, requested = next_day + dt.timedelta(weeks=1), self.now - dt.timedelta(days=1)
            else:
                requested = make_local(first - dt.timedelta(days=10), dt.time(10, 0))
            try:
                with clock_at(requested):
                    series = services.series_create(
                        booker=contact, room=room, kind=ASSOCIATION, rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAYS[s.weekday]}",
                        start_time=s.start, end_time=s.end, first_date=first, until=last, guests=s.guests,
                        title=s.title)
            except (SlotTaken, InvalidInput) as exc:
                self.report.skipped[f"series_{exc.code}"] += 1
                continue
            self.report.created["series"] += 1
            self.report.skipped["series_closed"] += series.skips.filter(reason="closure").count()
            if pending:
                continue
            with clock_at(requested + dt.timedelta(days=2)):
                services.series_approve(series=series, actor=self._approver(room), reason="Veel plezier dit seizoen!")
            if index == 0:
                # The choir skips one coming rehearsal: cancelled by the association two days ago.
                coming = series.occurrences.filter(start__gt=self.now + dt.timedelta(days=7)).order_by("start").first()
                if coming:
                    with clock_at(self.now - dt.timedelta(days=2)):
                        services.booking_cancel(booking=coming, actor=contact, reason="Geen repetitie: concert elders.")

    def _limit(self, slug: str, kind: str, year: int) -> int:
        """How many counted bookings the generator may make: one below the cap for the near-cap house this year,
        elsewhere at least three below (and at most three quarters of) the cap: one house stands out as close."""
        cap = demo_data.DEFAULT_CAPS[kind]
        override = self.house_data[slug].party_cap_override
        if kind == PARTY and override:
            cap = override[0]
        if slug == demo_data.NEAR_CAP_HOUSE and kind == PARTY and year == self.today.year:
            return cap - 1
        return min(cap * 3 // 4, cap - 3)

    def _outcome(self, kind: str, start: dt.datetime, end: dt.datetime) -> str:
        roll = self.rng.random()
        if end <= self.now - dt.timedelta(days=1):
            return CONFIRMED if roll < 0.82 else CANCELLED if roll < 0.88 else REJECTED if roll < 0.94 else EXPIRED
        if start <= self.now:
            return CONFIRMED
        ahead, notice = start - self.now, self._notice(kind)
        if roll < 0.62:
            return CONFIRMED
        if roll < 0.76:
            return APPROVED if ahead >= notice + dt.timedelta(days=1) else CONFIRMED
        if roll < 0.88:
            return REQUESTED if ahead >= notice + dt.timedelta(hours=2) else CONFIRMED
        return CANCELLED

    def _guests(self, kind: str, capacity: int) -> int:
        if kind == KOFFIETAFEL:
            return self.rng.randint(min(20, capacity), capacity)
        if kind == PARTY:
            return self.rng.randint(max(8, capacity // 3), capacity)
        return self.rng.randint(max(6, capacity // 4), max(6, capacity * 2 // 3))

    def _private_event(self, slug: str, kind: str, week: dt.date, outcome: str | None = None) -> Booking | None:
        """Try one private event of `kind` in `slug` in the week starting `week`; None if nothing fitted."""
        data, rng = self.house_data[slug], self.rng
        rooms = [self.rooms[(slug, r.name)] for loc in data.locations for r in loc.rooms if r.private_events_allowed]
        if kind == KOFFIETAFEL:
            rooms = [room for room in rooms if room.capacity >= 20] or rooms
        room = rng.choices(rooms, weights=[room.capacity for room in rooms])[0]
        spans = []
        for weekday, start_text, end_text in PATTERNS[kind]:
            day = week + dt.timedelta(days=weekday)
            if self.window_start <= day <= self.window_end:
                span = self._span(room, day, start_text, end_text)
                # Nobody books a koffietafel weeks ahead: the funeral is a few days after the death.
                if span is not None and not (kind == KOFFIETAFEL and span[0] > self.now + dt.timedelta(days=4)):
                    spans.append(span)
        if not spans:
            return None
        start, end = rng.choice(spans)
        outcome = outcome or self._outcome(kind, start, end)
        if outcome in (CONFIRMED, APPROVED) and self.counted[(slug, kind, local(start).year)] >= self._limit(
                slug, kind, local(start).year):
            return None
        return self.book(room=room, kind=kind, start=start, end=end, guests=self._guests(kind, room.capacity),
                         booker=rng.choice(self._bookers(data)), title=rng.choice(demo_data.TITLES[kind]), outcome=outcome,
                         alcohol=kind == PARTY or (kind == GATHERING and rng.random() < 0.5))

    def _bookers(self, data: HouseData) -> list:
        """Residents who may book a private event in the house: everyone, or only its neighbourhood's residents."""
        if data.slug not in self.bookers:
            bookers = self.residents
            if data.neighbourhood_residents_only:
                pc4s = set(PostcodeArea.objects.filter(neighbourhood__name=data.neighbourhood)
                           .values_list("pc4", flat=True))
                bookers = [user for user in self.residents if self.pc4[user.username] in pc4s]
            self.bookers[data.slug] = bookers
        return self.bookers[data.slug]

    def _private_year(self) -> None:
        """Parties, gatherings and koffietafels in every house, week by week over the demo year."""
        first_monday = self.window_start - dt.timedelta(days=self.window_start.weekday())
        weeks = [first_monday + dt.timedelta(weeks=k) for k in range((self.window_end - first_monday).days // 7 + 1)]
        for data in demo_data.HOUSES:
            for week in weeks:
                for kind in (PARTY, GATHERING, KOFFIETAFEL):
                    if self.rng.random() < WEEKLY_CHANCE[kind] * data.activity:
                        self._private_event(data.slug, kind, week)

    def _near_cap(self) -> None:
        """Top the near-cap house up to one below its party cap this year (a pending request is already there)."""
        slug, year = demo_data.NEAR_CAP_HOUSE, self.today.year
        first = max(dt.date(year, 1, 1), self.window_start)
        last = min(dt.date(year, 12, 31), self.window_end)
        weeks = [first - dt.timedelta(days=first.weekday()) + dt.timedelta(weeks=k)
                 for k in range((last - first).days // 7 + 1)]
        self.rng.shuffle(weeks)
        for week in weeks * 3:
            if self.counted[(slug, PARTY, year)] >= self._limit(slug, PARTY, year):
                break
            self._private_event(slug, PARTY, week, outcome=CONFIRMED)


    # --- invoices ------------------------------------------------------------------------------------------------

    def _invoices(self) -> None:
        """The last complete month's invoice run of every demo house (`invoice_run_issue`, by the house's volunteer,
        early this month): one invoice per association whose confirmed bookings were not paid otherwise. The first
        invoice is marked paid. Skipped while the demo houses have invoices."""
        houses = list(self.houses.values())
        if Invoice.objects.filter(house__in=houses).exists():
            return
        period_end = self.today.replace(day=1) - dt.timedelta(days=1)
        period_start = period_end.replace(day=1)
        issued_at = min(make_local(period_end + dt.timedelta(days=2), dt.time(10)), self.now)
        issued = []
        for number, data in enumerate(demo_data.HOUSES, start=1):
            house, board = self.houses[data.slug], self.users[data.volunteer.email]
            with clock_at(issued_at):
                if not InvoiceSettings.objects.filter(house=house).exists():
                    invoicing.invoice_settings_update(house=house, actor=board, iban=_demo_iban(number))
                if not invoicing.invoiceable_bookings(house, period_start, period_end).exists():
                    continue
                issued += [(invoice, board) for invoice in invoicing.invoice_run_issue(
                    house=house, period_start=period_start, period_end=period_end, actor=board)]
        self.report.created["invoices"] += len(issued)
        if issued:
            invoice, board = issued[0]
            with clock_at(self.now):
                invoicing.invoice_mark_paid(invoice=invoice, actor=board,
                                            paid_on=min(invoice.issue_date + dt.timedelta(days=10), self.today))


def seed(*, reset: bool = False, random_seed: int = demo_data.RANDOM_SEED) -> Report:
    """Build the demo in one transaction, with outgoing mail switched off, and say what happened.

    Safe to run again: existing objects are kept, and bookings are added only while the demo houses have none
    (`reset=True`: their bookings, meldingen and closures are removed first and made anew around today)."""
    # Seeding would otherwise mail every request, approval and melding (console backend: to the terminal).
    # Once MAILERS is set (Django 6.1) it is used instead of the deprecated EMAIL_BACKEND.
    with override_settings(MAILERS={"default": {"BACKEND": DUMMY_MAIL}}), transaction.atomic():
        return DemoSeeder(seed=random_seed).run(reset=reset)

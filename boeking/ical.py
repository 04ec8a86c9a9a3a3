"""iCalendar (RFC 5545) feeds and single events, built with `icalendar` 7. Pure functions over querysets.

The one place for:
- UIDs: `booking_uid` (`booking-<pk>@<host>`, private feeds, single events, mail attachments), `busy_uid`
  (`booking-<pk>-busy@<host>`, public feeds: a busy block is not the booking, so a client holding both calendars
  never merges them) and `closure_uid`;
- SEQUENCE: `Booking.sequence`, raised by every status change (`boeking.services.transitions.transition`); a service
  that moves a booking in time raises it too, so a client that holds the event replaces it;
- the iTIP method of a single booking sent by mail (`itip_method`): PUBLISH while it holds its slot, CANCEL (with
  STATUS:CANCELLED, the same UID and the higher SEQUENCE) once it no longer does, so the event leaves the calendar;
- privacy of public events: public feeds read only `PUBLIC_FIELDS` from the database, so a name, phone number, title
  or note can never reach them;
- the feed window (30 days back, 12 months ahead) and the validators (ETag, Last-Modified) that let a conditional GET
  answer 304 without rendering.

Every event has DTSTART/DTEND with TZID=Europe/Amsterdam and the calendar carries the matching VTIMEZONE, for a
bounded range (icalendar adds none by itself). Text is escaped (`,` `;` `\\` newlines) and lines are folded by icalendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from email.message import MIMEPart
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet, Sum
from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

from . import access
from .clock import TZ, UTC, local, local_midnight, today
from .models import AuditEntry, Booking, BookingStatus, Closure, House, Room

REFRESH = dt.timedelta(hours=1)  # REFRESH-INTERVAL (RFC 7986) and X-PUBLISHED-TTL (Outlook); Google ignores both
DAYS_BACK = 30
DAYS_AHEAD = 366  # through the same date next year: 12 months ahead
LANGUAGES = ("nl", "en")
TZ_MARGIN = dt.timedelta(days=3)  # an event in the window may start before it or end after it (at most 48 hours)
END = b"END:VCALENDAR\r\n"

# The only booking columns a public feed reads: times, status, room. Nothing about who or why.
PUBLIC_FIELDS = ("pk", "status", "start", "blocked_until", "room_id", "room__name", "updated_at", "created_at",
                 "sequence")
PRIVATE_FIELDS = ("pk", "kind", "status", "start", "end", "title", "guests", "alcohol", "booker_id", "booker_name",
                  "booker_phone", "organisation", "house_id", "room__name", "house__name", "room__location__street",
                  "room__location__postcode", "room__location__city", "updated_at", "created_at", "sequence")
CLOSURE_FIELDS = ("pk", "start", "end", "reason", "room_id", "room__name")

TEXT = {
    "busy": {"nl": "Bezet", "en": "Busy"},
    "closed": {"nl": "Gesloten", "en": "Closed"},
    "kind": {"nl": "Soort", "en": "Kind"},
    "status": {"nl": "Status", "en": "Status"},
    "room": {"nl": "Zaal", "en": "Room"},
    "booker": {"nl": "Aanvrager", "en": "Booked by"},
    "organisation": {"nl": "Organisatie", "en": "Organisation"},
    "phone": {"nl": "Telefoon", "en": "Phone"},
    "guests": {"nl": "Gasten", "en": "Guests"},
    "alcohol": {"nl": "Alcohol", "en": "Alcohol"},
    "yes": {"nl": "ja", "en": "yes"},
    "no": {"nl": "nee", "en": "no"},
    "title": {"nl": "Omschrijving", "en": "Description"},
    "private_name": {"nl": "Zaalboek: mijn agenda", "en": "Zaalboek: my calendar"},
    "private_desc": {"nl": "Uw boekingen (en als bestuurslid: alle boekingen van uw huizen). Persoonlijke link: "
                           "deel hem niet.",
                     "en": "Your bookings (and as a board member: all bookings of your houses). Personal link: "
                           "do not share it."},
    "public_desc": {"nl": "Wanneer {what} bezet of gesloten is. Zonder namen of omschrijvingen.",
                    "en": "When {what} is busy or closed. Without names or descriptions."},
}
KINDS = {
    "nl": {"party": "Feest", "koffietafel": "Koffietafel", "gathering": "Bijeenkomst",
           "association": "Verenigingsactiviteit", "community": "Activiteit van het huis"},
    "en": {"party": "Party", "koffietafel": "Koffietafel (after a funeral)", "gathering": "Gathering",
           "association": "Association activity", "community": "House activity"},
}
STATUSES = {
    "nl": {"requested": "Aangevraagd", "approved": "Goedgekeurd, wacht op betaling", "confirmed": "Bevestigd",
           "rejected": "Afgewezen", "cancelled": "Geannuleerd", "expired": "Verlopen"},
    "en": {"requested": "Requested", "approved": "Approved, awaiting payment", "confirmed": "Confirmed",
           "rejected": "Rejected", "cancelled": "Cancelled", "expired": "Expired"},
}
# RFC 5545 STATUS: a request may still fall through (TENTATIVE); a booking that no longer holds its slot is
# CANCELLED, so a client that showed it removes it.
ICAL_STATUS = {"requested": "TENTATIVE", "approved": "TENTATIVE", "confirmed": "CONFIRMED",
               "rejected": "CANCELLED", "cancelled": "CANCELLED", "expired": "CANCELLED"}


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang]


def language(value: str | None) -> str:
    """`nl` (default) or `en`."""
    return value if value in LANGUAGES else "nl"


def host() -> str:
    return urlsplit(settings.ZAALBOEK_SITE_URL).hostname or "zaalboek.local"


def booking_uid(pk: int) -> str:
    """The booking as its booker and the board see it: stable for its whole life, whatever its status."""
    return f"booking-{pk}@{host()}"


def busy_uid(pk: int) -> str:
    """The anonymous busy block of a booking in a public feed."""
    return f"booking-{pk}-busy@{host()}"


def closure_uid(pk: int) -> str:
    return f"closure-{pk}@{host()}"


def booker_url(pk: int) -> str:
    return f"{settings.ZAALBOEK_SITE_URL}/mijn/boekingen/{pk}/"


def volunteer_url(pk: int) -> str:
    return f"{settings.ZAALBOEK_SITE_URL}/bestuur/boekingen/{pk}/"


# --- window and validators --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """What a feed shows: events that overlap `[start, end)`. Moves at local midnight."""

    start: dt.datetime
    end: dt.datetime
    moved_at: dt.datetime  # local midnight of the day it was computed: the feed may change then without any edit

    @classmethod
    def current(cls, day: dt.date | None = None) -> Window:
        day = day or today()
        return cls(start=local_midnight(day - dt.timedelta(days=DAYS_BACK)),
                   end=local_midnight(day + dt.timedelta(days=DAYS_AHEAD)), moved_at=local_midnight(day))


@dataclass(frozen=True)
class Validators:
    etag: str  # unquoted
    last_modified: dt.datetime  # aware, UTC


def closures_changed_at() -> dt.datetime | None:
    """When any closure was last created or deleted (closures have no timestamps of their own; their services audit
    every change). Global, so conservative: a change elsewhere only costs a client one full download."""
    return AuditEntry.objects.filter(object_type="closure").aggregate(at=Max("at"))["at"]


# --- the feeds --------------------------------------------------------------------------------------------------


@dataclass
class Feed:
    """One calendar: which bookings and closures it covers and how it shows them.

    `bookings` holds every booking of the feed in the window, whatever its status: its aggregate (count, latest
    `updated_at`, sum of SEQUENCE, highest id) changes with any change to any of them, cancellations included.
    """

    key: str
    name: str
    description: str
    lang: str
    window: Window
    bookings: QuerySet
    closures: QuerySet
    public: bool
    detail_house_ids: frozenset[int] = frozenset()  # private feeds: houses whose bookings show full details
    names: tuple = ()  # names shown in the feed that are not on the booking rows (house, rooms): part of the ETag
    _closures: list[dict[str, Any]] | None = field(default=None, repr=False)

    def closure_rows(self) -> list[dict[str, Any]]:
        if self._closures is None:
            self._closures = list(self.closures.order_by("start", "pk").values(*CLOSURE_FIELDS))
        return self._closures

    def validators(self) -> Validators:
        """ETag and Last-Modified from the data: three small queries, nothing rendered."""
        agg = self.bookings.aggregate(n=Count("pk"), last=Max("updated_at"), seq=Sum("sequence"), top=Max("pk"))
        closures = [(c["pk"], c["start"].isoformat(), c["end"].isoformat(), c["room_id"], c["reason"], c["room__name"])
                    for c in self.closure_rows()]
        closures_scope = self.public or bool(self.detail_house_ids)
        changed = [moment for moment in (agg["last"], closures_changed_at() if closures_scope else None,
                                         self.window.moved_at) if moment is not None]
        last_modified = max(changed).astimezone(UTC).replace(microsecond=0)
        basis = repr((self.key, self.lang, self.name, self.names, self.window.start.isoformat(),
                      self.window.end.isoformat(), agg["n"], agg["last"].isoformat() if agg["last"] else None,
                      agg["seq"], agg["top"], closures, sorted(self.detail_house_ids), host(),
                      settings.ZAALBOEK_SITE_URL))
        return Validators(etag=hashlib.sha256(basis.encode()).hexdigest()[:32], last_modified=last_modified)

    def render(self, *, stamp: dt.datetime | None = None) -> bytes:
        """The whole calendar. Two queries (bookings, closures), whatever the number of events.

        Events are serialised one at a time and joined, not kept as one tree: memory stays flat and the time linear.
        """
        stamp = stamp or self.window.moved_at
        if self.public:
            rows = self.bookings.filter(status__in=BookingStatus.HOLDING).order_by("start", "pk").values(*PUBLIC_FIELDS)
            show_room = self.key.startswith("house:")
            events = (busy_event(row, lang=self.lang, show_room=show_room) for row in rows.iterator(chunk_size=2000))
        else:
            rows = self.bookings.order_by("start", "pk").values(*PRIVATE_FIELDS)
            events = (booking_event(row, view="volunteer" if row["house_id"] in self.detail_house_ids else "booker",
                                    lang=self.lang) for row in rows.iterator(chunk_size=2000))
        chunks = [event.to_ical() for event in events]
        chunks += [closure_event(closure, lang=self.lang, stamp=stamp).to_ical() for closure in self.closure_rows()]
        cal = _calendar(self.name, self.description, self.lang)
        # The VTIMEZONE every event refers to (what `Calendar.add_missing_timezones` would add), bounded by the window.
        cal.add_component(Timezone.from_tzid(TZ.key, first_date=(self.window.start - TZ_MARGIN).date(),
                                             last_date=(self.window.end + TZ_MARGIN).date()))
        head = cal.to_ical()
        assert head.endswith(END)
        return b"".join([head[:-len(END)], *chunks, END])


def room_feed(room: Room, *, lang: str = "nl", window: Window | None = None) -> Feed:
    """Public: when `room` is busy (bookings that hold it, each with its cleaning buffer, as on /availability/) or
    closed (the whole house or this room)."""
    window = window or Window.current()
    what = f"{room.name} ({room.house.name})"
    return Feed(key=f"room:{room.pk}", name=f"{_t('busy', lang)}: {what}",
                description=_t("public_desc", lang).format(what=what), lang=lang, window=window,
                bookings=Booking.objects.filter(room=room).in_period(window.start, window.end),
                closures=Closure.objects.affecting(room, window.start, window.end), public=True,
                names=(room.name, room.house.name))


def house_feed(house: House, *, lang: str = "nl", window: Window | None = None) -> Feed:
    """Public: when each room of `house` is busy, and when the house or one of its rooms is closed."""
    window = window or Window.current()
    rooms = tuple(house.rooms.order_by("pk").values_list("pk", "name"))
    return Feed(key=f"house:{house.pk}", name=f"{_t('busy', lang)}: {house.name}",
                description=_t("public_desc", lang).format(what=house.name), lang=lang, window=window,
                bookings=Booking.objects.filter(house=house).in_period(window.start, window.end),
                closures=Closure.objects.filter(house=house, start__lt=window.end, end__gt=window.start), public=True,
                names=(house.name, rooms))


def private_feed(user, *, window: Window | None = None) -> Feed:
    """The token holder's calendar, in their profile's language, every status (a booking that no longer holds its
    slot is STATUS:CANCELLED):
    - their own bookings, and the occurrences of series they asked for (associations);
    - as a volunteer: every booking of their houses with full details (booker, phone, guests, status), and closures.
    """
    window = window or Window.current()
    profile = getattr(user, "profile", None)
    lang = language(profile.language if profile else None)
    house_ids = access.volunteer_house_ids(user)
    mine = Q(booker=user) | Q(series__booker=user) | Q(house_id__in=house_ids)
    return Feed(key=f"user:{user.pk}", name=_t("private_name", lang), description=_t("private_desc", lang), lang=lang,
                window=window,
                bookings=Booking.objects.filter(mine, start__lt=window.end, end__gt=window.start),
                closures=Closure.objects.filter(house_id__in=house_ids, start__lt=window.end, end__gt=window.start),
                public=False, detail_house_ids=house_ids)


# --- one booking ------------------------------------------------------------------------------------------------


def itip_method(status: str) -> str:
    """How a mail carries a booking in `status` (RFC 5546): PUBLISH while it holds its slot (add or update the
    event), CANCEL once it no longer does (cancelled, rejected, expired: remove the event)."""
    return "PUBLISH" if status in BookingStatus.HOLDING else "CANCEL"


def organizer() -> vCalAddress:
    """The organiser of every single-booking event: the address Zaalboek's mail comes from (RFC 5546 wants one in
    PUBLISH and CANCEL, and a client matches a cancellation to the event it holds by UID and organiser)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    value = vCalAddress(f"mailto:{address or 'noreply@' + host()}")
    value.params["CN"] = vText(name or "Zaalboek")
    return value


def booking_calendar(booking: Booking, *, view: str, lang: str = "nl", method: str = "PUBLISH") -> bytes:
    """One booking as a calendar (a download, a mail attachment). `view`: `booker` or `volunteer` (full details and a
    link to the board's page). `method`: PUBLISH (default) or CANCEL (`itip_method`); the event is the same either
    way: UID `booking_uid`, SEQUENCE `Booking.sequence`, STATUS CANCELLED for a booking that no longer holds its slot.
    """
    if method not in ("PUBLISH", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    row = Booking.objects.filter(pk=booking.pk).values(*PRIVATE_FIELDS).get()
    cal = _calendar(None, None, lang)
    cal.add("method", method)
    event = booking_event(row, view=view, lang=lang)
    event.add("organizer", organizer())
    cal.add_component(event)
    start, end = local(row["start"]), local(row["end"])
    # A bounded VTIMEZONE: the calendar years the booking touches, both DST changes included.
    _add_timezone(cal, start.replace(month=1, day=1), end.replace(month=12, day=31))
    return cal.to_ical()


def booking_attachment(booking: Booking, *, lang: str = "nl", view: str = "booker") -> MIMEPart:
    """`boeking-<pk>.ics` for a mail about the booking: text/calendar with the method of `itip_method` — PUBLISH on
    confirmation or a change of time (Outlook, Apple Mail and Gmail offer "add to calendar" or update the event they
    hold), CANCEL on cancellation (they remove it). `view="volunteer"` for the board's copy."""
    method = itip_method(Booking.objects.values_list("status", flat=True).get(pk=booking.pk))  # as stored now
    part = MIMEPart()
    part.set_content(booking_calendar(booking, view=view, lang=lang, method=method).decode(), subtype="calendar",
                     charset="utf-8", params={"method": method}, disposition="attachment",
                     filename=f"boeking-{booking.pk}.ics")
    return part


# --- building blocks --------------------------------------------------------------------------------------------


def _calendar(name: str | None, description: str | None, lang: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", f"-//Zaalboek//Zaalboek {settings.ZAALBOEK_MUNICIPALITY_NAME}//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if name:
        # NAME is RFC 7986; Google and Outlook read X-WR-CALNAME. vText: escaped like any TEXT value.
        cal.add("name", vText(name))
        cal.add("x-wr-calname", vText(name))
        cal.add("x-wr-caldesc", vText(description or ""))
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(REFRESH))
    return cal


def _add_timezone(cal: Calendar, first: dt.datetime, last: dt.datetime) -> None:
    """VTIMEZONE for Europe/Amsterdam over a bounded range, a few days beyond the events."""
    cal.add_missing_timezones(first_date=(first - TZ_MARGIN).date(), last_date=(last + TZ_MARGIN).date())


def _local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(TZ)


def _common(event: Event, *, uid: str, row: dict[str, Any]) -> None:
    event.add("uid", uid)
    event.add("dtstamp", row["updated_at"].astimezone(UTC))
    event.add("created", row["created_at"].astimezone(UTC))
    event.add("last-modified", row["updated_at"].astimezone(UTC))
    event.add("sequence", row["sequence"])


def busy_event(row: dict[str, Any], *, lang: str, show_room: bool) -> Event:
    """A public busy block: `Bezet` (with the room in a house feed), from the start to the end of the cleaning
    buffer. Reads only PUBLIC_FIELDS."""
    event = Event()
    _common(event, uid=busy_uid(row["pk"]), row=row)
    event.add("summary", f"{_t('busy', lang)}: {row['room__name']}" if show_room else _t("busy", lang))
    event.add("dtstart", _local(row["start"]))
    event.add("dtend", _local(row["blocked_until"]))
    event.add("status", ICAL_STATUS[row["status"]])
    event.add("transp", "OPAQUE")
    event.add("class", "PUBLIC")
    return event


def closure_event(row: dict[str, Any], *, lang: str, stamp: dt.datetime) -> Event:
    """A closure of a house or a room, with its (public) reason."""
    event = Event()
    event.add("uid", closure_uid(row["pk"]))
    event.add("dtstamp", stamp.astimezone(UTC))
    summary = _t("closed", lang) + (f": {row['room__name']}" if row["room_id"] else "")
    event.add("summary", summary)
    event.add("description", row["reason"])
    event.add("dtstart", _local(row["start"]))
    event.add("dtend", _local(row["end"]))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _location(row: dict[str, Any]) -> str:
    parts = [row["room__name"], row["house__name"], row["room__location__street"],
             f"{row['room__location__postcode']} {row['room__location__city']}".strip()]
    return ", ".join(p for p in parts if p)


def booking_event(row: dict[str, Any], *, view: str, lang: str) -> Event:
    """A booking as its booker (`view="booker"`) or the house's board (`view="volunteer"`: booker, phone, guests)
    sees it. Cancelled, rejected and expired bookings are STATUS:CANCELLED."""
    kind = KINDS[lang].get(row["kind"], row["kind"])
    status = STATUSES[lang].get(row["status"], row["status"])
    event = Event()
    _common(event, uid=booking_uid(row["pk"]), row=row)
    who = row["organisation"] or row["booker_name"]
    if view == "volunteer":
        what = " – ".join(p for p in (kind, who) if p)
        url = volunteer_url(row["pk"])
    else:
        what = " – ".join(p for p in (kind, row["title"] or row["room__name"]) if p)
        url = booker_url(row["pk"])
    if row["status"] != BookingStatus.CONFIRMED:
        what = f"{what} ({status.split(',')[0].lower()})"
    lines = [(_t("kind", lang), kind), (_t("status", lang), status),
             (_t("room", lang), f"{row['room__name']} ({row['house__name']})")]
    if row["title"]:
        lines.append((_t("title", lang), row["title"]))
    if view == "volunteer":
        lines += [(_t("booker", lang), row["booker_name"]), (_t("organisation", lang), row["organisation"]),
                  (_t("phone", lang), row["booker_phone"])]
    lines += [(_t("guests", lang), str(row["guests"])),
              (_t("alcohol", lang), _t("yes", lang) if row["alcohol"] else _t("no", lang))]
    description = "\n".join(f"{label}: {value}" for label, value in lines if value) + f"\n\n{url}"
    event.add("summary", what)
    event.add("description", description)
    event.add("location", _location(row))
    event.add("url", url)
    event.add("dtstart", _local(row["start"]))
    event.add("dtend", _local(row["end"]))
    event.add("status", ICAL_STATUS[row["status"]])
    event.add("transp", "TRANSPARENT" if ICAL_STATUS[row["status"]] == "CANCELLED" else "OPAQUE")
    return event


__all__ = [
    "Feed", "Validators", "Window", "booking_attachment", "booking_calendar", "booking_uid", "busy_uid", "closure_uid",
    "house_feed", "itip_method", "language", "organizer", "private_feed", "room_feed",
]

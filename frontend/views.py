"""Public pages: find a room, a house, a room with its calendar and booking form. Reads with the ORM; every write
goes through boeking.services."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boeking import availability, search, services
from boeking.access import can_book, can_manage_house
from boeking.clock import local, local_midnight, now, today
from boeking.errors import DomainError
from boeking.models import Booking, BookingKind, Closure, House, Location, Room
from boeking.rules import KIND_WORDS, cap_statuses

from . import board_calendar
from .forms import DAYPART_TIMES, BookingForm, SearchForm
from .helpers import (
    apply_domain_error,
    booking_sent_message,
    bound_dates,
    feed_links,
    parse_day,
    price_rows,
    rule_rows,
)

ACCESS_FILTERS = {
    "step_free": {"location__step_free_entrance": True},
    "lift": {"location__lift": True},
    "accessible_toilet": {"location__accessible_toilet": True},
    "hearing_loop": {"location__hearing_loop": True},
}


def _rooms():
    return (Room.objects.filter(active=True, house__active=True)
            .select_related("location", "house__neighbourhood__district").prefetch_related("facilities")
            .order_by("house__name", "name", "pk"))


# Results and houses per page on the search page; the order is stated on the page ("op naam van het huis").
RESULTS_PER_PAGE = 20
MAX_PAGE = 10_000  # 200,000 results: more than there are rooms
HOUSES_PER_PAGE = 12
# PDOK's BRT-Achtergrondkaart (the Dutch government's open base map), Web Mercator tiles. Only map pages let the
# browser load images from this host (`_map_csp`).
MAP_TILE_HOST = "https://service.pdok.nl"
MAP_TILES = f"{MAP_TILE_HOST}/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{{z}}/{{x}}/{{y}}.png"
WHEELCHAIR = (Q(location__step_free_entrance=True) | Q(location__threshold_max_2cm=True)) & Q(
    location__door_width_cm__gte=85, location__accessible_toilet=True)  # Location.wheelchair_accessible, in SQL


def _map_csp(response: HttpResponse) -> HttpResponse:
    """The site's Content-Security-Policy plus images from the map's tile host, on this response only."""
    policy = dict(settings.SECURE_CSP)
    policy["img-src"] = [*policy.get("img-src", []), MAP_TILE_HOST]
    response._csp_config = policy  # what django.views.decorators.csp.csp_override sets
    return response


def _markers(locations) -> list[dict]:
    """Map markers (`json_script` data for frontend/static/frontend/map.js) for the locations that have coordinates:
    `{lat, lon, house, location, address, url}`."""
    markers = []
    for location in locations:
        if location.latitude is None or location.longitude is None:
            continue
        house = location.house
        markers.append({"lat": float(location.latitude), "lon": float(location.longitude), "house": house.name,
                        "location": location.name if location.name != house.name else "",
                        "address": f"{location.street}, {location.postcode} {location.city}",
                        "url": reverse("house", args=[house.slug])})
    return markers


def _page(request: HttpRequest, items, per_page: int):
    """Page `?page=` of `items` (an invalid or too-high number gives the nearest page, never an error)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def _page_of_ids(request: HttpRequest, rooms, day: dt.date | None, part: str, earliest: dt.datetime | None) -> Page:
    """Page `?page=` (an invalid or too-high number gives the nearest page, never an error) of the ids of `rooms`
    — of those free on `day` when given (`search.free_page`: one query when nothing changed) — with the total."""
    if not day:
        return _page(request, rooms.values_list("pk", flat=True), RESULTS_PER_PAGE)
    try:  # bounded before it becomes an OFFSET: a page past the last is the last page anyway
        number = min(max(1, int(request.GET.get("page") or 1)), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    ids, count, number = search.free_page(rooms, day, part, number, RESULTS_PER_PAGE, earliest=earliest)
    paginator = Paginator([], RESULTS_PER_PAGE)
    paginator.count = count  # a cached property: the total came with the page
    return Page(ids, number, paginator)


def _free_slots(free: list, day: dt.date) -> list[dict]:
    """The free times of `day` for display: `{start, end, continued, next_day}` in local time. A free time that
    began the evening before (open past midnight) is `continued`: shown as "until 01:00, the evening before
    continued", not as a free night slot. `next_day`: it runs past midnight into the next day."""
    lo, hi = local_midnight(day), local_midnight(day + dt.timedelta(days=1))
    return [{"start": local(max(s, lo)), "end": local(e), "continued": search.continued(s, e, lo), "next_day": e > hi}
            for s, e in free if e > lo and s < hi]


def home(request: HttpRequest) -> HttpResponse:
    """Find a room: by date and dagdeel (rooms free for that dagdeel, or with free time that day), guests,
    facilities and accessibility needs. A past date is refused at its field. Results are sorted by the name of the
    house, then of the room, `RESULTS_PER_PAGE` a page; without a search the houses are listed by name,
    `HOUSES_PER_PAGE` a page, never all at once. A constant number of queries whatever the number of rooms, and
    no row per room: `boeking.search` keeps each room's verdict per day (today's are judged live), the database
    counts and pages the free rooms, and only the page's rooms have their free times computed."""
    form = bound_dates(SearchForm(request.GET or None))
    searched = form.is_bound and any(request.GET.get(name) for name in form.fields) and form.is_valid()
    context = {"form": form, "searched": searched, "day": None, "daypart": None, "guests": None,
               "map_tiles": MAP_TILES}
    if searched:
        data = form.cleaned_data
        rooms = _rooms()
        if data.get("guests"):
            rooms = rooms.filter(capacity__gte=data["guests"])
        for facility in data.get("facilities") or []:
            rooms = rooms.filter(facilities=facility)
        needs = data.get("access") or []
        for need in needs:
            if need in ACCESS_FILTERS:
                rooms = rooms.filter(**ACCESS_FILTERS[need])
        if "wheelchair" in needs:
            rooms = rooms.filter(WHEELCHAIR)
        day, part = data.get("date"), data.get("daypart") or ""
        earliest = search.next_quarter(now()) if day == today() else None  # today: what is left of it
        # The page's ids first (sorting needs only the house) with the number found, then those rooms in full.
        page = _page_of_ids(request, rooms, day, part, earliest)
        by_pk = {room.pk: room for room in _rooms().filter(pk__in=list(page.object_list))}
        shown = [by_pk[pk] for pk in page.object_list if pk in by_pk]
        free = search.free_times(shown, day, part, earliest=earliest) if day else {}
        results = [{"room": room, "free": _free_slots(free[room.pk] or [], day) if day else None} for room in shown]
        for r in results:
            r["room"].location.house = r["room"].house  # for the map's markers: already loaded
        query = request.GET.copy()
        query.pop("page", None)
        context.update(results=results, page=page, count=page.paginator.count, day=day, query=query.urlencode(),
                       daypart=dict(form.fields["daypart"].choices).get(part) if part else None,
                       guests=data.get("guests"), room_query=_room_query(day, part, data.get("guests")),
                       markers=_markers({r["room"].location_id: r["room"].location for r in results}.values()))
    else:
        houses = (House.objects.filter(active=True).select_related("neighbourhood__district").order_by("name", "pk")
                  .prefetch_related("locations", Prefetch("rooms", queryset=Room.objects.filter(active=True)
                                                          .order_by("name", "pk").prefetch_related("facilities"))))
        page = _page(request, houses, HOUSES_PER_PAGE)
        for house in page.object_list:
            for location in house.locations.all():
                location.house = house
        context.update(houses=page.object_list, page=page, count=page.paginator.count, query="",
                       markers=_markers(loc for house in page.object_list for loc in house.locations.all()))
    return _map_csp(render(request, "frontend/home.html", context))


def _room_query(day: dt.date | None, part: str, guests: int | None) -> str:
    """What the search carries to a room's page: date (and its week), dagdeel, guests (`room_detail` reads them)."""
    query = {}
    if day:
        query.update(datum=day.isoformat(), week=day.isoformat())
    if part:
        query["dagdeel"] = part
    if guests:
        query["gasten"] = guests
    return urlencode(query)


def house_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A house: rooms, accessibility, caps this year, opening hours, closures, calendar and a map of its locations.
    A constant number of queries whatever the number of rooms, bookings and locations."""
    house = get_object_or_404(House.objects.select_related("neighbourhood__district"), slug=slug, active=True)
    locations = list(Location.objects.filter(house=house).prefetch_related(
        Prefetch("rooms", queryset=Room.objects.filter(active=True).prefetch_related("facilities", "tariffs"))))
    for location in locations:
        location.house = house
    year = today().year
    statuses = cap_statuses([house.pk], {year})
    caps = [{"kind": BookingKind(kind).label, "status": statuses[(house.pk, kind, year)], "word": KIND_WORDS[kind]}
            for kind in (BookingKind.PARTY, BookingKind.KOFFIETAFEL, BookingKind.GATHERING)]
    upcoming_closures = Closure.objects.filter(house=house, end__gte=local_midnight(today())).select_related("room")[:10]
    return _map_csp(render(request, "frontend/house.html", {
        "house": house, "locations": locations, "caps": caps, "year": year,
        "opening_hours": house.opening_hours.all(), "closures": upcoming_closures,
        "feeds": feed_links("house", house.pk, request),
        "agenda_url": reverse("house-agenda", args=[house.slug]),
        "is_volunteer": can_manage_house(request.user, house.pk),
        "markers": _markers(locations), "map_tiles": MAP_TILES,
    }))


def _week_start(request: HttpRequest) -> dt.date:
    """The Monday of the free-times table's week: `week`, else the chosen `datum` (so the table shows the week the
    calendar opens on), else this week."""
    day = parse_day(request.GET.get("week") or request.GET.get("datum"), today())
    return day - dt.timedelta(days=day.weekday())


class _BookingCreate:
    throttle_scope = "booking_create"


def _may_request_now(request: HttpRequest) -> bool:
    """The API's limit on booking requests per user (REST_FRAMEWORK booking_create), in the same bucket: the form
    is no way around it."""
    from rest_framework.throttling import ScopedRateThrottle

    return ScopedRateThrottle().allow_request(request, _BookingCreate())


def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A room: its calendar (FullCalendar plus a plain list of free times per day for keyboard and screen-reader
    users) and the booking form with a live price (htmx → room_quote)."""
    room = get_object_or_404(_rooms().select_related("house"), pk=pk)
    user = request.user
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('login')}?next={request.path}")
        form = BookingForm(request.POST, room=room, user=user)
        if form.is_valid() and not _may_request_now(request):
            form.add_error(None, _("U heeft het afgelopen uur te veel aanvragen gedaan. Probeer het later opnieuw."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.booking_request(
                    booker=user, room=room, kind=data["kind"], start=data["start"], end=data["end"],
                    guests=data["guests"], alcohol=data["alcohol"], title=data["title"], notes=data["notes"])
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, booking_sent_message(booking))
                return redirect("mijn-booking", pk=booking.pk)
    else:
        initial = {"kind": request.GET.get("soort") or BookingKind.PARTY, "guests": request.GET.get("gasten") or None}
        if request.GET.get("datum"):
            initial["date"] = parse_day(request.GET.get("datum"), today())
        for key, field in (("begin", "start_time"), ("eind", "end_time")):
            if request.GET.get(key):
                initial[field] = request.GET[key]
        if request.GET.get("dagdeel") in DAYPART_TIMES:  # carried from the search, like guests and date
            initial["daypart"] = request.GET["dagdeel"]
        form = BookingForm(initial=initial, room=room, user=user)
    week = _week_start(request)
    week_end = week + dt.timedelta(days=6)
    # One day further: the last evening's free time shows its real end (until 01:00), not midnight.
    avail = availability.room_availability(room, week, week_end + dt.timedelta(days=1))
    days = []
    for offset in range(7):
        day = week + dt.timedelta(days=offset)
        lo, hi = local_midnight(day), local_midnight(day + dt.timedelta(days=1))
        days.append({
            "date": day,
            "free": _free_slots(avail.open, day),
            "busy": [(local(max(s, lo)), local(min(e, hi))) for s, e in avail.busy if s < hi and e > lo],
            "closed": [(local(max(s, lo)), local(min(e, hi))) for s, e in avail.closed if s < hi and e > lo],
        })
    return render(request, "frontend/room.html", {
        "room": room, "house": room.house, "form": form, "days": days, "week": week,
        "prev_week": week - dt.timedelta(days=7), "next_week": week + dt.timedelta(days=7),
        "tariffs": room.tariffs.all(), "feeds": feed_links("room", room.pk, request),
        "agenda_url": reverse("room-agenda", args=[room.pk]),
        "may_book": can_book(user) if user.is_authenticated else None,
    })


@require_POST
def room_quote(request: HttpRequest, pk: int) -> HttpResponse:
    """The live price and rule results for the form as filled in so far (htmx). Writes nothing."""
    room = get_object_or_404(_rooms().select_related("house"), pk=pk)
    form = BookingForm(request.POST, room=room, user=request.user)
    context = {"room": room, "form": form, "quote": None, "error": None,
               "incomplete": not all(request.POST.get(name) for name in ("date", "guests"))}
    if form.is_valid():
        data = form.cleaned_data
        try:
            quote = services.booking_quote(
                booker=request.user if request.user.is_authenticated else None, room=room, kind=data["kind"],
                start=data["start"], end=data["end"], guests=data["guests"], alcohol=data["alcohol"])
        except DomainError as exc:
            context["error"] = exc.detail
        else:
            context["quote"] = quote
            context["lines"] = price_rows(quote.price.lines)
            context["rules"] = rule_rows(quote.rules)
            context["start"], context["end"] = local(data["start"]), local(data["end"])
    return render(request, "frontend/partials/quote.html", context)


def _agenda_range(request: HttpRequest) -> tuple[dt.date, dt.date]:
    first = parse_day(request.GET.get("start"), today())
    # FullCalendar's end is exclusive: the last local day shown is the day before.
    last = parse_day(request.GET.get("end"), first + dt.timedelta(days=7)) - dt.timedelta(days=1)
    if last < first:
        last = first
    if (last - first).days > 62:
        raise Http404("range too long")
    return first, last


def _iso(moment: dt.datetime) -> str:
    return local(moment).isoformat()


def room_agenda(request: HttpRequest, pk: int) -> JsonResponse:
    """Events for FullCalendar: busy blocks ("Bezet", no personal data) and closures, ISO 8601 with UTC offset.
    Volunteers of the house see who booked what instead (house_agenda). A constant number of queries."""
    room = get_object_or_404(Room.objects.select_related("house"), pk=pk, active=True, house__active=True)
    first, last = _agenda_range(request)
    return JsonResponse(_events(request, [room], room.house, first, last), safe=False)


def house_agenda(request: HttpRequest, slug: str) -> JsonResponse:
    """Events of every room of the house, as `room_agenda`; for its volunteers with series dates marked as such
    and each booking's conflicts (`frontend.board_calendar`). A constant number of queries whatever the number of
    rooms and bookings."""
    house = get_object_or_404(House, slug=slug, active=True)
    first, last = _agenda_range(request)
    rooms = list(Room.objects.filter(house=house, active=True))
    for room in rooms:
        room.house = house
    return JsonResponse(_events(request, rooms, house, first, last, with_room=True), safe=False)


def _events(request, rooms: list[Room], house: House, first: dt.date, last: dt.date, *, with_room: bool = False):
    events = []
    found = availability.rooms_availability(rooms, first, last)
    if can_manage_house(request.user, house.pk):
        lo, hi = local_midnight(first), local_midnight(last + dt.timedelta(days=1))
        bookings = list(Booking.objects.active().filter(room__in=rooms).in_period(lo, hi)
                        .select_related("room", "series"))
        wanted = board_calendar.wanted_slots([room.pk for room in rooms], first, last)
        marks = board_calendar.marks(bookings, wanted)
        for b in bookings:
            label = b.title or b.organisation or b.booker_name or b.get_kind_display()
            mark = marks[b.pk]
            classes = [f"zb-event--{b.status}"]
            if mark["series"]:
                label = f"{_('Reeks')}: {label}"
                classes.append("zb-event--series")
            if mark["conflicts"]:
                label = f"⚠ {label}"
                classes.append("zb-event--conflict")
            events.append({
                "id": f"b{b.pk}", "title": f"{b.room.name}: {label}" if with_room else label,
                "start": _iso(b.start), "end": _iso(b.end), "url": reverse("bestuur-booking", args=[b.pk]),
                "classNames": classes,
                "extendedProps": {"status": b.get_status_display(), "kind": b.get_kind_display(),
                                  "series": mark["series"], "conflicts": mark["conflicts"]},
            })
        names = {room.pk: room.name for room in rooms}
        for w in wanted:
            if w["end"] <= lo or w["start"] >= hi:
                continue
            title = f"{_('Reeks wil dit ook')}: {w['series'].title or w['series'].organisation or w['series'].pk}"
            events.append({"title": f"{names[w['room_id']]}: {title}" if with_room else title,
                           "start": _iso(w["start"]), "end": _iso(w["end"]),
                           "classNames": ["zb-event--wanted", "zb-event--conflict"],
                           "extendedProps": {"series": w["words"], "conflicts": [_("Niet geboekt: al bezet")]}})
        for room in rooms:
            for s, e in found[room.pk].closed:
                events.append({"title": f"{room.name}: {_('Gesloten')}" if with_room else _("Gesloten"),
                               "start": _iso(s), "end": _iso(e), "classNames": ["zb-event--closed"]})
        return events
    for room in rooms:
        avail = found[room.pk]
        busy_title = f"{room.name}: {_('Bezet')}" if with_room else _("Bezet")
        closed_title = f"{room.name}: {_('Gesloten')}" if with_room else _("Gesloten")
        events += [{"title": busy_title, "start": _iso(s), "end": _iso(e), "classNames": ["zb-event--busy"]}
                   for s, e in avail.busy]
        events += [{"title": closed_title, "start": _iso(s), "end": _iso(e), "classNames": ["zb-event--closed"]}
                   for s, e in avail.closed]
    return events


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the app runs and reaches its database."""
    House.objects.exists()
    return JsonResponse({"status": "ok"})

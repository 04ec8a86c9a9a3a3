"""Public pages: find a room, a house, a room with its calendar and booking form. Reads with the ORM; every write
goes through boeking.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boeking import availability, services
from boeking.access import can_book, can_manage_house
from boeking.clock import local, local_midnight, today
from boeking.errors import DomainError
from boeking.models import Booking, BookingKind, Closure, House, Location, Room
from boeking.rules import KIND_WORDS, cap_status

from .forms import BookingForm, SearchForm
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
            .order_by("house__name", "name"))


def home(request: HttpRequest) -> HttpResponse:
    """Find a room: by date (rooms with free time that day), guests, facilities and accessibility needs."""
    form = bound_dates(SearchForm(request.GET or None))
    rooms = _rooms()
    searched = form.is_bound and form.is_valid()
    day = None
    if searched:
        data = form.cleaned_data
        if data.get("guests"):
            rooms = rooms.filter(capacity__gte=data["guests"])
        for facility in data.get("facilities") or []:
            rooms = rooms.filter(facilities=facility)
        needs = data.get("access") or []
        for need in needs:
            if need in ACCESS_FILTERS:
                rooms = rooms.filter(**ACCESS_FILTERS[need])
        if "wheelchair" in needs:
            rooms = [r for r in rooms if r.location.wheelchair_accessible]
        day = data.get("date")
    results = []
    for room in rooms:
        free = None
        if day:
            free = availability.room_availability(room, day, day).open
            if not free:
                continue
        results.append({"room": room, "free": [(local(s), local(e)) for s, e in free] if free else None})
    houses = None
    if not searched:
        houses = (House.objects.filter(active=True).select_related("neighbourhood__district")
                  .prefetch_related("locations", Prefetch("rooms", queryset=Room.objects.filter(active=True)
                                                          .prefetch_related("facilities"))))
    return render(request, "frontend/home.html", {
        "form": form, "searched": searched, "results": results, "day": day, "houses": houses,
    })


def house_detail(request: HttpRequest, slug: str) -> HttpResponse:
    house = get_object_or_404(House.objects.select_related("neighbourhood__district"), slug=slug, active=True)
    locations = Location.objects.filter(house=house).prefetch_related(
        Prefetch("rooms", queryset=Room.objects.filter(active=True).prefetch_related("facilities", "tariffs")))
    year = today().year
    caps = []
    for kind in (BookingKind.PARTY, BookingKind.KOFFIETAFEL, BookingKind.GATHERING):
        status = cap_status(house, kind, year)
        caps.append({"kind": BookingKind(kind).label, "status": status, "word": KIND_WORDS[kind]})
    upcoming_closures = Closure.objects.filter(house=house, end__gte=local_midnight(today())).select_related("room")[:10]
    return render(request, "frontend/house.html", {
        "house": house, "locations": locations, "caps": caps, "year": year,
        "opening_hours": house.opening_hours.all(), "closures": upcoming_closures,
        "feeds": feed_links("house", house.pk, request),
        "agenda_url": reverse("house-agenda", args=[house.slug]),
        "is_volunteer": can_manage_house(request.user, house.pk),
    })


def _week_start(request: HttpRequest) -> dt.date:
    day = parse_day(request.GET.get("week"), today())
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
        form = BookingForm(initial=initial, room=room, user=user)
    week = _week_start(request)
    week_end = week + dt.timedelta(days=6)
    avail = availability.room_availability(room, week, week_end)
    days = []
    for offset in range(7):
        day = week + dt.timedelta(days=offset)
        lo, hi = local_midnight(day), local_midnight(day + dt.timedelta(days=1))
        days.append({
            "date": day,
            "free": [(local(max(s, lo)), local(min(e, hi))) for s, e in avail.open if s < hi and e > lo],
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
    Volunteers of the house see who booked what instead (house_agenda)."""
    room = get_object_or_404(Room.objects.select_related("house"), pk=pk, active=True, house__active=True)
    first, last = _agenda_range(request)
    return JsonResponse(_events(request, [room], room.house, first, last), safe=False)


def house_agenda(request: HttpRequest, slug: str) -> JsonResponse:
    house = get_object_or_404(House, slug=slug, active=True)
    first, last = _agenda_range(request)
    rooms = list(Room.objects.filter(house=house, active=True).select_related("house"))
    return JsonResponse(_events(request, rooms, house, first, last, with_room=True), safe=False)


def _events(request, rooms: list[Room], house: House, first: dt.date, last: dt.date, *, with_room: bool = False):
    events = []
    if can_manage_house(request.user, house.pk):
        lo, hi = local_midnight(first), local_midnight(last + dt.timedelta(days=1))
        for b in (Booking.objects.active().filter(room__in=rooms).in_period(lo, hi).select_related("room")):
            label = b.title or b.organisation or b.booker_name or b.get_kind_display()
            events.append({
                "id": f"b{b.pk}", "title": f"{b.room.name}: {label}" if with_room else label,
                "start": _iso(b.start), "end": _iso(b.end), "url": reverse("bestuur-booking", args=[b.pk]),
                "classNames": [f"zb-event--{b.status}"],
                "extendedProps": {"status": b.get_status_display(), "kind": b.get_kind_display()},
            })
        for room in rooms:
            for s, e in availability.room_availability(room, first, last).closed:
                events.append({"title": f"{room.name}: {_('Gesloten')}" if with_room else _("Gesloten"),
                               "start": _iso(s), "end": _iso(e), "classNames": ["zb-event--closed"]})
        return events
    for room in rooms:
        avail = availability.room_availability(room, first, last)
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

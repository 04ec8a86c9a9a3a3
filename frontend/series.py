"""Series on the web (issue 18): an association (or the house's own board) requests a recurring booking from a room's
page, with a preview of every date; its owner follows the series as one entry, cancels one date, "this and all
following" or the whole series, changes the time from a date on and restores a date that is free again.

Every plan and every write goes through `boeking.services` (the same services as `/api/v1/series/…`): the preview is
`series_quote` (the API's `series/quote`), sending is `series_create`, the changes are `booking_cancel`,
`series_cancel`, `series_split` and `series_restore_date`. Who may do what is `boeking.access`, what the state allows
is `boeking.states` (`series_actions`). The recurrence is shown in words (`occurrences.describe`), never as RRULE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from boeking import access, occurrences, services, states
from boeking.clock import local, now, today
from boeking.errors import DomainError
from boeking.models import Booking, BookingStatus, Room, Series, SeriesStatus, SkipReason
from boeking.services.series import series_quote

from .forms import SeriesCancelForm, SeriesForm, SeriesRestoreForm, SeriesTimeForm
from .helpers import apply_domain_error, is_english

# Series form fields a domain error belongs next to (the rest go at the top of the form).
SERIES_ERROR_FIELDS = {
    "invalid_guests": "guests", "guests": "guests", "end_before_start": "end_time", "too_long": "end_time",
    "horizon_too_long": "until", "until_required": "until", "too_many_occurrences": "until",
    "invalid_date": "first_date", "invalid_kind": "kind", "booker_role": "kind", "room_active": None,
}


def _lang() -> str:
    return "en" if is_english() else "nl"


def skip_words(skip) -> str:
    """Why a date cannot be booked, in the active language: the reason's label, and for a closure its name
    ("Gesloten: Kerstsluiting" / "Closed: Kerstsluiting"). `skip` is a planner `Skip` or a stored `SeriesSkip`."""
    label = str(SkipReason(skip.reason).label)
    detail = (skip.detail or "").strip()
    if skip.reason == SkipReason.CLOSURE and detail:
        name = detail.partition(": ")[2] or detail
        return f"{label}: {name}"
    if skip.reason == SkipReason.OTHER and detail:
        return detail
    return label


def _rooms():
    return Room.objects.filter(active=True, house__active=True).select_related("house", "location")


def _describe_form(data: dict) -> str:
    rule = occurrences.parse_rule(data["rrule"])
    return occurrences.describe(rule, start_time=data["start_time"], end_time=data["end_time"],
                                first_date=data["first_date"], until=data.get("until"), lang=_lang())


@dataclass
class PreviewRow:
    date: dt.date
    start: dt.datetime | None
    end: dt.datetime | None
    reason: str  # empty: bookable


def _preview(request: HttpRequest, room: Room, form: SeriesForm) -> dict:
    """The planner's answer for the form (`services.series_quote`, as the API's quote): every date with its status
    and, for a date that cannot be booked, the reason in words. Writes nothing."""
    if not form.is_valid():
        return {"preview": None}
    data = form.cleaned_data
    try:
        plan = series_quote(booker=request.user, room=room, kind=data["kind"], rrule=data["rrule"],
                                     start_time=data["start_time"], end_time=data["end_time"],
                                     first_date=data["first_date"], until=data.get("until"), guests=data["guests"])
    except DomainError as exc:
        _apply(form, exc)
        return {"preview": None}
    rows = [PreviewRow(p.date, local(p.start), local(p.end), "") for p in plan.periods]
    rows += [PreviewRow(s.date, None, None, skip_words(s)) for s in plan.skips]
    rows.sort(key=lambda row: row.date)
    return {"preview": {"rows": rows, "count": len(plan.periods), "skipped": len(plan.skips),
                        "total_cents": plan.total_cents, "words": _describe_form(data)}}


def _apply(form, exc: DomainError) -> None:
    field = SERIES_ERROR_FIELDS.get(exc.code)
    if exc.code in SERIES_ERROR_FIELDS or not exc.rules:
        form.add_error(field if field in form.fields else None, exc.detail)
    else:
        apply_domain_error(form, exc)


def _may_request(user, room: Room) -> bool:
    return bool(access.series_kinds(user, room.house_id))


def _refused(request: HttpRequest, room: Room) -> HttpResponse:
    return render(request, "frontend/series/new.html", {"room": room, "house": room.house, "refused": True},
                  status=403)


@login_required
def series_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Request a series for a room. POST `action=preview` ("Bekijk de datums", works without JavaScript) shows
    every date with its status; `action=send` requests it (`services.series_create`, the API's series create) and
    goes to the series' page. Only whoever `access.series_kinds` allows in this house (403 for others)."""
    room = get_object_or_404(_rooms(), pk=pk)
    user = request.user
    if not _may_request(user, room):
        return _refused(request, room)
    context = {"room": room, "house": room.house, "preview": None}
    if request.method == "POST":
        form = SeriesForm(request.POST, room=room, user=user)
        if request.POST.get("action") == "send":
            from .views import _may_request_now  # the booking_create limit, in the API's bucket

            if form.is_valid() and not _may_request_now(request):
                form.add_error(None, _("U heeft het afgelopen uur te veel aanvragen gedaan. "
                                       "Probeer het later opnieuw."))
            elif form.is_valid():
                data = form.cleaned_data
                try:
                    series = services.series_create(
                        booker=user, room=room, kind=data["kind"], rrule=data["rrule"], start_time=data["start_time"],
                        end_time=data["end_time"], first_date=data["first_date"], until=data.get("until"),
                        guests=data["guests"], title=data["title"])
                except DomainError as exc:
                    _apply(form, exc)
                else:
                    if series.status == SeriesStatus.APPROVED:
                        messages.success(request, _("De reeks is vastgelegd."))
                    else:
                        messages.success(request, _("Uw aanvraag voor de reeks is verstuurd. Het bestuur van "
                                                    "%(house)s beslist over de hele reeks.") % {"house": room.house.name})
                    return redirect("mijn-series", pk=series.pk)
        if form.is_bound and not form.errors:
            context.update(_preview(request, room, form))
    else:
        kinds = access.series_kinds(user, room.house_id)  # the board books the house's own activities first
        initial = {"pattern": "weekly", "interval": 1, "kind": "community" if "community" in kinds else "association"}
        form = SeriesForm(initial=initial, room=room, user=user)
    context["form"] = form
    return render(request, "frontend/series/new.html", context)


@require_POST
def series_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The preview for the form as filled in so far (htmx partial). Writes nothing."""
    room = get_object_or_404(_rooms(), pk=pk)
    if not request.user.is_authenticated or not _may_request(request.user, room):
        return HttpResponse(status=403)
    form = SeriesForm(request.POST, room=room, user=request.user)
    context = {"room": room, "form": form, **_preview(request, room, form)}
    # While typing, what is still missing is not an error; what is wrong is (the page shows it at the fields).
    context["errors"] = [f"{form[name].label}: {' '.join(error.messages)}" if name in form.fields else " ".join(error.messages)
                         for name, errors in form.errors.as_data().items() for error in errors
                         if error.code != "required"]
    return render(request, "frontend/series/_preview.html", context)


# --- my series ------------------------------------------------------------------------------------------------


def _occurrence_prefetch():
    return Prefetch("occurrences", queryset=Booking.objects.order_by("start"))


def mine_entry(series: Series, moment: dt.datetime) -> dict:
    """One series as one entry of /mijn/: the recurrence in words, the next date, how many dates are held, the
    skipped dates with reasons and the status of the whole. Reads the prefetched occurrences and skips."""
    held = [b for b in series.occurrences.all() if b.status in BookingStatus.HOLDING]
    future = [b for b in held if b.end >= moment]
    skips = [{"date": s.date, "words": skip_words(s)} for s in series.skips.all()]
    return {"series": series, "words": occurrences.describe_series(series, _lang()), "count": len(held),
            "upcoming": len(future), "next": future[0] if future else None, "skips": skips,
            "running": series.status in states.SERIES_RUNNING and bool(future or series.status == "requested")}


def mine_queryset(user):
    """The series `user` booked, with what `mine_entry` reads: a constant number of queries."""
    return (Series.objects.filter(booker=user).select_related("room", "house")
            .prefetch_related(_occurrence_prefetch(), "skips").order_by("first_date", "pk"))


def series_actions(user, series: Series, at: dt.datetime) -> dict:
    """Which changes the page offers `user` on `series` at `at`: `boeking.access` (may this person?) ×
    `boeking.states` (does the state allow it?), the questions the services ask. Returns `{"change", "cancel_all",
    "change_time"}` (bools). Per date, `series_detail` adds: `cancel` (that date only: also `access.can_cancel` ×
    `states.can_cancel` of the booking), `following` (a future date: this and all following) and `restore` (a
    cancelled or skipped date the planner finds free again)."""
    may = access.can_change_series(user, series) and states.series_can_change(series)
    return {"change": may, "cancel_all": may, "change_time": may}


def _restorable(series: Series, held_dates: set[dt.date]) -> set[dt.date]:
    """Cancelled or skipped future dates the planner finds bookable now (the same check `series_restore_date`
    makes, for all dates at once: a constant number of queries)."""
    try:
        plan = services.series_plan(room=series.room, kind=series.kind,
                                    rrule=occurrences.rule_text(series.recurrence), start_time=series.start_time,
                                    end_time=series.end_time, first_date=series.first_date, until=series.until,
                                    guests=series.guests)
    except DomainError:
        return set()
    return {p.date for p in plan.periods if p.date not in held_dates and p.date >= today()}


def _own_series(request: HttpRequest, pk: int) -> Series:
    series = get_object_or_404(Series.objects.select_related("room__house", "house")
                               .prefetch_related(_occurrence_prefetch(), "skips"), pk=pk)
    if not (access.is_booker(request.user, series) or access.is_admin(request.user)):
        raise Http404
    return series


@login_required
def series_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A series for its owner: every date with its status and the buttons the state allows."""
    series = _own_series(request, pk)
    moment = now()
    actions = series_actions(request.user, series, moment)
    rows = []
    held_dates = set()
    for booking in series.occurrences.all():
        if booking.status in BookingStatus.HOLDING:
            held_dates.add(local(booking.start).date())
    cancelled_dates = {}
    for booking in series.occurrences.all():
        day = local(booking.start).date()
        if booking.status in BookingStatus.HOLDING:
            rows.append({"date": day, "start": local(booking.start), "end": local(booking.end), "booking": booking,
                         "cancel": actions["change"] and booking.start > moment and access.can_cancel(
                             request.user, booking) and states.can_cancel(booking, moment),
                         "following": actions["change"] and booking.start > moment})
        elif day not in held_dates:
            cancelled_dates[day] = booking
    skips = {s.date: s for s in series.skips.all()}
    restorable = _restorable(series, held_dates) if actions["change"] and (cancelled_dates or skips) else set()
    for day, booking in cancelled_dates.items():
        if day not in skips:
            rows.append({"date": day, "start": local(booking.start), "end": local(booking.end), "booking": booking,
                         "restore": day in restorable})
    for day, skip in skips.items():
        if day not in held_dates:
            rows.append({"date": day, "skip": skip, "words": skip_words(skip), "restore": day in restorable})
    rows.sort(key=lambda row: row["date"])
    future_dates = [(r["date"].isoformat(), r["start"].strftime("%d-%m-%Y")) for r in rows
                    if r.get("following")]
    return render(request, "frontend/series/detail.html", {
        "series": series, "entry": mine_entry(series, moment), "rows": rows, "actions": actions,
        "words": occurrences.describe_series(series, _lang()),
        "time_form": SeriesTimeForm(dates=future_dates, initial={"start_time": series.start_time,
                                                                 "end_time": series.end_time}),
        "cancel_form": SeriesCancelForm(), "has_future": bool(future_dates),
    })


def _series_for_change(request: HttpRequest, pk: int) -> Series | None:
    series = _own_series(request, pk)
    if not series_actions(request.user, series, now())["change"]:
        messages.error(request, _("Deze reeks kan niet meer worden gewijzigd."))
        return None
    return series


@login_required
@require_POST
def series_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel one date (`booking_cancel`), this date and all following (`series_cancel` from the date), or the
    whole series (`series_cancel` without a date: every future date). First a page listing the dates it cancels;
    with `confirm=yes` it cancels."""
    series = _series_for_change(request, pk)
    if series is None:
        return redirect("mijn-series", pk=pk)
    form = SeriesCancelForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("mijn-series", pk=pk)
    data = form.cleaned_data
    if request.POST.get("confirm") != "yes":
        return _confirm_cancel(request, series, data)
    try:
        if data["scope"] == "date":
            booking = series.occurrences.filter(pk=data["booking"]).first()
            if booking is None:
                raise Http404
            services.booking_cancel(booking=booking, actor=request.user, reason=data["reason"])
            messages.success(request, _("De datum %(date)s is geannuleerd.") % {
                "date": local(booking.start).strftime("%d-%m-%Y")})
        elif data["scope"] == "following":
            cancelled = services.series_cancel(series=series, actor=request.user, from_date=data["from_date"],
                                               reason=data["reason"])
            messages.success(request, ngettext("%(n)s datum vanaf %(date)s is geannuleerd.",
                                               "%(n)s datums vanaf %(date)s zijn geannuleerd.", len(cancelled)) % {
                "n": len(cancelled), "date": data["from_date"].strftime("%d-%m-%Y")})
        else:
            services.series_cancel(series=series, actor=request.user, reason=data["reason"])
            messages.success(request, _("De reeks is geannuleerd."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("mijn-series", pk=pk)


def _confirm_cancel(request: HttpRequest, series: Series, data: dict) -> HttpResponse:
    """Before cancelling (works without JavaScript): which dates it cancels, and a button to go ahead."""
    if data["scope"] == "date":
        held = [b for b in series.occurrences.all() if b.status in BookingStatus.HOLDING and b.start > now()]
        dates = [b for b in held if b.pk == data["booking"]]
        if not dates:
            raise Http404
    else:  # exactly what the service will cancel: one home for "this and all following"
        dates = list(services.series_cancel_targets(
            series, data["from_date"] if data["scope"] == "following" else None))
    count = len(dates)
    question = ngettext("Weet u zeker dat u deze datum wilt annuleren?",
                        "Weet u zeker dat u deze %(n)s datums wilt annuleren?", count) % {"n": count}
    keep = [("scope", data["scope"]), ("reason", data["reason"])]
    if data["scope"] == "date":
        keep.append(("booking", data["booking"]))
    if data["scope"] == "following":
        keep.append(("from_date", data["from_date"].isoformat()))
    return render(request, "frontend/bestuur/confirm.html", {
        "title": _("Datums van de reeks annuleren"), "question": question,
        "facts": [f"{local(b.start):%d-%m-%Y %H:%M}" for b in dates] or [_("Er zijn geen komende datums meer.")],
        "action": request.path, "keep": keep, "danger": True,
        "button": ngettext("Ja, annuleer deze datum", "Ja, annuleer deze datums", count),
        "back": reverse("mijn-series", args=[series.pk]),
    })


@login_required
@require_POST
def series_change_time(request: HttpRequest, pk: int) -> HttpResponse:
    """New times from a date on (`series_split`): within the approved times at once; wider goes to the board."""
    series = _series_for_change(request, pk)
    if series is None:
        return redirect("mijn-series", pk=pk)
    held = [b for b in series.occurrences.all() if b.status in BookingStatus.HOLDING and b.start > now()]
    dates = [(local(b.start).date().isoformat(), local(b.start).strftime("%d-%m-%Y")) for b in held]
    form = SeriesTimeForm(request.POST, dates=dates)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return redirect("mijn-series", pk=pk)
    data = form.cleaned_data
    try:
        new = services.series_split(series=series, actor=request.user, from_date=data["from_date"],
                                    start_time=data["start_time"], end_time=data["end_time"], reason=data["reason"])
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("mijn-series", pk=pk)
    if new.status == SeriesStatus.REQUESTED and series.status == SeriesStatus.APPROVED:
        messages.success(request, _("De nieuwe tijden vallen buiten wat is goedgekeurd: het bestuur beslist erover. "
                                    "Tot dan zijn deze datums aangevraagd, niet bevestigd."))
    else:
        messages.success(request, _("De tijden zijn gewijzigd vanaf %(date)s.") % {
            "date": data["from_date"].strftime("%d-%m-%Y")})
    return redirect("mijn-series", pk=new.pk)


@login_required
@require_POST
def series_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a cancelled or skipped date again when it is free (`series_restore_date`)."""
    series = _series_for_change(request, pk)
    if series is None:
        return redirect("mijn-series", pk=pk)
    form = SeriesRestoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een datum."))
        return redirect("mijn-series", pk=pk)
    try:
        booking = services.series_restore_date(series=series, actor=request.user, date=form.cleaned_data["date"])
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        if booking.status == BookingStatus.REQUESTED and series.status == SeriesStatus.APPROVED:
            messages.success(request, _("De datum %(date)s is weer aangevraagd; het bestuur beslist erover.") % {
                "date": local(booking.start).strftime("%d-%m-%Y")})
        else:
            messages.success(request, _("De datum %(date)s is weer geboekt.") % {
                "date": local(booking.start).strftime("%d-%m-%Y")})
    return redirect("mijn-series", pk=pk)

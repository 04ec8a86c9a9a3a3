"""The volunteers' pages (/bestuur/): inbox of requests with rule results, one booking, house calendar, closures,
series. Only volunteers of a house (and admins) see its pages; others get 404. Writes go through boeking.services."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from boeking import occurrences, pricing, rules, services, states
from boeking.access import can_manage_house, managed_houses
from boeking.clock import local, local_midnight, now, today
from boeking.errors import DomainError
from boeking.models import (
    PRIVATE_KINDS,
    AutoApproval,
    Booking,
    BookingKind,
    BookingStatus,
    Closure,
    House,
    RuleSettings,
    Series,
    SeriesSkip,
    SeriesStatus,
)
from boeking.occurrences import MAX_OCCURRENCES

from .forms import CancelForm, ClosureForm, DecisionForm, RefundDepositForm
from .helpers import audit_words, booking_actions, confirm_page, confirmed, parse_day, price_rows, rule_rows
from .templatetags.zaalboek import euro, localtime_nl


def inbox_queryset(user):
    """One-off requests awaiting a decision. Dates of a requested series are decided with their series (one card,
    `pending_series_queryset`); a date added later to an approved series is decided on its own."""
    return (Booking.objects.filter(status=BookingStatus.REQUESTED, house__in=managed_houses(user))
            .exclude(series__status=SeriesStatus.REQUESTED)
            .select_related("room", "house").order_by("start"))


def pending_series_queryset(user):
    return (Series.objects.filter(house__in=managed_houses(user), status=SeriesStatus.REQUESTED)
            .select_related("room", "house").order_by("first_date", "pk"))


def inbox_count(user) -> int:
    """The number on the board's badge: each one-off request once, each requested series once."""
    return inbox_queryset(user).count() + pending_series_queryset(user).count()


def series_card(series: Series, *, moment=None, data: dict | None = None) -> dict:
    """Everything the board needs to decide a series as a whole: the recurrence in words, its dates, the dates it
    skips with reasons, and — for a request — the dates the rules would refuse now (`rules.evaluate_many` at
    decision time, as `series_approve` applies them). A constant number of queries, whatever the number of dates."""
    moment = moment or now()
    lang = "en" if (translation.get_language() or "nl").startswith("en") else "nl"
    held = [b for b in series.occurrences.all() if b.status in states.HOLDING]
    card = {"series": series, "words": occurrences.describe_series(series, lang), "count": len(held),
            "next": next((b for b in sorted(held, key=lambda b: b.start) if b.start >= moment), None),
            "skips": list(series.skips.all()), "dates": [], "refused": []}
    if states.series_can_decide(series):
        pending = sorted((b for b in held if b.status == BookingStatus.REQUESTED), key=lambda b: b.start)
        for b in pending:
            b.room = series.room  # already loaded with the series; the rules read the room and its house
        # `data`: the rules' data loaded once for the whole inbox (rules.load_decision_data), else loaded here.
        results = rules.evaluate_many_for_decision(pending, data=(data or {}).get(series.room_id))
        for booking, result in zip(pending, results, strict=True):
            failed = rules.failures(result)
            row = {"booking": booking, "date": local(booking.start).date(), "start": local(booking.start),
                   "problem": failed[0].message if failed else ""}
            card["dates"].append(row)
            if failed:
                card["refused"].append(row)
    return card


def _require_volunteer(request: HttpRequest) -> None:
    if not request.user.is_authenticated or not managed_houses(request.user).exists():
        raise Http404


def _booking(request: HttpRequest, pk: int) -> Booking:
    booking = get_object_or_404(Booking.objects.select_related("room__location", "house", "booker"), pk=pk)
    if not can_manage_house(request.user, booking.house_id):
        raise Http404
    return booking


def _live_rules(booking: Booking):
    """The rules as approval will apply them (`rules.evaluate_for_decision`): conflicts and cap usage as they
    stand now, notice judged against the moment of the request."""
    return rules.evaluate_for_decision(booking)


def _cap_usage(booking: Booking):
    if booking.kind not in PRIVATE_KINDS:
        return None
    return rules.cap_status(booking.house_id, booking.kind, local(booking.start).year)


def _prefetched(instance, name: str, objects: list) -> None:
    """Fill `instance.<name>.all()` with `objects` loaded beforehand, as prefetch_related would."""
    qs = getattr(instance, name).all()
    qs._result_cache, qs._prefetch_done = objects, True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[name] = qs


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The board's inbox: one-off requests with the rules at decision time and cap usage, one card per requested
    series. A constant number of queries whatever the number of requests, series, series dates and houses: the
    requests, the series with all their dates and skips (one query each, never per series), the rules' data for all
    of them (`rules.load_decision_data`) and cap usage for every listed house in one grouped query. A 40-date series
    costs what a one-off request costs."""
    _require_volunteer(request)
    user = request.user
    houses = managed_houses(user)
    house_ids = [h.pk for h in houses]
    bookings = list(inbox_queryset(user))
    for booking in bookings:
        booking.room.house = booking.house  # the rules read the room's house: already loaded
    series_list = list(pending_series_queryset(user))
    dates: dict[int, list[Booking]] = {}
    # A subquery on the series (not a join ordered over all bookings): the series_id index answers it.
    pending_ids = Series.objects.filter(house__in=houses, status=SeriesStatus.REQUESTED).values("pk")
    for booking in Booking.objects.filter(series_id__in=pending_ids).order_by("start"):
        dates.setdefault(booking.series_id, []).append(booking)
    skips: dict[int, list] = {}
    for skip in SeriesSkip.objects.filter(series_id__in=pending_ids).order_by("date", "pk"):
        skips.setdefault(skip.series_id, []).append(skip)
    series_dates = []
    for series in series_list:
        series.room.house = series.house
        for booking in dates.get(series.pk, []):
            booking.room, booking.house, booking.series = series.room, series.house, series
            if booking.status == BookingStatus.REQUESTED:
                series_dates.append(booking)
        _prefetched(series, "occurrences", dates.get(series.pk, []))
        _prefetched(series, "skips", skips.get(series.pk, []))
    data = rules.load_decision_data(bookings + series_dates)
    results = rules.evaluate_each_for_decision(bookings, data=data)
    caps = rules.cap_statuses(house_ids, {today().year} | {local(b.start).year for b in bookings})
    items = []
    for booking, result in zip(bookings, results, strict=True):
        items.append({"booking": booking, "start": local(booking.start), "end": local(booking.end),
                      "rules": rule_rows(result),
                      "cap": caps.get((booking.house_id, booking.kind, local(booking.start).year)),
                      "form": DecisionForm(prefix=f"b{booking.pk}")})
    to_pay = (Booking.objects.filter(status=BookingStatus.APPROVED, house__in=houses).select_related("room", "house")
              .order_by("start"))
    deposits = (Booking.objects.filter(status=BookingStatus.CONFIRMED, house__in=houses, end__lt=now(),
                                       deposit_cents__gt=0, deposit_settled_at__isnull=True)
                .select_related("room", "house").order_by("start"))
    pending_series = [series_card(s, data=data) for s in series_list]
    unavailable = [{"booking": b, "start": local(b.start)} for b in services.inactive_room_bookings(houses)]
    return render(request, "frontend/bestuur/inbox.html", {
        "items": items, "houses": houses, "to_pay": to_pay, "deposits": deposits, "pending_series": pending_series,
        "unavailable": unavailable})


def _booking_page(request: HttpRequest, booking: Booking, *, form: DecisionForm | None = None,
                  refund_form: RefundDepositForm | None = None, cancel_form: CancelForm | None = None,
                  back: str = "", status: int = 200) -> HttpResponse:
    """The board's page of one booking; a form sent with errors comes back bound, its errors next to its fields."""
    moment = now()
    actions = booking_actions(request.user, booking, moment)
    live = rule_rows(_live_rules(booking)) if actions["reject"] else None
    terms = None
    if actions["cancel"]:
        terms = pricing.cancellation_terms(booking, at=moment, by_volunteer=True,
                                           free_days=RuleSettings.current().free_cancellation_days)
    errors = [f for f in (form, refund_form, cancel_form) if f is not None and f.errors]
    return render(request, "frontend/bestuur/booking.html", {
        "booking": booking, "start": local(booking.start), "end": local(booking.end),
        "lines": price_rows(booking.price_lines), "rules": live or rule_rows(booking.rule_results),
        "live": live is not None, "cap": _cap_usage(booking), "terms": terms,
        "audit": [{"entry": e, "words": audit_words(e)}
                  for e in booking.audit_entries.select_related("actor").order_by("at", "pk")],
        "payments": booking.payments.all(),
        "form": form or DecisionForm(prefix=f"b{booking.pk}"), "refund_form": refund_form or RefundDepositForm(),
        "cancel_form": cancel_form or CancelForm(), "next": back or request.path,
        "actions": actions, "has_errors": bool(errors),
        # The deposit is settled after the event only (states.settle_deposit_refusal): no form before.
        "deposit_open": actions["settle_deposit"] and booking.deposit_cents and booking.end <= moment,
    }, status=status)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject in one step (reason required to reject). A reject without a reason comes back as the
    booking's page with the error next to the reason field."""
    booking = _booking(request, pk)
    form = DecisionForm(request.POST, prefix=f"b{booking.pk}")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = reverse("bestuur")
    if not form.is_valid():
        return _booking_page(request, booking, form=form, back=back)
    data = form.cleaned_data
    try:
        if data["decision"] == "approve":
            services.booking_approve(booking=booking, actor=request.user, reason=data["reason"])
            messages.success(request, _("Aanvraag #%(id)s is goedgekeurd.") % {"id": booking.pk})
        else:
            services.booking_reject(booking=booking, actor=request.user, reason=data["reason"])
            messages.success(request, _("Aanvraag #%(id)s is afgewezen.") % {"id": booking.pk})
    except DomainError as exc:
        messages.error(request, f"#{booking.pk}: {exc.detail}")
    return HttpResponseRedirect(back)  # a URL, never reversed as a view name


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _booking_page(request, _booking(request, pk))


@login_required
@require_POST
def mark_paid(request: HttpRequest, pk: int) -> HttpResponse:
    """Register an offline payment: first a confirmation page (the amount, who paid), then the change."""
    booking = _booking(request, pk)
    page = reverse("bestuur-booking", args=[pk])
    if not confirmed(request):
        return confirm_page(
            request, title=_("Betaling registreren"), action=request.path, back=page, danger=False,
            question=_("Heeft u de betaling ontvangen? Daarna is de boeking bevestigd en krijgt de huurder bericht."),
            facts=[_("Boeking #%(id)s, %(who)s") % {"id": booking.pk, "who": booking.booker_name or "—"},
                   _("Bedrag: %(amount)s") % {"amount": euro(booking.total_cents)}],
            button=_("Ja, betaling van %(amount)s ontvangen") % {"amount": euro(booking.total_cents)})
    try:
        services.booking_mark_paid(booking=booking, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Betaling geregistreerd; de boeking is bevestigd."))
    return redirect("bestuur-booking", pk=pk)


@login_required
@require_POST
def refund_deposit(request: HttpRequest, pk: int) -> HttpResponse:
    """Settle the deposit after the event: refund it, or keep part (in euros, at most the deposit) with a reason.
    Errors come back next to their field, in euros."""
    booking = _booking(request, pk)
    form = RefundDepositForm(request.POST)
    if form.is_valid():
        retain = int(round(form.cleaned_data["retain"] * 100))
        if retain > booking.deposit_cents:
            form.add_error("retain", _("Houd hoogstens de borg in: %(max)s.") % {"max": euro(booking.deposit_cents)})
            return _booking_page(request, booking, refund_form=form)
        try:
            services.booking_refund_deposit(booking=booking, actor=request.user, retain_cents=retain,
                                            reason=form.cleaned_data["reason"])
        except DomainError as exc:
            field = {"reason_required": "reason"}.get(exc.code, "retain" if exc.code.startswith("invalid") else None)
            form.add_error(field, exc.detail)
            return _booking_page(request, booking, refund_form=form)
        messages.success(request, _("De borg is afgehandeld."))
        return redirect("bestuur-booking", pk=pk)
    return _booking_page(request, booking, refund_form=form)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The board cancels a booking: first a confirmation page (what the booker gets back), then the change."""
    booking = _booking(request, pk)
    form = CancelForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    if not confirmed(request):
        moment = now()
        terms = pricing.cancellation_terms(booking, at=moment, by_volunteer=True,
                                           free_days=RuleSettings.current().free_cancellation_days)
        return confirm_page(
            request, title=_("Boeking annuleren"), action=request.path, back=reverse("bestuur-booking", args=[pk]),
            question=_("Weet u zeker dat u deze boeking wilt annuleren? De huurder krijgt bericht."),
            facts=[_("Boeking #%(id)s: %(when)s, %(room)s") % {"id": booking.pk, "when": localtime_nl(booking.start),
                                                               "room": booking.room.name},
                   refund_words(terms.refund_cents)] + ([_("Reden: %(reason)s") % {"reason": reason}] if reason else []),
            keep={"reason": reason}, button=_("Ja, annuleer deze boeking"))
    try:
        services.booking_cancel(booking=booking, actor=request.user, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("De boeking is geannuleerd.") + " " + refund_words(booking.refunded_cents))
    return redirect("bestuur-booking", pk=pk)


def refund_words(refund_cents: int) -> str:
    """What the booker gets back when the board cancels: an amount, or that nothing was paid yet."""
    if refund_cents:
        return _("De huurder krijgt alles terug wat betaald is: %(amount)s.") % {"amount": euro(refund_cents)}
    return _("De huurder heeft nog niets betaald; er hoeft niets terug.")


def _house(request: HttpRequest, slug: str) -> House:
    house = get_object_or_404(House, slug=slug)
    if not can_manage_house(request.user, house.pk):
        raise Http404
    return house


@login_required
def house_calendar(request: HttpRequest, slug: str) -> HttpResponse:
    """The board's agenda of a house: the calendar and the next 31 days as a table, series dates marked with their
    recurrence in words and each booking's conflicts (`frontend.board_calendar`: series dates that wanted the same
    slot). A constant number of queries whatever the number of bookings."""
    from . import board_calendar

    house = _house(request, slug)
    first = today()
    start = local_midnight(first)
    bookings = list(Booking.objects.filter(house=house, status__in=BookingStatus.HOLDING, end__gte=start,
                                           start__lt=start + dt.timedelta(days=31))
                    .select_related("room", "series").order_by("start"))
    wanted = board_calendar.wanted_slots(house.rooms.values_list("pk", flat=True), first,
                                         first + dt.timedelta(days=31))
    marks = board_calendar.marks(bookings, wanted)
    return render(request, "frontend/bestuur/calendar.html", {
        "house": house, "bookings": [{"booking": b, "start": local(b.start), "end": local(b.end), **marks[b.pk]}
                                     for b in bookings],
        "agenda_url": reverse("house-agenda", args=[house.slug])})


# Which field of the closure form a refusal of `services.closure_create` belongs next to (by its code).
CLOSURE_ERROR_FIELDS = {
    "end_before_start": "end_date", "too_long": "end_date", "invalid_date": "date",
    "nonexistent_local_time": "start_time", "ambiguous_local_time": "start_time",
    "reason_required": "reason", "text_too_long": "reason", "invalid_text": "reason", "room_not_in_house": "room",
}


@login_required
def closures(request: HttpRequest, slug: str) -> HttpResponse:
    house = _house(request, slug)
    form = ClosureForm(request.POST or None, house=house)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closure = services.closure_create(actor=request.user, house=house, start=data["start"], end=data["end"],
                                              reason=data["reason"], room=data["room"])
        except DomainError as exc:
            # Next to the field it is about; what belongs to none (a permission) stands in the error summary.
            form.add_error(CLOSURE_ERROR_FIELDS.get(exc.code), exc.detail)
        else:
            affected = services.closure_affected_bookings(closure).count()
            messages.success(request, _("Sluiting toegevoegd.") + (
                " " + ngettext("Let op: %(n)s boeking valt in deze periode.",
                               "Let op: %(n)s boekingen vallen in deze periode.", affected) % {"n": affected}
                if affected else ""))
            return redirect("bestuur-closures", slug=slug)
    items = []
    moment = now()
    for closure in Closure.objects.filter(house=house, end__gte=moment).select_related("room").order_by("start"):
        affected = [{"booking": b, "start": local(b.start), "cancellable": b.start > moment and states.can_cancel(b, moment)}
                    for b in services.closure_affected_bookings(closure).select_related("room")]
        items.append({"closure": closure, "start": local(closure.start), "end": local(closure.end),
                      "affected": affected, "cancellable": any(a["cancellable"] for a in affected)})
    return render(request, "frontend/bestuur/closures.html", {"house": house, "form": form, "items": items})


@login_required
@require_POST
def closure_cancel_bookings(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The board cancels the bookings a closure hits (all, or the ticked ones): full refund, bookers told."""
    house = _house(request, slug)
    closure = get_object_or_404(Closure, pk=pk, house=house)
    chosen = [int(v) for v in request.POST.getlist("booking") if v.isascii() and v.isdigit() and len(v) < 12]
    if not confirmed(request):
        hit = services.closure_affected_bookings(closure).select_related("room")
        listed = [b for b in hit if not chosen or b.pk in chosen]
        return confirm_page(
            request, title=_("Boekingen annuleren"), action=request.path, back=reverse("bestuur-closures", args=[slug]),
            question=ngettext("Weet u zeker dat u deze boeking wilt annuleren? De huurder krijgt alles terug en bericht.",
                              "Weet u zeker dat u deze %(n)s boekingen wilt annuleren? De huurders krijgen alles terug "
                              "en bericht.", len(listed)) % {"n": len(listed)},
            facts=[f"#{b.pk} {localtime_nl(b.start)} · {b.room.name}" for b in listed],
            keep=[("booking", str(pk)) for pk in chosen], button=_("Ja, annuleer en betaal alles terug"))
    try:
        cancelled = services.closure_cancel_affected(closure=closure, actor=request.user, booking_ids=chosen or None)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, ngettext("%(n)s boeking geannuleerd; de huurder krijgt alles terug.",
                                           "%(n)s boekingen geannuleerd; de huurders krijgen alles terug.",
                                           len(cancelled)) % {"n": len(cancelled)})
    return redirect("bestuur-closures", slug=slug)


@login_required
@require_POST
def unavailable_cancel(request: HttpRequest) -> HttpResponse:
    """The board cancels future bookings in a room or house that was switched off (the ticked ones, or all)."""
    _require_volunteer(request)
    chosen = {int(v) for v in request.POST.getlist("booking") if v.isascii() and v.isdigit() and len(v) < 12}
    bookings = [b for b in services.inactive_room_bookings(managed_houses(request.user)) if not chosen or b.pk in chosen]
    if not confirmed(request):  # destructive: the first POST asks (as for a closure's bookings)
        return confirm_page(
            request, title=_("Boekingen annuleren"), action=request.path, back=reverse("bestuur"),
            question=ngettext("Weet u zeker dat u deze boeking wilt annuleren? De huurder krijgt alles terug en bericht.",
                              "Weet u zeker dat u deze %(n)s boekingen wilt annuleren? De huurders krijgen alles terug "
                              "en bericht.", len(bookings)) % {"n": len(bookings)},
            facts=[f"#{b.pk} {localtime_nl(b.start)} · {b.room.name}" for b in bookings],
            keep=[("booking", str(pk)) for pk in sorted(chosen)], button=_("Ja, annuleer en betaal alles terug"))
    try:
        cancelled = services.unavailable_cancel(actor=request.user, bookings=bookings,
                                                reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, ngettext("%(n)s boeking geannuleerd; de huurder krijgt alles terug.",
                                           "%(n)s boekingen geannuleerd; de huurders krijgen alles terug.",
                                           len(cancelled)) % {"n": len(cancelled)})
    return redirect("bestuur")


@login_required
@require_POST
def closure_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Delete a closure: first a confirmation page (the period and reason), then the change."""
    house = _house(request, slug)
    closure = get_object_or_404(Closure, pk=pk, house=house)
    if not confirmed(request):
        return confirm_page(
            request, title=_("Sluiting verwijderen"), action=request.path,
            back=reverse("bestuur-closures", args=[slug]),
            question=_("Weet u zeker dat u deze sluiting wilt verwijderen? De zaal is dan weer te boeken."),
            facts=[f"{localtime_nl(closure.start)} – {localtime_nl(closure.end)}",
                   closure.room.name if closure.room_id else _("het hele huis"), closure.reason],
            button=_("Ja, verwijder deze sluiting"))
    services.closure_delete(actor=request.user, closure=closure)
    messages.success(request, _("Sluiting verwijderd."))
    return redirect("bestuur-closures", slug=slug)


@login_required
def series_list(request: HttpRequest, slug: str) -> HttpResponse:
    house = _house(request, slug)
    items = [series_card(series) for series in (Series.objects.filter(house=house).select_related("room__house", "house")
                                                .prefetch_related("skips", "occurrences").order_by("-created_at")[:50])]
    return render(request, "frontend/bestuur/series.html", {"house": house, "items": items})


@login_required
@require_POST
def series_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    house = _house(request, slug)
    series = get_object_or_404(Series, pk=pk, house=house)
    decision, reason = request.POST.get("decision"), request.POST.get("reason", "")
    excluded = [parse_day(v, None) for v in request.POST.getlist("exclude")[:MAX_OCCURRENCES]]
    try:
        if decision == "approve":
            services.series_approve(series=series, actor=request.user, reason=reason,
                                    exclude_dates=[d for d in excluded if d is not None])
            messages.success(request, _("Reeks goedgekeurd."))
        elif decision == "reject":
            services.series_reject(series=series, actor=request.user, reason=reason)
            messages.success(request, _("Reeks afgewezen."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return HttpResponseRedirect(back)  # a URL, never reversed as a view name
    return redirect("bestuur-series", slug=slug)


@login_required
def house_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """The board's choices for its house: which kinds are approved at once when every rule passes."""
    house = _house(request, slug)
    current = set(AutoApproval.objects.filter(house=house).values_list("kind", flat=True))
    if request.method == "POST":
        chosen = [k for k in request.POST.getlist("auto_approve") if k in BookingKind.values]
        try:
            services.auto_approval_set(actor=request.user, house=house, kinds=chosen)
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Instellingen opgeslagen."))
            return redirect("bestuur-settings", slug=slug)
    kinds = [{"value": k.value, "label": k.label, "checked": k.value in current} for k in BookingKind]
    return render(request, "frontend/bestuur/settings.html", {"house": house, "kinds": kinds})

"""Small shared pieces of the pages: feed links, rule and price display, domain errors onto forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from boeking import bounds
from boeking.clock import local
from boeking.errors import DomainError, InvalidInput

# Which form field a failing rule belongs next to; the rest are shown at the top of the form.
RULE_FIELDS = {
    "guests": "guests",
    "invalid_guests": "guests",
    "min_notice": "date",
    "max_advance": "date",
    "private_end": "end_time",
    "koffietafel_window": "start_time",
    "duration": "end_time",
    "opening_hours": "start_time",
    "closure": "date",
    "slot": "start_time",
    "end_before_start": "end_time",
    "too_long": "end_time",
    "nonexistent_local_time": "start_time",
    "ambiguous_local_time": "start_time",
    "invalid_kind": "kind",
    "room_private": "kind",
    "booker_role": "kind",
    "cap": "kind",
}


def is_english() -> bool:
    return (translation.get_language() or "nl").startswith("en")


def rule_rows(results: list[Any]) -> list[dict[str, str]]:
    """Rule results (RuleResult objects or stored dicts) as `{rule, outcome, message}` in the active language."""
    english = is_english()
    rows = []
    for r in results:
        data = r.as_dict() if hasattr(r, "as_dict") else r
        message = data.get("message_en" if english else "message_nl") or data.get("message", "")
        rows.append({"rule": data["rule"], "outcome": data["outcome"], "message": message})
    return rows


def price_rows(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    english = is_english()
    return [{"label": (line.get("label_en") if english else line.get("label")) or line.get("label", ""),
             "amount_cents": line["amount_cents"]} for line in lines]


def apply_domain_error(form, exc: DomainError) -> None:
    """Show a domain error next to the field it is about (or at the top), plus every other failing rule."""
    shown = set()
    failing = [r for r in exc.rules if r.get("outcome") == "fail"] or [{"rule": exc.code, "message": exc.detail}]
    for row in rule_rows(failing) if exc.rules else failing:
        field = RULE_FIELDS.get(row["rule"])
        message = row["message"]
        if message in shown:
            continue
        shown.add(message)
        form.add_error(field if field in form.fields else None, message)


def absolute_url(path: str, request=None) -> str:
    """`path` as an absolute URL: from the request's own scheme and host where there is one (so `make run PORT=8101`
    and any proxy give links that work where the page was opened), else from the one setting for mails and jobs,
    `ZAALBOEK_SITE_URL` (the Makefile sets it from HOST and PORT)."""
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.ZAALBOEK_SITE_URL.rstrip("/") + path


def feed_links(kind: str, obj_id: Any, request=None) -> dict[str, str]:
    """https:// and webcal:// links of a public iCal feed (`ical-room`/`ical-house`), absolute as `absolute_url`."""
    https = absolute_url(reverse(f"ical-{kind}", args=[obj_id]), request)
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def private_feed_url(user, request=None) -> str | None:
    """The user's private iCal feed as an absolute URL (`absolute_url`), or None without a profile."""
    profile = getattr(user, "profile", None)
    if profile is None:
        return None
    return absolute_url(reverse("ical-private", args=[profile.feed_token]), request)


def api_path(name: str, *args: Any, fallback: str) -> str:
    try:
        return reverse(f"api:{name}", args=args)
    except NoReverseMatch:
        return fallback


def parse_day(value: str | None, default: dt.date) -> dt.date:
    """A date from a query parameter: `YYYY-MM-DD` or an ISO datetime (FullCalendar sends those with offset).
    Anything else, and a day outside `boeking.bounds` (2000–2100), is `default`: weeks and calendar ranges are
    computed around the day, and far dates would overflow (a 500 for a typed URL)."""
    if not value:
        return default
    try:
        if "T" in value:
            moment = dt.datetime.fromisoformat(value.replace(" ", "+").replace("Z", "+00:00"))
            day = local(moment).date() if moment.tzinfo else moment.date()
        else:
            day = dt.date.fromisoformat(value)
        return bounds.check_date(day)
    except (ValueError, OverflowError, InvalidInput):
        return default


def parse_id(value) -> int | None:
    """A database id from a form or query value: ASCII digits only, within a 64-bit integer; otherwise None."""
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number < 2**63 else None


def bound_dates(form):
    """Refuse, at the field and in the domain's words (`boeking.bounds.check_date`, code `invalid_date`), a date
    outside 2000–2100 in every date field of `form`, before the view computes with it: days around the years 1 and
    9999 overflow. For forms the domain never sees (search and filters); booking and closure forms are bounded by
    frontend.forms through the services' own checks. Returns the form."""
    for name, field in form.fields.items():
        if isinstance(field, forms.DateField):
            field.validators.append(_date_bound(name))
    return form


def _date_bound(name: str):
    def check(value: dt.date) -> None:
        try:
            bounds.check_date(value, field=name)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc

    return check


def booking_actions(user, booking, at: dt.datetime) -> dict[str, bool]:
    """Which actions a page offers `user` on `booking` now: each is `boeking.access` (may this person?) and
    `boeking.states` (does the state allow it?) — the same two questions the service asks before it acts."""
    from boeking import access, states

    manage = access.can_manage_house(user, booking.house_id)
    return {
        "decide": manage and states.can_decide(booking, at),
        "reject": manage and states.can_reject(booking, at),
        "cancel": access.can_cancel(user, booking) and states.can_cancel(booking, at),
        "pay": access.can_pay(user, booking) and states.can_pay(booking, at),
        "mark_paid": manage and states.can_mark_paid(booking, at),
        "settle_deposit": manage and states.can_settle_deposit(booking, at),
        "ics": booking.status in states.COUNTING,
    }


def booking_sent_message(booking) -> str:
    """What a booker reads after sending a request: when the board decides (the booking's own decision deadline:
    `decision_days` after the request, and never after the start), or that it is already approved/confirmed."""
    from django.utils.translation import gettext as _

    from boeking.models import BookingStatus
    from frontend.templatetags.zaalboek import localtime_nl

    house = booking.house.name
    if booking.status == BookingStatus.CONFIRMED:
        return _("Uw boeking bij %(house)s is bevestigd.") % {"house": house}
    if booking.status == BookingStatus.APPROVED:
        return _("Uw aanvraag bij %(house)s is meteen goedgekeurd; betaal om de boeking te bevestigen.") % {
            "house": house}
    return _("Uw aanvraag is verstuurd. Het bestuur van %(house)s beslist uiterlijk %(deadline)s.") % {
        "house": house, "deadline": localtime_nl(booking.decision_deadline)}


def audit_words(entry) -> str:
    """One audit entry (`boeking.models.AuditEntry`) in words in the active language, never its stored code:
    `booking.approved` to confirmed → "Goedgekeurd → bevestigd"; `cap_rule.set` {kind: party, from: 12, to: 10} →
    "Maximum feesten gewijzigd: 12 → 10". An unknown code reads "Gewijzigd"."""
    from django.utils.translation import gettext as _

    from boeking.models import BookingKind, BookingStatus

    words = {
        "booking.requested": _("Aangevraagd"), "booking.approved": _("Goedgekeurd"),
        "booking.rejected": _("Afgewezen"), "booking.cancelled": _("Geannuleerd"), "booking.expired": _("Verlopen"),
        "booking.paid": _("Betaald"), "booking.paid_partly": _("Deels betaald"), "booking.confirmed": _("Bevestigd"),
        "booking.edited": _("Gewijzigd"), "booking.deposit_refunded": _("Borg afgehandeld"),
        "booking.payment_started": _("Betaling gestart"), "booking.payment_failed": _("Betaling mislukt"),
        "booking.payment_refunded": _("Betaling terugbetaald"), "booking.refund_recorded": _("Terugbetaling geboekt"),
        "booking.refunded": _("Terugbetaald"), "booking.disputed": _("Betaling betwist bij de bank"),
        "booking.dispute_funds": _("Betwiste betaling: geld verrekend"),
        "closure.created": _("Sluiting toegevoegd"), "closure.deleted": _("Sluiting verwijderd"),
        "closure.bookings_cancelled": _("Boekingen in een sluiting geannuleerd"),
        "rule_settings.updated": _("Regels gewijzigd"),
        "house.auto_approval_set": _("Meteen goedkeuren gewijzigd"),
    }
    data = entry.data if isinstance(getattr(entry, "data", None), dict) else {}
    action = entry.action or ""
    if action in ("cap_rule.set", "cap_rule.removed"):
        kind = data.get("kind")
        label = str(BookingKind(kind).label).lower() if kind in BookingKind.values else ""
        if action == "cap_rule.removed":
            return _("Eigen maximum %(kind)s vervallen") % {"kind": label}
        before, after = data.get("from"), data.get("to")
        none = _("geen")
        return _("Maximum %(kind)s gewijzigd: %(before)s → %(after)s") % {
            "kind": label, "before": none if before is None else before, "after": none if after is None else after}
    text = str(words.get(action, _("Gewijzigd")))
    to_status = getattr(entry, "to_status", "")
    status = str(BookingStatus(to_status).label).lower() if to_status in BookingStatus.values else ""
    return f"{text} → {status}" if status and status != text.lower() else text


# --- the confirmation step of destructive actions (board and municipality pages) -----------------------------------


def confirmed(request: HttpRequest) -> bool:
    """A destructive action runs only from its confirmation page's button (`confirm=yes`); the first POST shows that
    page (no JavaScript needed)."""
    return request.POST.get("confirm") in ("yes", "on")


def confirm_page(request: HttpRequest, *, title: str, question: str, facts: list[str], action: str, button: str,
                 back: str, keep: dict[str, str] | list[tuple[str, str]] | None = None,
                 danger: bool = True) -> HttpResponse:
    """The confirmation step of a destructive action: what will happen, a button that posts again with
    `confirm=yes` (and the fields of the first form in `keep`), and a way back that changes nothing."""
    return render(request, "frontend/bestuur/confirm.html", {
        "title": title, "question": question, "facts": facts, "action": action, "button": button, "back": back,
        "keep": sorted(keep.items()) if isinstance(keep, dict) else list(keep or []), "danger": danger})

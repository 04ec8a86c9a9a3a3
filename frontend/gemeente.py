"""The municipality's pages (`/gemeente/`, SPEC §7): usage against caps with charts, caps and rule settings,
meldingen, exports. Aggregates only: these pages never show a resident's name, contact details or free text.

Municipality officers and admins see every house and may change caps and rules; volunteers see the dashboard and the
house pages for their own houses only (read-only). Everyone else gets 403; anonymous visitors the login page.
Every change goes through `boeking.services.config`.
"""

from __future__ import annotations

import copy
import datetime as dt
from importlib import import_module

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from boeking import access, income, occupancy, usage
from boeking.clock import local_midnight, today
from boeking.errors import DomainError
from boeking.models import (
    PRIVATE_KINDS,
    AuditEntry,
    BookingKind,
    CapRule,
    District,
    House,
    HouseType,
    Melding,
    RuleSettings,
    ScreeningStatus,
)
from boeking.pricing import euro
from boeking.rules import CapTable
from boeking.services.config import cap_rule_remove, cap_rule_set, cap_rules_apply, rule_settings_update
from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

from .charts import MONTHS, bar_list, heat_map, month_chart, month_table
from .helpers import bound_dates, confirm_page, confirmed, parse_id

KIND_LABELS = {k.value: k.label for k in BookingKind if k in PRIVATE_KINDS}
LEVEL_LABELS = {"full": gettext_lazy("Maximum bereikt"), "near": gettext_lazy("Bijna vol (≥ 80 %)"),
                "ok": gettext_lazy("Ruimte"), "none": gettext_lazy("Geen maximum")}


# --- access -----------------------------------------------------------------------------------------------------


def _require(request: HttpRequest, allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Deze pagina is voor medewerkers van de gemeente."))


def _is_officer(user) -> bool:
    return access.can_set_rules(user)


# --- forms ------------------------------------------------------------------------------------------------------


class UtrechtForm(forms.Form):
    """Puts the Utrecht (NL Design System) classes on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        utrecht_widgets(self)


def utrecht_widgets(form) -> None:
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, forms.Select):
            css = "utrecht-select utrecht-select--html-select"
        elif isinstance(widget, forms.CheckboxInput):
            css = "utrecht-checkbox utrecht-checkbox--html-input"
        elif isinstance(widget, forms.Textarea):
            css = "utrecht-textarea utrecht-textarea--html-textarea"
        else:
            css = "utrecht-textbox utrecht-textbox--html-input"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
        if field.help_text:
            widget.attrs.setdefault("aria-describedby", f"id_{name}-help")




class UsageFilterForm(UtrechtForm):
    year = forms.IntegerField(label=gettext_lazy("Jaar"), min_value=2000, max_value=2100, required=False)
    district = forms.ModelChoiceField(label=gettext_lazy("Wijk"), queryset=District.objects.all(), required=False,
                                      to_field_name="slug", empty_label=gettext_lazy("Alle wijken"))
    house_type = forms.ChoiceField(label=gettext_lazy("Soort huis"), required=False,
                                   choices=[("", gettext_lazy("Alle soorten")), *HouseType.choices])


def _revenue(year: int) -> dict[int, dict] | None:
    """Money per house in `year` (`boeking.payments.revenue_per_house`: charged, refunded, net, in cents), when
    the payments module provides it."""
    try:
        fn = getattr(import_module("boeking.payments"), "revenue_per_house", None)
    except ImportError:
        return None
    if fn is None:
        return None
    return {row["house_id"]: row for row in fn(year)}


def _group_by_house(rows: list[usage.UsageRow]) -> list[dict]:
    houses: dict[int, dict] = {}
    for row in rows:
        entry = houses.setdefault(row.house, {"id": row.house, "name": row.house_name, "district": row.district,
                                              "neighbourhood": row.neighbourhood, "house_type": row.house_type,
                                              "cells": [], "level": "ok"})
        entry["cells"].append(row)
    order = {"full": 0, "near": 1, "ok": 2, "none": 3}
    for entry in houses.values():
        entry["level"] = min((c.level for c in entry["cells"]), key=order.__getitem__)
        entry["house_type_label"] = HouseType(entry["house_type"]).label if entry["house_type"] in HouseType.values \
            else entry["house_type"]
    return list(houses.values())


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Usage against caps per house and kind for a year, highlighted at ≥ 80 % and 100 %; city-wide totals and a
    chart per month; filters by district and house type; earlier years."""
    user = request.user
    _require(request, access.can_see_usage(user))
    form = UsageFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    year = filters.get("year") or usage.current_year()
    house_ids = access.usage_house_ids(user)
    district = filters.get("district")
    rows = usage.usage(year, house_ids=house_ids, district=district.slug if district else None,
                       house_type=filters.get("house_type") or None)
    houses = _group_by_house(rows)
    visible_ids = [h["id"] for h in houses]
    per_month = usage.monthly(year, house_ids=visible_ids)
    revenue = _revenue(year) if _is_officer(user) else None
    if revenue is not None:
        for house in houses:
            row = revenue.get(house["id"], {})
            house["revenue"] = euro(row.get("net_cents", 0))
            house["charged"] = euro(row.get("charged_cents", 0))
    totals = usage.totals(rows)
    query = request.GET.copy()
    years = []
    for y in usage.years_with_bookings():
        query["year"] = y
        years.append({"year": y, "query": query.urlencode(), "current": y == year})
    return render(request, "gemeente/dashboard.html", {
        "form": form, "year": year, "houses": houses, "kinds": [(k, KIND_LABELS[k]) for k in usage.KINDS],
        "totals": [{"t": t, "label": KIND_LABELS[t.kind]} for t in totals], "years": years,
        "near": sum(1 for r in rows if r.level == "near"), "full": sum(1 for r in rows if r.level == "full"),
        "chart": month_chart(per_month, labels=KIND_LABELS, chart_id="chart-city",
                             title=_("Goedgekeurde privé-bijeenkomsten per maand in %(year)s") % {"year": year}),
        "month_table": month_table(per_month, labels=KIND_LABELS), "months": MONTHS, "officer": _is_officer(user),
        "show_revenue": revenue is not None, "level_labels": LEVEL_LABELS,
    })


class OverrideForm(UtrechtForm):
    kind = forms.ChoiceField(label=gettext_lazy("Soort"), choices=list(KIND_LABELS.items()))
    cap = forms.IntegerField(label=gettext_lazy("Maximum per jaar"), min_value=0, max_value=1000)
    reason = forms.CharField(label=gettext_lazy("Reden"), max_length=500,
                             help_text=gettext_lazy("Verplicht, bijvoorbeeld ‘horeca in de buurt’."))
    effective_from = forms.DateField(
        label=gettext_lazy("Geldt vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leeg: vandaag. Een latere datum (bv. 1 januari) plant de wijziging; eerdere jaren "
                               "houden het maximum dat toen gold."))


class RemoveOverrideForm(UtrechtForm):
    kind = forms.ChoiceField(choices=list(KIND_LABELS.items()))
    reason = forms.CharField(max_length=500, required=False)


def _confirm_remove(request: HttpRequest, rule: CapRule, *, back: str, reason: str, keep: dict[str, str]) -> HttpResponse:
    """The confirmation step before a house's own cap is removed: which cap goes, which cap applies after it."""
    default = CapTable.load(house_ids=[]).version(0, rule.kind)
    label = str(KIND_LABELS.get(rule.kind, rule.kind)).lower()
    facts = [_("Huis: %(house)s") % {"house": rule.house.name},
             _("Eigen maximum voor %(kind)s: %(cap)s per jaar") % {"kind": label, "cap": rule.cap},
             _("Reden van dat maximum: %(reason)s") % {"reason": rule.reason} if rule.reason else "",
             (_("Daarna geldt het maximum van de gemeente: %(cap)s per jaar.") % {"cap": default.cap})
             if default is not None else "",
             _("Al goedgekeurde boekingen blijven staan."),
             _("Toelichting: %(reason)s") % {"reason": reason} if reason else ""]
    return confirm_page(
        request, title=_("Eigen maximum verwijderen"), action=request.get_full_path(), back=back, keep=keep,
        question=_("Weet u zeker dat u het eigen maximum van %(house)s voor %(kind)s wilt verwijderen?")
        % {"house": rule.house.name, "kind": label},
        facts=facts, button=_("Ja, verwijder het eigen maximum"))


@login_required
def house_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One house: usage per kind against its caps (with the reason of an override), a chart per month, earlier
    years; officers set or remove the house's own caps here."""
    user = request.user
    _require(request, access.can_see_usage(user))
    allowed = access.usage_house_ids(user)
    if allowed is not None and pk not in allowed:
        raise Http404
    house = get_object_or_404(House.objects.select_related("neighbourhood__district"), pk=pk)
    try:
        year = int(request.GET.get("year") or usage.current_year())
    except ValueError:
        year = usage.current_year()
    year = min(max(year, 2000), 2100)
    override_form = OverrideForm()
    back = f"{reverse('gemeente:house', args=[house.pk])}?year={year}"
    if request.method == "POST":
        _require(request, _is_officer(user))
        action = request.POST.get("action")
        form = OverrideForm(request.POST) if action == "set" else RemoveOverrideForm(request.POST)
        if form.is_valid():
            try:
                if action == "set":
                    cap_rule_set(actor=user, kind=form.cleaned_data["kind"], cap=form.cleaned_data["cap"], house=house,
                                 reason=form.cleaned_data["reason"],
                                 effective_from=form.cleaned_data.get("effective_from"))
                    messages.success(request, _("Het maximum van dit huis is vastgelegd."))
                else:
                    rule = CapTable.load(house_ids=[house.pk]).version(house.pk, form.cleaned_data["kind"])
                    if rule is None or rule.house_id != house.pk:
                        messages.error(request, _("Dit huis heeft geen eigen maximum voor deze soort; er is niets "
                                                  "verwijderd."))
                        return redirect(back)
                    reason = form.cleaned_data.get("reason", "")
                    if not confirmed(request):  # destructive: the first POST asks (as on the board's pages)
                        return _confirm_remove(request, rule, back=back, reason=reason,
                                               keep={"action": "remove", "kind": rule.kind, "reason": reason})
                    cap_rule_remove(actor=user, rule=rule, reason=reason)
                    messages.success(request, _("Het eigen maximum is verwijderd; het maximum van de gemeente geldt."))
                return redirect(back)
            except DomainError as exc:
                form.add_error(None, exc.detail)
        if action == "set":
            override_form = form
        else:
            messages.error(request, _("Verwijderen is niet gelukt."))
    rows = usage.usage(year, house_ids=[house.pk])
    # "Eerdere jaren": the years before this one only (not this year, not next year's early requests).
    history = usage.usage([y for y in usage.years_with_bookings() if y < usage.current_year()], house_ids=[house.pk])
    per_month = usage.monthly(year, house_ids=[house.pk])
    return render(request, "gemeente/house.html", {
        "house": house, "year": year, "rows": rows, "history": history, "officer": _is_officer(user),
        "chart": month_chart(per_month, labels=KIND_LABELS, chart_id="chart-house",
                             title=_("Goedgekeurde privé-bijeenkomsten per maand in %(year)s, %(house)s") %
                             {"year": year, "house": house.name}),
        "month_table": month_table(per_month, labels=KIND_LABELS), "months": MONTHS, "override_form": override_form,
        "level_labels": LEVEL_LABELS, "kind_labels": KIND_LABELS,
        "years": [y for y in usage.years_with_bookings()],
    })


class DefaultCapsForm(UtrechtForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_defaults_%s")  # shares the page with HouseOverrideForm: ids must differ
        super().__init__(*args, **kwargs)
        current = {r.kind: r.cap for r in CapTable.load(house_ids=[]).rules_on() if r.house_id is None}
        for kind in usage.KINDS:
            self.fields[kind] = forms.IntegerField(label=KIND_LABELS[kind], min_value=0, max_value=1000,
                                                   initial=current.get(kind))
        self.fields["reason"] = forms.CharField(label=gettext_lazy("Toelichting (voor de audittrail)"),
                                                max_length=500, required=False)
        self.fields["effective_from"] = copy.deepcopy(OverrideForm.base_fields["effective_from"])
        utrecht_widgets(self)


class HouseOverrideForm(OverrideForm):
    house = forms.ModelChoiceField(label=gettext_lazy("Huis"), queryset=House.objects.order_by("name"))

    field_order = ["house", "kind", "cap", "reason"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_override_%s")  # one page with DefaultCapsForm: its own ids
        super().__init__(*args, **kwargs)


@login_required
def caps(request: HttpRequest) -> HttpResponse:
    """City-wide default caps and the per-house overrides (each with its reason). Changes apply to new requests
    and approvals only; approved bookings stay."""
    user = request.user
    _require(request, _is_officer(user))
    defaults_form, override_form = DefaultCapsForm(), HouseOverrideForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "defaults":
                defaults_form = DefaultCapsForm(request.POST)
                if defaults_form.is_valid():
                    data = defaults_form.cleaned_data
                    cap_rules_apply(actor=user, changes=[{"kind": k, "house": None, "cap": data[k],
                                                          "reason": data["reason"],
                                                          "effective_from": data.get("effective_from")}
                                                         for k in usage.KINDS])
                    messages.success(request, _("De maxima voor de hele gemeente zijn vastgelegd."))
                    return redirect("gemeente:caps")
            elif action == "override":
                override_form = HouseOverrideForm(request.POST)
                if override_form.is_valid():
                    data = override_form.cleaned_data
                    cap_rule_set(actor=user, kind=data["kind"], cap=data["cap"], house=data["house"],
                                 reason=data["reason"], effective_from=data.get("effective_from"))
                    messages.success(request, _("Het maximum voor %(house)s is vastgelegd.") % {"house": data["house"]})
                    return redirect("gemeente:caps")
            elif action == "remove":
                rule = get_object_or_404(CapRule.objects.select_related("house"), pk=parse_id(request.POST.get("rule")),
                                         house__isnull=False, cap__isnull=False)
                reason = request.POST.get("reason", "")[:500]
                if not confirmed(request):  # destructive: the first POST asks (as on the board's pages)
                    return _confirm_remove(request, rule, back=reverse("gemeente:caps"), reason=reason,
                                           keep={"action": "remove", "rule": str(rule.pk), "reason": reason})
                cap_rule_remove(actor=user, rule=rule, reason=reason)
                messages.success(request, _("Het eigen maximum is verwijderd."))
                return redirect("gemeente:caps")
        except DomainError as exc:
            (defaults_form if action == "defaults" else override_form).add_error(None, exc.detail)
    table = CapTable(list(CapRule.objects.select_related("house")))
    overrides = sorted((r for r in table.rules_on() if r.house_id is not None), key=lambda r: (r.house.name, r.kind))
    planned = [r for r in CapRule.objects.select_related("house").filter(effective_from__gt=today())
               .order_by("effective_from", "house__name", "kind")]
    return render(request, "gemeente/caps.html", {
        "defaults_form": defaults_form, "override_form": override_form, "overrides": overrides, "planned": planned,
        "kind_labels": KIND_LABELS, "officer": True,
    })


NOTICE_FIELDS = {"min_notice_party_hours": gettext_lazy("Minimale aanvraagtermijn feest (dagen)"),
                 "min_notice_gathering_hours": gettext_lazy("Minimale aanvraagtermijn bijeenkomst (dagen)"),
                 "min_notice_koffietafel_hours": gettext_lazy("Minimale aanvraagtermijn koffietafel (dagen)"),
                 "min_notice_other_hours": gettext_lazy("Minimale aanvraagtermijn overig (dagen)")}


def _days(hours: int | None):
    """Hours as days for the form: 336 → 14, 36 → 1.5."""
    if hours is None:
        return None
    from decimal import Decimal

    return (Decimal(hours) / 24).quantize(Decimal("0.01")).normalize()


class RuleSettingsForm(forms.ModelForm):
    """The rule settings; notice periods are typed in days (stored in hours: days × 24, rounded to the hour)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in NOTICE_FIELDS.items():
            self.fields[name] = forms.DecimalField(
                label=label, min_value=0, max_value=365, decimal_places=2, required=True,
                initial=_days(getattr(self.instance, name, None)),
                help_text=gettext_lazy("In dagen; een halve dag is 0,5."),
                widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}))
            self.initial[name] = _days(getattr(self.instance, name, None))
        if "melding_email" in self.fields:
            self.fields["melding_email"].help_text = gettext_lazy(
                "Leeg: het vaste adres voor meldingen dat bij de installatie is ingesteld.")
        utrecht_widgets(self)

    def clean(self):
        data = super().clean()
        for name in NOTICE_FIELDS:
            if data.get(name) is not None:
                data[name] = int(round(data[name] * 24))
        return data

    class Meta:
        model = RuleSettings
        exclude: list[str] = []
        widgets = {name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for name in ("private_end_weeknight", "private_end_weekend", "koffietafel_earliest",
                                "koffietafel_latest")}


@login_required
def rule_settings(request: HttpRequest) -> HttpResponse:
    """The other rule parameters of SPEC §4; audited, effective for new requests only. With the recent changes."""
    user = request.user
    _require(request, _is_officer(user))
    current = RuleSettings.current()
    form = RuleSettingsForm(instance=RuleSettings.current())
    if request.method == "POST":
        form = RuleSettingsForm(request.POST, instance=RuleSettings.current())
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data
                       if name not in NOTICE_FIELDS or form.cleaned_data[name] != getattr(current, name)}
            try:
                if changes:
                    rule_settings_update(actor=user, changes=changes)
                messages.success(request, _("De regels zijn opgeslagen. Ze gelden voor nieuwe aanvragen."))
                return redirect("gemeente:rules")
            except DomainError as exc:
                form.add_error(None, exc.detail)
    changes = (AuditEntry.objects.filter(action__in=("rule_settings.updated", "cap_rule.set", "cap_rule.removed"))
               .select_related("actor").order_by("-at", "-pk")[:30])
    return render(request, "gemeente/rules.html", {"form": form, "changes": changes, "current": current,
                                                   "officer": True})


class MeldingFilterForm(UtrechtForm):
    start = forms.DateField(label=gettext_lazy("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Tot en met"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    house = forms.ModelChoiceField(label=gettext_lazy("Huis"), queryset=House.objects.order_by("name"), required=False,
                                   empty_label=gettext_lazy("Alle huizen"))


@login_required
def meldingen(request: HttpRequest) -> HttpResponse:
    """Advance notices of parties and gatherings (no personal data), withdrawn ones marked."""
    _require(request, _is_officer(request.user))
    # Without a filter: the coming events (from today), the ones the municipality can still act on.
    form = bound_dates(MeldingFilterForm(request.GET or {"start": today().isoformat()}))
    qs = Melding.objects.select_related("house__neighbourhood__district").order_by("start", "pk")
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("start"):
        qs = qs.filter(start__gte=local_midnight(data["start"]))
    if data.get("end"):
        qs = qs.filter(start__lt=local_midnight(data["end"] + dt.timedelta(days=1)))
    if data.get("house"):
        qs = qs.filter(house=data["house"])
    settings = RuleSettings.current()
    items = [{"m": m, "notice_days": (m.start - m.created_at).days,
              "late": m.start - m.created_at < dt.timedelta(hours=settings.min_notice_hours(m.kind))}
             for m in qs[:1000]]
    from boeking.notifications import melding_address

    return render(request, "gemeente/meldingen.html", {"form": form, "items": items, "address": melding_address(),
                                                       "officer": True})


@login_required
def exports(request: HttpRequest) -> HttpResponse:
    """Downloads: open data on usage (CSV, JSON) and accessibility screening per house."""
    _require(request, _is_officer(request.user))
    return render(request, "gemeente/exports.html", {"years": usage.years_with_bookings(), "officer": True})



# --- occupancy, income, accessibility, automatic approval, the yearly report (issue 21) ---------------------------

WEEKDAYS = [gettext_lazy("maandag"), gettext_lazy("dinsdag"), gettext_lazy("woensdag"), gettext_lazy("donderdag"),
            gettext_lazy("vrijdag"), gettext_lazy("zaterdag"), gettext_lazy("zondag")]
GROUP_LABELS = {"private": gettext_lazy("Privé (feest, koffietafel, bijeenkomst)"),
                "association": gettext_lazy("Verenigingen"), "community": gettext_lazy("Eigen activiteiten"),
                "other": gettext_lazy("Overig (eigen activiteiten)")}
NOTHING_ABOUT_WHO = gettext_lazy(
    "Deze cijfers gaan over huizen, zalen, uren en geld. Geen enkel cijfer wordt uitgesplitst naar "
    "kenmerken van bewoners (zoals leeftijd, herkomst of buurt van de huurder); het beleidsplan heeft het tellen "
    "van groepen bewust laten vallen.")


def _year_param(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or usage.current_year())
    except ValueError:
        year = usage.current_year()
    return min(max(year, 2000), 2100)


def _month_param(request: HttpRequest) -> int | None:
    value = request.GET.get("month") or ""
    return int(value) if value.isascii() and value.isdigit() and 1 <= int(value) <= 12 else None


def _hours(value: float) -> str:
    """Hours the Dutch way, one decimal: 12,5."""
    from django.utils.formats import number_format

    return number_format(round(value, 1), 1, use_l10n=True)


def _rate_text(cell: occupancy.Cell) -> str:
    return "–" if cell.percent is None else f"{cell.percent} %"


def _occupancy_row(house: occupancy.HouseOccupancy, cell: occupancy.Cell) -> dict:
    return {"house": house, "cell": cell, "rate": _rate_text(cell), "open": _hours(cell.open_s / 3600),
            "booked": _hours(sum(cell.booked_s.values()) / 3600),
            "groups": [_hours(cell.booked_s[g] / 3600) for g in occupancy.GROUPS]}


def _heat(house: occupancy.HouseOccupancy, prefix: str) -> dict:
    parts = [str(occupancy.DAYPART_LABELS[c]) for c in occupancy.DAYPART_CODES]
    days = [str(d) for d in WEEKDAYS]
    grid = [[house.total(weekday=wd, part=p) for p in range(len(parts))] for wd in range(7)]
    return {"svg": heat_map([[c.rate for c in row] for row in grid], rows=[d[:2] for d in days], cols=parts,
                            title=_("Bezetting per weekdag en dagdeel, %(house)s") % {"house": house.house_name},
                            chart_id=f"{prefix}-{house.house}"),
            "rows": [{"day": days[wd], "cells": [{"rate": _rate_text(c), "open": _hours(c.open_s / 3600)}
                                                 for c in grid[wd]]} for wd in range(7)],
            "parts": parts}


@login_required
def occupancy_city(request: HttpRequest) -> HttpResponse:
    """Occupancy of every house (volunteers: their own) in a year or month, ranked from least to most used, with
    hours open, booked per group and the rate. Aggregates only."""
    user = request.user
    _require(request, access.can_see_usage(user))
    year, month = _year_param(request), _month_param(request)
    houses = usage.houses_for(house_ids=access.usage_house_ids(user))
    result = occupancy.occupancy(year, month=month, houses=houses)
    ranking = [_occupancy_row(h, c) for h, c in result.ranking()]
    city = result.city()
    chart = bar_list([(r["house"].house_name, r["cell"].rate, r["rate"]) for r in ranking],
                     title=_("Bezettingsgraad per huis, van minst naar meest gebruikt"), chart_id="chart-occupancy")
    return render(request, "gemeente/occupancy.html", {
        "year": year, "month": month, "months": list(enumerate(MONTHS, start=1)), "ranking": ranking,
        "city": _occupancy_row(occupancy.HouseOccupancy(0, _("Hele gemeente"), "", "", "", []), city),
        "chart": chart, "officer": _is_officer(user), "group_labels": [GROUP_LABELS[g] for g in occupancy.GROUPS],
        "years": usage.years_with_bookings(),
    })


@login_required
def occupancy_house(request: HttpRequest, pk: int) -> HttpResponse:
    """One house's occupancy: the weekday × dagdeel heat map, per month and dagdeel, and per room."""
    user = request.user
    _require(request, access.can_see_usage(user))
    allowed = access.usage_house_ids(user)
    if allowed is not None and pk not in allowed:
        raise Http404
    year = _year_param(request)
    houses = list(usage.houses_for(house_ids=[pk]))
    if not houses:
        raise Http404
    result = occupancy.occupancy(year, houses=houses)
    house = result.houses[0]
    parts = list(range(len(occupancy.DAYPARTS)))
    month_rows = [{"month": MONTHS[m - 1], "cells": [_rate_text(house.total(month=m, part=p)) for p in parts],
                   "total": _occupancy_row(house, house.total(month=m))} for m in range(1, 13)]
    rooms = []
    for room in house.rooms:
        single = occupancy.HouseOccupancy(house.house, room.room_name, "", "", "", [room])
        rooms.append(_occupancy_row(single, single.total()))
    return render(request, "gemeente/occupancy_house.html", {
        "house": house, "year": year, "heat": _heat(house, "heat"), "month_rows": month_rows, "rooms": rooms,
        "total": _occupancy_row(house, house.total()), "officer": _is_officer(user),
        "part_labels": [occupancy.DAYPART_LABELS[c] for c in occupancy.DAYPART_CODES],
        "group_labels": [GROUP_LABELS[g] for g in occupancy.GROUPS], "years": usage.years_with_bookings(),
    })


def _money_row(name: str, money: income.Money, invoiced: int | None = None) -> dict:
    return {"name": name, "received": euro(money.received_cents), "refunded": euro(money.refunded_cents),
            "retained": euro(money.deposit_retained_cents), "net": euro(money.net_cents),
            "invoiced": None if invoiced is None else euro(invoiced), "net_cents": money.net_cents}


@login_required
def income_page(request: HttpRequest) -> HttpResponse:
    """Own income per house from the payments ledger: per kind group and per month, for the operating-subsidy
    conversation. Officers only."""
    _require(request, _is_officer(request.user))
    year = _year_param(request)
    report = income.income(year, houses=usage.houses_for())
    houses = []
    for h in report.houses:
        row = _money_row(h.house_name, h.total(), h.invoiced_cents)
        row["id"] = h.house
        row["groups"] = [euro(h.total(group=g).net_cents) for g in income.GROUPS]
        houses.append(row)
    per_group = {g: [0] * 12 for g in income.GROUPS}
    for h in report.houses:
        for (m, g), cell in h.cells.items():
            per_group[g][m - 1] += cell.net_cents
    labels = {"private": _("Privé"), "association": _("Verenigingen"), "other": _("Overig")}
    euros = {g: [max(v, 0) // 100 for v in values] for g, values in per_group.items()}
    month_rows = [{"month": MONTHS[m], "cells": [euro(per_group[g][m]) for g in income.GROUPS],
                   "total": euro(sum(per_group[g][m] for g in income.GROUPS))} for m in range(12)]
    return render(request, "gemeente/income.html", {
        "year": year, "houses": houses, "city": _money_row(_("Hele gemeente"), report.city(),
                                                           sum(h.invoiced_cents for h in report.houses)),
        "group_labels": [GROUP_LABELS[g] for g in income.GROUPS], "month_rows": month_rows, "officer": True,
        "chart": month_chart(euros, labels=labels, chart_id="chart-income",
                             title=_("Netto eigen inkomsten per maand in %(year)s, in hele euro's") % {"year": year}),
        "years": usage.years_with_bookings(),
    })


class AccessibilityFilterForm(UtrechtForm):
    screened = forms.ChoiceField(label=gettext_lazy("Schouw"), required=False, choices=[
        ("", gettext_lazy("Alle locaties")), ("yes", gettext_lazy("Geschouwd")),
        ("no", gettext_lazy("Nog niet geschouwd"))])
    step_free = forms.BooleanField(label=gettext_lazy("Drempelvrije entree"), required=False)
    toilet = forms.BooleanField(label=gettext_lazy("Invalidentoilet"), required=False)


def _accessibility(request: HttpRequest) -> tuple[AccessibilityFilterForm, list[dict]]:
    form = AccessibilityFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = usage.accessibility_rows()
    if data.get("screened") == "yes":
        rows = [r for r in rows if r["screening_status"] != ScreeningStatus.NOT_SCREENED]
    elif data.get("screened") == "no":
        rows = [r for r in rows if r["screening_status"] == ScreeningStatus.NOT_SCREENED]
    if data.get("step_free"):
        rows = [r for r in rows if r["step_free_entrance"]]
    if data.get("toilet"):
        rows = [r for r in rows if r["accessible_toilet"]]
    return form, rows


@login_required
def accessibility(request: HttpRequest) -> HttpResponse:
    """Per house and location: NEN 9120 screening status and date, the features screened; filters and exports."""
    _require(request, _is_officer(request.user))
    form, rows = _accessibility(request)
    status_labels = dict(ScreeningStatus.choices)
    for row in rows:
        row["status_label"] = status_labels.get(row["screening_status"], row["screening_status"])
        row["date"] = dt.date.fromisoformat(row["screening_date"]) if row["screening_date"] else None
    return render(request, "gemeente/accessibility.html", {
        "form": form, "rows": rows, "query": request.GET.urlencode(), "officer": True,
    })


@login_required
def auto_approval(request: HttpRequest) -> HttpResponse:
    """Which houses approve which kinds at once when every rule passes (issue 18). No personal data."""
    _require(request, access.can_see_usage(request.user))
    rows = usage.auto_approval_rows(usage.houses_for(house_ids=access.usage_house_ids(request.user)))
    labels = dict(BookingKind.choices)
    for row in rows:
        row["labels"] = [labels[k] for k in row["kinds"]]
    return render(request, "gemeente/auto_approval.html", {
        "rows": rows, "using": sum(1 for r in rows if r["kinds"]), "officer": _is_officer(request.user)})


# --- the yearly report ------------------------------------------------------------------------------------------


def _change(now_value: float | int | None, before: float | int | None) -> str:
    if now_value is None or before is None:
        return "–"
    diff = now_value - before
    return f"+{diff}" if diff > 0 else str(diff)


def report_data(year: int) -> dict:
    """Every figure of the yearly report, for the template and for the test that compares it with the API:
    usage against the caps as they were, occupancy, meldingen per month, own income, accessibility, automatic
    approval, and the change against the previous year. A constant number of queries whatever the number of
    houses."""
    houses = list(usage.houses_for())
    rows = usage.usage([year - 1, year])
    this = [r for r in rows if r.year == year]
    totals_now, totals_before = usage.totals(this), usage.totals([r for r in rows if r.year == year - 1])
    occ_now = occupancy.occupancy(year, houses=houses)
    occ_before = occupancy.occupancy(year - 1, houses=houses)
    inc_now, inc_before = income.income(year, houses=houses), income.income(year - 1, houses=houses)
    meld_now, meld_before = usage.meldingen_per_month(year), usage.meldingen_per_month(year - 1)
    access_rows = usage.accessibility_rows()
    auto = [r for r in usage.auto_approval_rows(houses) if r["kinds"]]
    city_now, city_before = occ_now.city(), occ_before.city()
    money_now, money_before = inc_now.city(), inc_before.city()
    status_counts = {code: 0 for code, _label in ScreeningStatus.choices}
    for r in access_rows:
        status_counts[r["screening_status"]] = status_counts.get(r["screening_status"], 0) + 1
    return {
        "year": year, "houses": houses, "usage_rows": this, "usage_houses": _group_by_house(this),
        "totals": [{"t": t, "before": b, "label": KIND_LABELS[t.kind], "change": _change(t.count, b.count)}
                   for t, b in zip(totals_now, totals_before, strict=True)],
        "occupancy": occ_now, "occupancy_before": occ_before, "city": city_now, "city_before": city_before,
        "ranking": [_occupancy_row(h, c) for h, c in occ_now.ranking()],
        "income": inc_now, "income_before": inc_before, "money": money_now, "money_before": money_before,
        "meldingen": meld_now, "meldingen_before": meld_before, "accessibility": access_rows,
        "status_counts": status_counts, "auto": auto,
    }


@login_required
def report_index(request: HttpRequest) -> HttpResponse:
    """The report of this year (so far), or of `?year=`."""
    _require(request, _is_officer(request.user))
    year = _year_param(request)
    return redirect("gemeente:report", year=year)


@login_required
def report(request: HttpRequest, year: int) -> HttpResponse:
    """The yearly report for the council: one printable page (A4 via the print stylesheet) with usage against the
    caps as they were, occupancy, meldingen per month, own income, accessibility, and the change against the
    previous year; charts as SVG with the same figures as tables. Officers only."""
    _require(request, _is_officer(request.user))
    if not 2001 <= year <= 2100:
        raise Http404
    data = report_data(year)
    meld_labels = {k: KIND_LABELS[k] for k in usage.KINDS}
    money = data["money"]
    summary = [
        {"label": _("Goedgekeurde privé-bijeenkomsten"), "before": sum(t["before"].count for t in data["totals"]),
         "now": sum(t["t"].count for t in data["totals"])},
        {"label": _("Bezettingsgraad hele gemeente"), "before": _rate_text(data["city_before"]),
         "now": _rate_text(data["city"])},
        {"label": _("Uren gebruikt"), "before": _hours(data["city_before"].booked_hours),
         "now": _hours(data["city"].booked_hours)},
        {"label": _("Meldingen"), "before": sum(sum(v) for v in data["meldingen_before"].values()),
         "now": sum(sum(v) for v in data["meldingen"].values())},
        {"label": _("Netto eigen inkomsten"), "before": euro(data["money_before"].net_cents),
         "now": euro(money.net_cents)},
    ]
    for row in summary:
        row["change"] = _change(row["now"], row["before"]) if isinstance(row["now"], int) else ""
    status_labels = dict(ScreeningStatus.choices)
    incomes = []
    for h in data["income"].houses:
        row = _money_row(h.house_name, h.total(), h.invoiced_cents)
        row["groups"] = [euro(h.total(group=g).net_cents) for g in income.GROUPS]
        incomes.append(row)
    income_months = {g: [0] * 12 for g in ("net",)}
    for m, cell in enumerate(data["income"].per_month()):
        income_months["net"][m] = max(cell.net_cents, 0) // 100
    for r in data["accessibility"]:
        r["status_label"] = status_labels.get(r["screening_status"], r["screening_status"])
        r["date"] = dt.date.fromisoformat(r["screening_date"]) if r["screening_date"] else None
    kind_labels = dict(BookingKind.choices)
    for r in data["auto"]:
        r["labels"] = [kind_labels[k] for k in r["kinds"]]
    return render(request, "gemeente/report.html", {
        **data, "officer": True, "summary": summary, "incomes": incomes, "kinds": list(KIND_LABELS.items()),
        "nothing_about_who": NOTHING_ABOUT_WHO, "months": MONTHS, "generated": today(),
        "status_rows": [{"label": status_labels[c], "count": n} for c, n in data["status_counts"].items()],
        "meldingen_chart": month_chart(data["meldingen"], labels=meld_labels, chart_id="chart-meldingen",
                                       title=_("Meldingen per maand in %(year)s") % {"year": year}),
        "meldingen_table": month_table(data["meldingen"], labels=meld_labels),
        "income_chart": month_chart(income_months, labels={"net": _("Netto")}, chart_id="chart-income-report",
                                    title=_("Netto eigen inkomsten per maand in %(year)s, in hele euro's")
                                    % {"year": year}),
        "income_month_rows": [{"month": MONTHS[m], "net": euro(c.net_cents)}
                              for m, c in enumerate(data["income"].per_month())],
        "occupancy_chart": bar_list([(r["house"].house_name, r["cell"].rate, r["rate"]) for r in data["ranking"]],
                                    title=_("Bezettingsgraad per huis in %(year)s, van minst naar meest gebruikt")
                                    % {"year": year}, chart_id="chart-occupancy-report"),
        "usage_chart": month_chart(usage.monthly(year), labels=KIND_LABELS, chart_id="chart-usage-report",
                                   title=_("Goedgekeurde privé-bijeenkomsten per maand in %(year)s")
                                   % {"year": year}),
        "usage_table": month_table(usage.monthly(year), labels=KIND_LABELS),
        "level_labels": LEVEL_LABELS, "group_labels": [GROUP_LABELS[g] for g in occupancy.GROUPS],
        "income_group_labels": [GROUP_LABELS[g] for g in income.GROUPS],
    })


# --- exports that open in Dutch Excel ------------------------------------------------------------------------------

USAGE_COLUMNS = [("house", gettext_lazy("Huisnummer"), "int"), ("house_name", gettext_lazy("Huis"), "str"),
                 ("district", gettext_lazy("Wijk"), "str"), ("year", gettext_lazy("Jaar"), "int"),
                 ("kind_label", gettext_lazy("Soort"), "str"), ("count", gettext_lazy("Geteld"), "int"),
                 ("pending", gettext_lazy("Aangevraagd"), "int"), ("cap", gettext_lazy("Maximum"), "int"),
                 ("cap_from", gettext_lazy("Maximum geldt vanaf"), "date"),
                 ("percent", gettext_lazy("Percentage van het maximum"), "int")]
ACCESSIBILITY_COLUMNS = [
    ("house", gettext_lazy("Huisnummer"), "int"), ("house_name", gettext_lazy("Huis"), "str"),
    ("district", gettext_lazy("Wijk"), "str"), ("location", gettext_lazy("Locatie"), "str"),
    ("street", gettext_lazy("Straat en huisnummer"), "str"), ("postcode", gettext_lazy("Postcode"), "str"),
    ("status_label", gettext_lazy("Schouwstatus (NEN 9120)"), "str"),
    ("screening_date", gettext_lazy("Schouwdatum"), "date"),
    ("step_free_entrance", gettext_lazy("Drempelvrije entree"), "bool"),
    ("threshold_max_2cm", gettext_lazy("Drempels ≤ 2 cm"), "bool"),
    ("door_width_cm", gettext_lazy("Deurbreedte (cm)"), "int"), ("lift", gettext_lazy("Lift"), "bool"),
    ("accessible_toilet", gettext_lazy("Invalidentoilet"), "bool"), ("hearing_loop", gettext_lazy("Ringleiding"), "bool"),
    ("wheelchair_accessible", gettext_lazy("Rolstoeltoegankelijk"), "bool")]


def _typed(value, kind: str):
    """A cell's value as a spreadsheet should hold it: numbers as numbers, dates as dates, yes/no in words."""
    if value is None or value == "":
        return None
    if kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    if kind == "bool":
        return _("ja") if value else _("nee")
    if kind == "int":
        return int(value)
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _csv_response(records: list[dict], columns, filename: str) -> HttpResponse:
    """CSV for Dutch Excel: `;` between fields, UTF-8 with a byte-order mark, Dutch headers, dates dd-mm-jjjj."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([str(label) for _key, label, _kind in columns])
    for record in records:
        cells = []
        for key, _label, kind in columns:
            value = _typed(record.get(key), kind)
            cells.append("" if value is None else value.strftime("%d-%m-%Y") if isinstance(value, dt.date) else value)
        writer.writerow(cells)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_response(records: list[dict], columns, filename: str, title: str) -> HttpResponse:
    """An .xlsx workbook (openpyxl): Dutch headers in bold, numbers as numbers, dates as dates (dd-mm-jjjj)."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([str(label) for _key, label, _kind in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in records:
        sheet.append([_typed(record.get(key), kind) for key, _label, kind in columns])
    for index, (_key, label, kind) in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(str(label)) + 2)
        if kind == "date":
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _usage_records(request: HttpRequest) -> tuple[list[dict], str]:
    year = request.GET.get("year") or ""
    years = [int(year)] if year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100 else \
        usage.years_with_bookings()
    records = []
    for row in usage.usage(years):
        record = row.as_dict()
        record["kind_label"] = KIND_LABELS[row.kind]
        records.append(record)
    return records, f"zaalboek-gebruik-{years[0] if len(years) == 1 else 'alle-jaren'}"


@login_required
def export_file(request: HttpRequest, what: str, fmt: str) -> HttpResponse:
    """Usage (`gebruik`) or accessibility (`toegankelijkheid`, with the page's filters) as .xlsx or as CSV for Dutch
    Excel. Officers only; the same figures as the open-data JSON of the API."""
    _require(request, _is_officer(request.user))
    if what not in ("gebruik", "toegankelijkheid") or fmt not in ("xlsx", "csv"):
        raise Http404
    if what == "gebruik":
        records, filename = _usage_records(request)
        columns, title = USAGE_COLUMNS, _("Gebruik")
    else:
        _form, records = _accessibility(request)
        status_labels = dict(ScreeningStatus.choices)
        for r in records:
            r["status_label"] = status_labels.get(r["screening_status"], r["screening_status"])
        columns, filename, title = ACCESSIBILITY_COLUMNS, "zaalboek-toegankelijkheid", _("Toegankelijkheid")
    if fmt == "xlsx":
        return _xlsx_response(records, columns, filename, str(title))
    return _csv_response(records, columns, filename)

app_name = "gemeente"
urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("huizen/<id:pk>/", house_detail, name="house"),
    path("maxima/", caps, name="caps"),
    path("regels/", rule_settings, name="rules"),
    path("meldingen/", meldingen, name="meldingen"),
    path("export/", exports, name="exports"),
    path("export/<str:what>.<str:fmt>", export_file, name="export-file"),
    path("bezetting/", occupancy_city, name="occupancy"),
    path("huizen/<id:pk>/bezetting/", occupancy_house, name="occupancy-house"),
    path("inkomsten/", income_page, name="income"),
    path("toegankelijkheid/", accessibility, name="accessibility"),
    path("automatisch-goedkeuren/", auto_approval, name="auto-approval"),
    path("rapport/", report_index, name="report-index"),
    path("rapport/<id:year>/", report, name="report"),
]

"""The municipality's pages (`/gemeente/`, SPEC §7): usage against caps with charts, caps and rule settings,
meldingen, exports. Aggregates only: these pages never show a resident's name, contact details or free text.

Municipality officers and admins see every house and may change caps and rules; volunteers see the dashboard and the
house pages for their own houses only (read-only). Everyone else gets 403; anonymous visitors the login page.
Every change goes through `boeking.services.config`.
"""

from __future__ import annotations

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

from boeking import access, usage
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
)
from boeking.pricing import euro
from boeking.services.config import cap_rule_remove, cap_rule_set, cap_rules_apply, rule_settings_update

from .charts import MONTHS, month_chart, month_table
from .helpers import bound_dates, parse_id

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


class RemoveOverrideForm(UtrechtForm):
    kind = forms.ChoiceField(choices=list(KIND_LABELS.items()))
    reason = forms.CharField(max_length=500, required=False)


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
    if request.method == "POST":
        _require(request, _is_officer(user))
        action = request.POST.get("action")
        form = OverrideForm(request.POST) if action == "set" else RemoveOverrideForm(request.POST)
        if form.is_valid():
            try:
                if action == "set":
                    cap_rule_set(actor=user, kind=form.cleaned_data["kind"], cap=form.cleaned_data["cap"], house=house,
                                 reason=form.cleaned_data["reason"])
                    messages.success(request, _("Het maximum van dit huis is vastgelegd."))
                else:
                    rule = CapRule.objects.filter(house=house, kind=form.cleaned_data["kind"]).first()
                    if rule:
                        cap_rule_remove(actor=user, rule=rule, reason=form.cleaned_data.get("reason", ""))
                    messages.success(request, _("Het eigen maximum is verwijderd; het maximum van de gemeente geldt."))
                return redirect(f"{reverse('gemeente:house', args=[house.pk])}?year={year}")
            except DomainError as exc:
                form.add_error(None, exc.detail)
        if action == "set":
            override_form = form
        else:
            messages.error(request, _("Verwijderen is niet gelukt."))
    rows = usage.usage(year, house_ids=[house.pk])
    history = usage.usage(usage.years_with_bookings(), house_ids=[house.pk])
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
        super().__init__(*args, **kwargs)
        current = {r.kind: r.cap for r in CapRule.objects.filter(house__isnull=True)}
        for kind in usage.KINDS:
            self.fields[kind] = forms.IntegerField(label=KIND_LABELS[kind], min_value=0, max_value=1000,
                                                   initial=current.get(kind))
        self.fields["reason"] = forms.CharField(label=gettext_lazy("Toelichting (voor de audittrail)"),
                                                max_length=500, required=False)
        utrecht_widgets(self)


class HouseOverrideForm(OverrideForm):
    house = forms.ModelChoiceField(label=gettext_lazy("Huis"), queryset=House.objects.order_by("name"))

    field_order = ["house", "kind", "cap", "reason"]


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
                                                          "reason": data["reason"]} for k in usage.KINDS])
                    messages.success(request, _("De maxima voor de hele gemeente zijn vastgelegd."))
                    return redirect("gemeente:caps")
            elif action == "override":
                override_form = HouseOverrideForm(request.POST)
                if override_form.is_valid():
                    data = override_form.cleaned_data
                    cap_rule_set(actor=user, kind=data["kind"], cap=data["cap"], house=data["house"],
                                 reason=data["reason"])
                    messages.success(request, _("Het maximum voor %(house)s is vastgelegd.") % {"house": data["house"]})
                    return redirect("gemeente:caps")
            elif action == "remove":
                rule = get_object_or_404(CapRule, pk=parse_id(request.POST.get("rule")), house__isnull=False)
                cap_rule_remove(actor=user, rule=rule, reason=request.POST.get("reason", ""))
                messages.success(request, _("Het eigen maximum is verwijderd."))
                return redirect("gemeente:caps")
        except DomainError as exc:
            (defaults_form if action == "defaults" else override_form).add_error(None, exc.detail)
    overrides = CapRule.objects.filter(house__isnull=False).select_related("house").order_by("house__name", "kind")
    return render(request, "gemeente/caps.html", {
        "defaults_form": defaults_form, "override_form": override_form, "overrides": overrides,
        "kind_labels": KIND_LABELS, "officer": True,
    })


class RuleSettingsForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        utrecht_widgets(self)

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
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
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


app_name = "gemeente"
urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("huizen/<int:pk>/", house_detail, name="house"),
    path("maxima/", caps, name="caps"),
    path("regels/", rule_settings, name="rules"),
    path("meldingen/", meldingen, name="meldingen"),
    path("export/", exports, name="exports"),
]

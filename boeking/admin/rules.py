"""Rules as data: caps, the rule settings and closures. Saved and deleted only through their services (the same
ones the API calls), so the admin refuses what the API refuses, with the same words, and every change is audited."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.db import models
from django.utils.translation import gettext_lazy as _

from boeking import bounds, services
from boeking.clock import TZ
from boeking.errors import InvalidInput
from boeking.models import AutoApproval, CapRule, Closure, RuleSettings

from .base import ServiceAdmin, ServiceForm


class CapScopeFilter(admin.SimpleListFilter):
    title = _("geldt voor")
    parameter_name = "scope"

    def lookups(self, request, model_admin):
        return (("city", _("Hele gemeente")), ("house", _("Eén huis (afwijking)")))

    def queryset(self, request, queryset):
        if self.value() == "city":
            return queryset.filter(house__isnull=True)
        if self.value() == "house":
            return queryset.filter(house__isnull=False)
        return queryset


class CapRuleForm(ServiceForm):
    class Meta:
        help_texts = {"house": _("Leeg: het maximum voor de hele gemeente. Met een huis: een afwijking voor dat huis."),
                      "effective_from": _("Vandaag of later. Eerdere waarden blijven bewaard voor eerdere datums.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "effective_from" in self.fields and not self.instance.pk:
            from boeking.clock import today

            self.fields["effective_from"].initial = today()
            self.fields["effective_from"].required = False  # empty: today

@admin.register(CapRule)
class CapRuleAdmin(ServiceAdmin):
    """Caps keep their history: each row is a version with the date it takes effect. Adding one for a kind, house and
    date that already have one sets that version (as `cap_rule_set` does for the API); changing a version dated
    before today adds a new version from today, so earlier years keep their cap."""

    form = CapRuleForm
    error_fields = {"invalid_kind": "kind", "invalid_cap": "cap", "reason_required": "reason",
                    "invalid_effective_date": "effective_from"}
    list_display = ("kind", "scope_display", "cap", "reason", "effective_from", "updated_at")
    list_filter = ("kind", CapScopeFilter, "effective_from")
    list_select_related = ("house",)
    search_fields = ("house__name", "reason")
    autocomplete_fields = ("house",)

    @admin.display(description=_("geldt voor"), ordering="house__name")
    def scope_display(self, obj):
        return obj.house or _("Hele gemeente")

    # `cap_rule_set` finds its row by (kind, house): changing those would create a second rule, so they are
    # chosen when adding and shown read-only afterwards.
    def get_fields(self, request, obj=None):
        return ("kind", "house", "cap", "reason", "effective_from") if obj is None else (
            "kind", "scope_display", "cap", "reason", "effective_from")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("kind", "scope_display", "effective_from")

    def save_by_service(self, request, obj, form, change):
        from boeking.clock import today

        if change:  # a version dated before today is not rewritten: the change starts a new version today
            day = obj.effective_from if obj.effective_from >= today() else None
        else:  # as typed (empty: today); a date in the past is refused by the service, in words
            day = form.cleaned_data.get("effective_from") if form is not None else None
        if obj.cap is None:
            raise InvalidInput("invalid_cap", "Het maximum moet een geheel getal tussen 0 en 1000 zijn.")
        return services.cap_rule_set(actor=request.user, kind=obj.kind, cap=obj.cap, house=obj.house,
                                     reason=obj.reason or "", effective_from=day)

    def delete_by_service(self, request, obj):
        services.cap_rule_remove(actor=request.user, rule=obj, reason="Verwijderd via het beheer")


@admin.register(RuleSettings)
class RuleSettingsAdmin(ServiceAdmin):
    error_fields = {"invalid_postcodes": "resident_postcodes"}
    list_display = ("__str__", "max_advance_days", "decision_days", "payment_days", "resident_postcodes",
                    "updated_at")
    readonly_fields = ("updated_at",)
    fieldsets = (
        (_("Aanvraagtermijnen"), {"fields": (
            "min_notice_party_hours", "min_notice_gathering_hours", "min_notice_koffietafel_hours",
            "min_notice_other_hours", "max_advance_days")}),
        (_("Privé-bijeenkomsten"), {"fields": (
            ("private_end_weeknight", "private_end_weekend"), ("koffietafel_earliest", "koffietafel_latest"),
            ("private_min_minutes", "private_max_minutes"), "resident_postcodes")}),
        (_("Besluit, betaling en annulering"), {"fields": ("decision_days", "payment_days", "free_cancellation_days")}),
        (None, {"fields": ("updated_at",)}),
    )

    def get_queryset(self, request):
        # The services read and write `RuleSettings.current()`, the first row; only that one is shown.
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=queryset.order_by("pk").values("pk")[:1])

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RuleSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_by_service(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if change and not changes:
            return None  # nothing changed: no write, no audit entry
        return services.rule_settings_update(actor=request.user, changes=changes)


class LocalMomentField(forms.SplitDateTimeField):
    """A date and an Amsterdam wall-clock time, judged by the domain's bound (`boeking.bounds.check_moment`): a
    date outside 2000–2100, a time in the spring gap or in the repeated autumn hour is refused at this field in the
    words and with the code the API uses (Django's own conversion would refuse the last two in other words)."""

    def compress(self, data_list):
        if not data_list:
            return None
        day, clock_time = data_list
        if day in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid_date"], code="invalid_date")
        if clock_time in self.empty_values:
            raise forms.ValidationError(self.error_messages["invalid_time"], code="invalid_time")
        try:
            return bounds.check_moment(dt.datetime.combine(day, clock_time, tzinfo=TZ))
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail, code=exc.code) from exc


class ClosureForm(ServiceForm):
    class Meta:
        help_texts = {"room": _("Leeg: het hele huis is gesloten.")}


@admin.register(Closure)
class ClosureAdmin(ServiceAdmin):
    """Closures are created and deleted through the services; to change one, delete it and add a new one."""

    form = ClosureForm
    formfield_overrides = {models.DateTimeField: {"form_class": LocalMomentField, "widget": widgets.AdminSplitDateTime}}
    error_fields = {"end_before_start": "end", "reason_required": "reason", "room_not_in_house": "room"}
    list_display = ("house", "room", "start", "end", "reason")
    list_filter = ("house",)
    list_select_related = ("house", "room__house")
    search_fields = ("reason", "house__name", "room__name")
    date_hierarchy = "start"
    autocomplete_fields = ("house", "room")

    def has_change_permission(self, request, obj=None):
        return False

    def save_by_service(self, request, obj, form, change):
        return services.closure_create(actor=request.user, house=obj.house, room=obj.room, start=obj.start,
                                       end=obj.end, reason=obj.reason)

    def delete_by_service(self, request, obj):
        services.closure_delete(actor=request.user, closure=obj)


@admin.register(AutoApproval)
class AutoApprovalAdmin(admin.ModelAdmin):
    """Which houses approve which kinds at once when every rule passes. Read only: the board sets it on
    /bestuur/huizen/{slug}/instellingen/ (services.auto_approval_set, audited)."""

    list_display = ["house", "kind", "created_at", "created_by"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

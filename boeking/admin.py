"""Django admin for the operator of the installation (SPEC §2 "admin"). UI in Dutch.

Status and money are never edited here: booking transitions are admin actions that call `boeking.services`, and
caps, rule settings and closures are saved through their services, so every change is audited like any other.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import display_for_value, flatten_fieldsets
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from boeking import services
from boeking.clock import format_local, now
from boeking.errors import DomainError
from boeking.models import (
    AuditEntry,
    Booking,
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
    PaymentEntry,
    PostcodeArea,
    Profile,
    Room,
    RuleSettings,
    Series,
    SeriesSkip,
    StripeEvent,
    Tariff,
)
from boeking.pricing import euro

User = get_user_model()
EMPTY = "—"

# Fields the models leave without a (Dutch) verbose_name; used for form labels in every admin below.
FIELD_LABELS = {
    "district": _("wijk"),
    "neighbourhood": _("buurt"),
    "house": _("huis"),
    "location": _("locatie"),
    "room": _("zaal"),
    "user": _("gebruiker"),
    "slug": _("slug (in het webadres)"),
    "code": _("code"),
}


# --- helpers ---------------------------------------------------------------------------------------------------


def col(name: str, label: str, *, boolean: bool = False, ordering: str | None = None) -> Callable[..., Any]:
    """A list/readonly column for model field `name` with a Dutch `label` (choices shown by their label).

    Works as a plain callable and as a ModelAdmin attribute (then called bound, hence `*args`)."""

    def value(*args):
        obj = args[-1]
        getter = getattr(obj, f"get_{name}_display", None)
        raw = getter() if getter else getattr(obj, name)
        # Read-only fields print a callable's value as is: format dates in local time, empty as a dash.
        return raw if boolean else display_for_value(raw, EMPTY)

    value.__name__ = name
    return admin.display(description=label, boolean=boolean, ordering=ordering or name)(value)


def titled(base: type[admin.FieldListFilter], title: str) -> type[admin.FieldListFilter]:
    """`base` filter with a Dutch title, for fields without a Dutch verbose_name."""

    def __init__(self, *args, **kwargs):
        base.__init__(self, *args, **kwargs)
        self.title = title

    return type(f"Titled{base.__name__}", (base,), {"__init__": __init__})


def cents(name: str, label: str) -> Callable[..., Any]:
    """A read-only column showing integer cents as `€ 1.234,50`."""

    def value(*args):
        return euro(getattr(args[-1], name) or 0)

    value.__name__ = name
    return admin.display(description=label, ordering=name)(value)


def domain_error_text(obj: Any, exc: DomainError) -> str:
    return f"#{obj.pk}: {exc.code} – {exc.detail}"


def run_each(model_admin, request, queryset, call: Callable[[Any], Any], success: Callable[[int], str]) -> None:
    """An admin action's work: `call(obj)` (a service) per selected object, in id order; a refused object is reported
    with its code and does not stop the others; one success message counts the rest."""
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            call(obj)
        except DomainError as exc:
            model_admin.message_user(request, domain_error_text(obj, exc), messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, success(done), messages.SUCCESS)


class DutchLabelsMixin:
    """Dutch form labels for the fields the models leave unnamed."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        unnamed = db_field.verbose_name == db_field.name.replace("_", " ")
        if formfield is not None and unnamed and db_field.name in FIELD_LABELS:
            formfield.label = capfirst(FIELD_LABELS[db_field.name])
        return formfield


class ModelAdmin(DutchLabelsMixin, admin.ModelAdmin):
    empty_value_display = EMPTY


class TabularInline(DutchLabelsMixin, admin.TabularInline):
    pass


class StackedInline(DutchLabelsMixin, admin.StackedInline):
    pass


class ServiceSaveMixin:
    """For admins whose save/delete call a service: a domain error the form did not foresee becomes a message,
    not a server error. The admin's own transaction has been rolled back by then."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            self.message_user(request, f"{exc.code} – {exc.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @staticmethod
    def _mark_saved(obj, saved) -> None:
        """Make the admin's unsaved `obj` stand for the row the service wrote (for the log and the redirect)."""
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db
        for field in saved._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


class ReadOnlyAdminMixin:
    """Viewable, never added, changed or deleted here."""

    empty_value_display = EMPTY

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- geography -------------------------------------------------------------------------------------------------


class PostcodeAreaInline(TabularInline):
    model = PostcodeArea
    extra = 1


@admin.register(District)
class DistrictAdmin(ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Neighbourhood)
class NeighbourhoodAdmin(ModelAdmin):
    list_display = ("name", col("district", _("wijk")), "postcodes_display")
    list_filter = (("district", titled(admin.RelatedFieldListFilter, _("wijk"))),)
    list_select_related = ("district",)
    search_fields = ("name", "postcodes__pc4")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("district",)
    inlines = (PostcodeAreaInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("postcodes")

    @admin.display(description=_("postcodes (PC4)"))
    def postcodes_display(self, obj):
        return ", ".join(sorted({p.pc4 for p in obj.postcodes.all()})) or EMPTY


@admin.register(PostcodeArea)
class PostcodeAreaAdmin(ModelAdmin):
    list_display = ("pc4", col("neighbourhood", _("buurt")))
    list_filter = (("neighbourhood__district", titled(admin.RelatedFieldListFilter, _("wijk"))),)
    list_select_related = ("neighbourhood",)
    search_fields = ("pc4", "neighbourhood__name")
    autocomplete_fields = ("neighbourhood",)


# --- houses, locations, rooms ----------------------------------------------------------------------------------


class OpeningHoursInline(TabularInline):
    model = OpeningHours
    extra = 0


class LocationInline(StackedInline):
    model = Location
    extra = 0
    fieldsets = (
        (None, {"fields": ("name", ("street", "postcode", "city"))}),
        (_("Toegankelijkheid (NEN 9120)"), {"fields": (
            ("step_free_entrance", "threshold_max_2cm", "door_width_cm"),
            ("lift", "accessible_toilet", "hearing_loop"),
            ("disabled_parking_distance_m", "public_transport_distance_m"),
            ("screening_status", "screening_date"),
        )}),
    )


@admin.register(House)
class HouseAdmin(ModelAdmin):
    list_display = ("name", "house_type", "operator_type", col("neighbourhood", _("buurt")), "discount_percent",
                    "neighbourhood_residents_only", "active")
    list_filter = ("house_type", "operator_type", "active", "neighbourhood_residents_only",
                   ("neighbourhood__district", titled(admin.RelatedFieldListFilter, _("wijk"))))
    list_select_related = ("neighbourhood",)
    search_fields = ("name", "operator_name", "neighbourhood__name", "locations__street")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("neighbourhood",)
    inlines = (LocationInline, OpeningHoursInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "house_type", "neighbourhood", "description", "house_rules", "active")}),
        (_("Beheer en contact"), {"fields": ("operator_type", "operator_name", "email", "phone", "bank_account")}),
        (_("Regels en prijs"), {"fields": ("discount_percent", "neighbourhood_residents_only")}),
    )


@admin.register(OpeningHours)
class OpeningHoursAdmin(ModelAdmin):
    list_display = (col("house", _("huis")), "weekday", "opens", "closes")
    list_filter = ("weekday", ("house", titled(admin.RelatedFieldListFilter, _("huis"))))
    list_select_related = ("house",)
    search_fields = ("house__name",)
    autocomplete_fields = ("house",)


@admin.register(Location)
class LocationAdmin(ModelAdmin):
    list_display = ("name", col("house", _("huis")), "street", "postcode", "wheelchair_display", "screening_status",
                    "screening_date")
    list_filter = ("screening_status", "step_free_entrance", "lift", "accessible_toilet", "hearing_loop",
                   ("house", titled(admin.RelatedFieldListFilter, _("huis"))))
    list_select_related = ("house",)
    search_fields = ("name", "street", "postcode", "house__name")
    autocomplete_fields = ("house",)
    fieldsets = ((None, {"fields": ("house",)}),) + LocationInline.fieldsets

    @admin.display(description=_("rolstoeltoegankelijk"), boolean=True)
    def wheelchair_display(self, obj):
        return obj.wheelchair_accessible


@admin.register(Facility)
class FacilityAdmin(ModelAdmin):
    list_display = ("name_nl", "name_en", "code")
    search_fields = ("name_nl", "name_en", "code")
    prepopulated_fields = {"code": ("name_nl",)}


class TariffInline(TabularInline):
    model = Tariff
    extra = 0


@admin.register(Room)
class RoomAdmin(ModelAdmin):
    list_display = ("name", col("house", _("huis")), col("location", _("locatie")), "capacity", "area_m2",
                    cents("deposit_cents", _("borg")), "private_events_allowed", "active")
    list_filter = ("active", "private_events_allowed", ("house", titled(admin.RelatedFieldListFilter, _("huis"))),
                   "facilities")
    list_select_related = ("house", "location")
    search_fields = ("name", "house__name", "location__name")
    autocomplete_fields = ("location",)
    filter_horizontal = ("facilities",)
    readonly_fields = ("house_display",)
    inlines = (TariffInline,)
    fieldsets = (
        (None, {"fields": ("location", "house_display", "name", "description", "active")}),
        (_("Ruimte"), {"fields": ("capacity", "area_m2", "facilities")}),
        (_("Verhuur"), {"fields": ("private_events_allowed", "deposit_cents", "cleaning_fee_cents",
                                   "buffer_minutes")}),
    )

    house_display = col("house", _("huis"))


@admin.register(Tariff)
class TariffAdmin(ModelAdmin):
    list_display = (col("room", _("zaal")), "tier", "unit", cents("amount_cents", _("bedrag")))
    list_filter = ("tier", "unit", ("room__house", titled(admin.RelatedFieldListFilter, _("huis"))))
    list_select_related = ("room__house",)
    search_fields = ("room__name", "room__house__name")
    autocomplete_fields = ("room",)


# --- people ----------------------------------------------------------------------------------------------------


class ProfileInline(StackedInline):
    model = Profile
    can_delete = False
    max_num = 1
    fields = ("role", "postcode", "phone", "organisation", "adult_declared", "language")


class MembershipInline(TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("house",)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DutchLabelsMixin, BaseUserAdmin):
    inlines = (ProfileInline, MembershipInline)
    list_display = (*BaseUserAdmin.list_display, "role_display")
    list_filter = (*BaseUserAdmin.list_filter, "profile__role")
    list_select_related = ("profile",)

    @admin.display(description=_("rol"), ordering="profile__role")
    def role_display(self, obj):
        profile = getattr(obj, "profile", None)  # RelatedObjectDoesNotExist is an AttributeError
        return profile.get_role_display() if profile else EMPTY


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    list_display = (col("user", _("gebruiker")), "role", "postcode", "organisation", "adult_declared", "language")
    list_filter = ("role", "adult_declared", "language")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name", "postcode",
                     "organisation")
    autocomplete_fields = ("user",)
    fields = ("user", "role", "postcode", "phone", "organisation", "adult_declared", "language")


@admin.register(Membership)
class MembershipAdmin(ModelAdmin):
    list_display = (col("user", _("gebruiker")), col("house", _("huis")), "role")
    list_filter = ("role", ("house", titled(admin.RelatedFieldListFilter, _("huis"))))
    list_select_related = ("user", "house")
    search_fields = ("user__username", "user__email", "house__name")
    autocomplete_fields = ("user", "house")


# --- rules as data (saved through the services, so they are audited) --------------------------------------------


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


class CapRuleForm(forms.ModelForm):
    """Says up front what `cap_rule_set` would refuse, so the operator sees it next to the field."""

    class Meta:
        model = CapRule
        fields = ("kind", "house", "cap", "reason")
        help_texts = {"house": _("Leeg: het maximum voor de hele gemeente. Met een huis: een afwijking voor dat huis.")}

    def clean(self):
        cleaned = super().clean()
        cap = cleaned.get("cap")
        if cap is not None and cap > 1000:
            self.add_error("cap", _("Het maximum moet een geheel getal tussen 0 en 1000 zijn."))
        house = cleaned.get("house") if "house" in self.fields else self.instance.house
        if house is not None and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Een afwijkend maximum voor één huis vraagt om een reden."))
        return cleaned


@admin.register(CapRule)
class CapRuleAdmin(ServiceSaveMixin, ModelAdmin):
    form = CapRuleForm
    list_display = ("kind", "scope_display", "cap", "reason", col("updated_at", _("gewijzigd")))
    list_filter = ("kind", CapScopeFilter)
    list_select_related = ("house",)
    search_fields = ("house__name", "reason")
    autocomplete_fields = ("house",)

    @admin.display(description=_("geldt voor"), ordering="house__name")
    def scope_display(self, obj):
        return obj.house or _("Hele gemeente")

    # `cap_rule_set` finds its row by (kind, house): changing those would create a second rule, so they are
    # chosen when adding and shown read-only afterwards.
    def get_fields(self, request, obj=None):
        return ("kind", "house", "cap", "reason") if obj is None else ("kind", "scope_display", "cap", "reason")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else ("kind", "scope_display")

    def save_model(self, request, obj, form, change):
        saved = services.cap_rule_set(actor=request.user, kind=obj.kind, cap=obj.cap, house=obj.house,
                                      reason=obj.reason or "")
        self._mark_saved(obj, saved)

    def delete_model(self, request, obj):
        services.cap_rule_remove(actor=request.user, rule=obj, reason="Verwijderd via het beheer")

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            self.delete_model(request, rule)


@admin.register(RuleSettings)
class RuleSettingsAdmin(ServiceSaveMixin, ModelAdmin):
    list_display = ("__str__", "max_advance_days", "decision_days", "payment_days", "resident_postcodes",
                    col("updated_at", _("gewijzigd")))
    readonly_fields = ("updated_display",)
    fieldsets = (
        (_("Aanvraagtermijnen"), {"fields": (
            "min_notice_party_hours", "min_notice_gathering_hours", "min_notice_koffietafel_hours",
            "min_notice_other_hours", "max_advance_days")}),
        (_("Privé-bijeenkomsten"), {"fields": (
            ("private_end_weeknight", "private_end_weekend"), ("koffietafel_earliest", "koffietafel_latest"),
            ("private_min_minutes", "private_max_minutes"), "resident_postcodes")}),
        (_("Besluit, betaling en annulering"), {"fields": ("decision_days", "payment_days", "free_cancellation_days")}),
        (None, {"fields": ("updated_display",)}),
    )

    updated_display = col("updated_at", _("laatst gewijzigd"))

    def get_queryset(self, request):
        # The services read and write `RuleSettings.current()`, the first row; only that one is shown.
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=queryset.order_by("pk").values("pk")[:1])

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RuleSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        if change and not changes:
            return  # nothing changed: no write, no audit entry
        saved = services.rule_settings_update(actor=request.user, changes=changes)
        self._mark_saved(obj, saved)


class ClosureForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ("house", "room", "start", "end", "reason")
        help_texts = {"room": _("Leeg: het hele huis is gesloten.")}

    def clean(self):
        cleaned = super().clean()
        house, room = cleaned.get("house"), cleaned.get("room")
        if house is not None and room is not None and room.house_id != house.pk:
            self.add_error("room", _("Deze zaal hoort niet bij dit huis."))
        return cleaned


@admin.register(Closure)
class ClosureAdmin(ServiceSaveMixin, ModelAdmin):
    """Closures are created and deleted through the services; to change one, delete it and add a new one."""

    form = ClosureForm
    list_display = (col("house", _("huis")), col("room", _("zaal")), "start", "end", "reason")
    list_filter = (("house", titled(admin.RelatedFieldListFilter, _("huis"))),)
    list_select_related = ("house", "room__house")
    search_fields = ("reason", "house__name", "room__name")
    date_hierarchy = "start"
    autocomplete_fields = ("house", "room")

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.closure_create(actor=request.user, house=obj.house, room=obj.room, start=obj.start,
                                        end=obj.end, reason=obj.reason)
        self._mark_saved(obj, saved)

    def delete_model(self, request, obj):
        services.closure_delete(actor=request.user, closure=obj)

    def delete_queryset(self, request, queryset):
        for closure in queryset:
            self.delete_model(request, closure)


# --- bookings --------------------------------------------------------------------------------------------------


class BookingActionForm(ActionForm):
    reason = forms.CharField(label=_("Reden (bij afwijzen of annuleren):"), required=False,
                             widget=forms.TextInput(attrs={"size": 40}))


class AuditEntryInline(admin.TabularInline):
    model = AuditEntry
    fk_name = "booking"
    extra = 0
    can_delete = False
    verbose_name_plural = _("audittrail")
    fields = ("at_display", "action_display", "transition_display", "actor_display", "reason_display")
    readonly_fields = fields

    at_display = col("at", _("tijdstip"))
    action_display = col("action", _("actie"))
    actor_display = col("actor", _("door"))
    reason_display = col("reason", _("reden"))

    @admin.display(description=_("status"))
    def transition_display(self, obj):
        return _transition_text(obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _transition_text(entry: AuditEntry) -> str:
    if not (entry.from_status or entry.to_status):
        return EMPTY
    labels = dict(BookingStatus.choices)
    return f"{labels.get(entry.from_status, entry.from_status or '—')} → {labels.get(entry.to_status, entry.to_status)}"


OUTCOME_LABELS = {"pass": ("✔", _("voldoet")), "warn": ("⚠", _("let op")), "fail": ("✘", _("voldoet niet"))}


@admin.register(Booking)
class BookingAdmin(ModelAdmin):
    """Bookings are made through the services (site and API); here they are viewed and moved on with actions."""

    action_form = BookingActionForm
    actions = ("approve", "reject", "cancel", "mark_paid", "expire_overdue")
    list_display = ("id", "start", col("room", _("zaal")), "kind", "status", "guests", "booker_name",
                    cents("total_cents", _("totaal")), col("decision_deadline", _("beslissen vóór")))
    list_display_links = ("id", "start")
    list_filter = ("status", "kind", ("house", titled(admin.RelatedFieldListFilter, _("huis"))),
                   ("payment_mode", titled(admin.ChoicesFieldListFilter, _("betaalwijze"))), "alcohol")
    list_select_related = ("room__house", "house")
    search_fields = ("id__exact", "title", "booker_name", "booker_email", "organisation", "room__name",
                     "house__name")
    date_hierarchy = "start"
    inlines = (AuditEntryInline,)

    # Contact data may be corrected (AVG: rectification); everything else follows from the services.
    editable_fields = ("title", "notes", "booker_name", "booker_email", "booker_phone", "booker_postcode",
                       "organisation")
    fieldsets = (
        (None, {"fields": ("status", "kind", "room_display", "house_display", ("start", "end"), "blocked_until",
                           ("guests", "alcohol"), "title", "notes", "series_display",
                           "melding_display")}),
        (_("Aanvrager"), {"fields": ("booker_display", "booker_name", "booker_email", "booker_phone",
                                     "booker_postcode", "organisation", "anonymised_display")}),
        (_("Prijs en betaling"), {"fields": (
            "price_lines_display", ("rental_display", "deposit_display", "total_display"), "payment_mode_display",
            "payment_deadline_display", ("paid_display", "refunded_display"), "cancellation_fee_display",
            ("deposit_retained_display", "deposit_settled_display"))}),
        (_("Regels en besluit"), {"fields": (
            "rule_results_display", "decision_deadline_display", "decision_reason", "decided_at_display",
            "decided_by_display", "confirmed_at_display", "cancelled_at_display")}),
        (_("Administratie"), {"classes": ("collapse",), "fields": (
            "created_at_display", "updated_at_display", "local_year_display", "sequence_display")}),
    )

    room_display = col("room", _("zaal"))
    house_display = col("house", _("huis"))
    series_display = col("series", _("reeks"))
    booker_display = col("booker", _("account"))
    anonymised_display = col("anonymised_at", _("geanonimiseerd op"))
    rental_display = cents("rental_cents", _("huur"))
    deposit_display = cents("deposit_cents", _("borg"))
    total_display = cents("total_cents", _("totaal"))
    paid_display = cents("paid_cents", _("betaald"))
    refunded_display = cents("refunded_cents", _("terugbetaald"))
    cancellation_fee_display = cents("cancellation_fee_cents", _("annuleringskosten"))
    deposit_retained_display = cents("deposit_retained_cents", _("borg ingehouden"))
    deposit_settled_display = col("deposit_settled_at", _("borg afgehandeld op"))
    payment_mode_display = col("payment_mode", _("betaalwijze"))
    payment_deadline_display = col("payment_deadline", _("betalen vóór"))
    decision_deadline_display = col("decision_deadline", _("beslissen vóór"))
    decided_at_display = col("decided_at", _("besloten op"))
    decided_by_display = col("decided_by", _("besloten door"))
    confirmed_at_display = col("confirmed_at", _("bevestigd op"))
    cancelled_at_display = col("cancelled_at", _("geannuleerd op"))
    created_at_display = col("created_at", _("aangemaakt"))
    updated_at_display = col("updated_at", _("gewijzigd"))
    local_year_display = col("local_year", _("telt mee in jaar"))
    sequence_display = col("sequence", _("volgnummer (iCal)"))

    # -- permissions: no adding (services make bookings), no deleting (cancel instead; kept for the books) --

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        shown = flatten_fieldsets(self.fieldsets)
        editable = () if obj is not None and obj.anonymised_at else self.editable_fields
        return tuple(name for name in shown if name not in editable)

    def save_model(self, request, obj, form, change):
        obj.updated_at = now()
        super().save_model(request, obj, form, change)
        if form.changed_data:
            services.audit(actor=request.user, action="booking.edited", booking=obj,
                           data={"fields": sorted(form.changed_data)})

    # -- readable snapshots --

    @admin.display(description=_("prijsregels"))
    def price_lines_display(self, obj):
        if not obj.price_lines:
            return EMPTY
        english = translation.get_language() == "en"
        rows = format_html_join(
            "", '<tr><td>{}</td><td style="text-align:right">{}</td></tr>',
            ((line.get("label_en" if english else "label") or line.get("label") or line.get("code", ""),
              euro(int(line.get("amount_cents", 0)))) for line in obj.price_lines),
        )
        return format_html('<table><tbody>{}</tbody><tfoot><tr><th>{}</th><th style="text-align:right">{}</th>'
                           "</tr></tfoot></table>", rows, _("Totaal"), euro(obj.total_cents))

    @admin.display(description=_("regels"))
    def rule_results_display(self, obj):
        if not obj.rule_results:
            return EMPTY
        english = translation.get_language() == "en"

        def item(result):
            icon, label = OUTCOME_LABELS.get(result.get("outcome"), ("?", result.get("outcome", "")))
            message = result.get("message_en" if english else "message_nl") or result.get("message", "")
            return icon, label, result.get("rule", ""), message

        rows = format_html_join("", "<li>{} <strong>{}</strong> ({}): {}</li>", (item(r) for r in obj.rule_results))
        return format_html('<ul style="margin-left:0;padding-left:0;list-style:none">{}</ul>', rows)

    @admin.display(description=_("melding"))
    def melding_display(self, obj):
        melding = getattr(obj, "melding", None)
        if melding is None:
            return EMPTY
        url = reverse("admin:boeking_melding_change", args=[melding.pk])
        state = _("ingetrokken") if melding.withdrawn_at else _("gemeld")
        return format_html('<a href="{}">{} ({})</a>', url, melding, state)

    # -- status changes: only through the services --

    def _each(self, request, queryset, service, success: Callable[[int], str], **kwargs) -> None:
        run_each(self, request, queryset, lambda booking: service(booking=booking, actor=request.user, **kwargs), success)

    @admin.action(description=_("Geselecteerde aanvragen goedkeuren"), permissions=["change"])
    def approve(self, request, queryset):
        self._each(request, queryset, services.booking_approve,
                   lambda n: ngettext("%(n)d aanvraag goedgekeurd.", "%(n)d aanvragen goedgekeurd.", n) % {"n": n})

    @admin.action(description=_("Geselecteerde aanvragen afwijzen (reden verplicht)"), permissions=["change"])
    def reject(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Vul een reden in naast de actie om aanvragen af te wijzen; "
                                         "er is niets afgewezen."), messages.ERROR)
            return
        self._each(request, queryset, services.booking_reject,
                   lambda n: ngettext("%(n)d aanvraag afgewezen.", "%(n)d aanvragen afgewezen.", n) % {"n": n},
                   reason=reason)

    @admin.action(description=_("Geselecteerde boekingen annuleren (door het bestuur)"), permissions=["change"])
    def cancel(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        self._each(request, queryset, services.booking_cancel,
                   lambda n: ngettext("%(n)d boeking geannuleerd.", "%(n)d boekingen geannuleerd.", n) % {"n": n},
                   reason=reason)

    @admin.action(description=_("Geselecteerde boekingen als betaald markeren (offline)"), permissions=["change"])
    def mark_paid(self, request, queryset):
        self._each(request, queryset, services.booking_mark_paid,
                   lambda n: ngettext("%(n)d boeking als betaald gemarkeerd.",
                                      "%(n)d boekingen als betaald gemarkeerd.", n) % {"n": n})

    @admin.action(description=_("Alle achterstallige boekingen laten verlopen (niet alleen de selectie)"),
                  permissions=["change"])
    def expire_overdue(self, request, queryset):
        try:
            expired = services.expire_overdue()
        except DomainError as exc:
            self.message_user(request, f"{exc.code} – {exc.detail}", messages.ERROR)
            return
        if not expired:
            self.message_user(request, _("Er waren geen achterstallige boekingen."), messages.INFO)
            return
        numbers = ", ".join(f"#{b.pk}" for b in expired)
        self.message_user(request, ngettext("%(n)d boeking verlopen: %(ids)s.", "%(n)d boekingen verlopen: %(ids)s.",
                                            len(expired)) % {"n": len(expired), "ids": numbers}, messages.SUCCESS)


# --- read-only records -----------------------------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at_display", "action_display", "subject_display", "transition_display", "actor_display",
                    "booking_link")
    list_filter = (("action", titled(admin.AllValuesFieldListFilter, _("actie"))),
                   ("object_type", titled(admin.AllValuesFieldListFilter, _("soort object"))))
    list_select_related = ("actor", "booking")
    search_fields = ("=object_id", "action", "reason")
    search_help_text = _("Zoek op het nummer van het object (bv. 12), een actie of een reden.")
    date_hierarchy = "at"
    fields = ("at_display", "action_display", "subject_display", "transition_display", "actor_display",
              "booking_link", "reason_display", "data_display")
    readonly_fields = fields

    at_display = col("at", _("tijdstip"))
    action_display = col("action", _("actie"))
    actor_display = col("actor", _("door"))
    reason_display = col("reason", _("reden"))

    @admin.display(description=_("object"), ordering="object_id")
    def subject_display(self, obj):
        return f"{obj.object_type} #{obj.object_id}" if obj.object_type else EMPTY

    @admin.display(description=_("status"))
    def transition_display(self, obj):
        return _transition_text(obj)

    @admin.display(description=_("boeking"))
    def booking_link(self, obj):
        if obj.booking_id is None:
            return EMPTY
        url = reverse("admin:boeking_booking_change", args=[obj.booking_id])
        return format_html('<a href="{}">#{}</a>', url, obj.booking_id)

    @admin.display(description=_("gegevens"))
    def data_display(self, obj):
        if not obj.data:
            return EMPTY
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False, sort_keys=True))


class WithdrawnFilter(admin.SimpleListFilter):
    title = _("ingetrokken")
    parameter_name = "withdrawn"

    def lookups(self, request, model_admin):
        return (("no", _("Nee")), ("yes", _("Ja")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(withdrawn_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(withdrawn_at__isnull=True)
        return queryset


@admin.register(Melding)
class MeldingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Advance notices to the municipality: written on approval, withdrawn on cancellation; never edited."""

    list_display = ("start_display", "house_display", "kind_display", "guests_display", "alcohol_display",
                    "withdrawn_display")
    list_filter = (("kind", titled(admin.ChoicesFieldListFilter, _("soort"))),
                   ("house", titled(admin.RelatedFieldListFilter, _("huis"))),
                   ("alcohol", titled(admin.BooleanFieldListFilter, _("alcohol"))), WithdrawnFilter)
    list_select_related = ("house",)
    search_fields = ("house__name", "booking__id__exact")
    date_hierarchy = "start"
    fields = ("house_display", "kind_display", "start_display", "end_display", "guests_display", "alcohol_display",
              "booking_display", "created_display", "withdrawn_display")
    readonly_fields = fields

    house_display = col("house", _("huis"))
    kind_display = col("kind", _("soort"))
    start_display = col("start", _("begin"))
    end_display = col("end", _("einde"))
    guests_display = col("guests", _("aantal gasten"))
    alcohol_display = col("alcohol", _("alcohol"), boolean=True)
    booking_display = col("booking", _("boeking"))
    created_display = col("created_at", _("gemeld op"))
    withdrawn_display = col("withdrawn_at", _("ingetrokken op"))


# --- series (recurring bookings) --------------------------------------------------------------------------------
# Read-only here until series have services of their own to call (approve, cancel from a date); their occurrences
# are ordinary bookings and are decided with the booking actions above.


class SeriesSkipInline(admin.TabularInline):
    model = SeriesSkip
    extra = 0
    can_delete = False
    fields = ("date_display", "reason_display", "detail_display")
    readonly_fields = fields

    date_display = col("date", _("datum"))
    reason_display = col("reason", _("reden"))
    detail_display = col("detail", _("toelichting"))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Series)
class SeriesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", col("room", _("zaal")), "kind", "status", "first_date", "until", "start_time",
                    "end_time", "occurrence_count")
    list_filter = ("status", "kind", ("house", titled(admin.RelatedFieldListFilter, _("huis"))))
    list_select_related = ("room__house",)
    search_fields = ("id__exact", "title", "organisation", "booker_name", "booker_email", "room__name", "house__name")
    date_hierarchy = "first_date"
    inlines = (SeriesSkipInline,)
    fields = ("status", "kind", "room_display", "house_display", "recurrence_display", ("first_date", "until"),
              ("start_time", "end_time"), "guests", "title", "booker_display", "booker_name", "booker_email",
              "booker_phone", "organisation", "parent_display", "occurrences_display", "decision_reason",
              "decided_at_display", "decided_by_display", "created_at_display", "updated_at_display")
    readonly_fields = flatten_fieldsets(((None, {"fields": fields}),))
    # Nothing is edited on the form; whole series are decided with actions that call the series services.
    action_form = BookingActionForm
    actions = ("approve_series", "reject_series", "cancel_series")

    def has_decide_permission(self, request):
        # ReadOnlyAdminMixin denies "change" (no editable form); deciding needs the real change permission, and the
        # services check again that the user is the house's board or an admin.
        return request.user.has_perm("boeking.change_series")

    def _each_series(self, request, queryset, service, success: Callable[[int], str], **kwargs) -> None:
        run_each(self, request, queryset, lambda series: service(series=series, actor=request.user, **kwargs), success)

    @admin.action(description=_("Geselecteerde reeksen goedkeuren"), permissions=["decide"])
    def approve_series(self, request, queryset):
        self._each_series(request, queryset, services.series_approve,
                          lambda n: ngettext("%(n)d reeks goedgekeurd.", "%(n)d reeksen goedgekeurd.", n) % {"n": n})

    @admin.action(description=_("Geselecteerde reeksen afwijzen (reden verplicht)"), permissions=["decide"])
    def reject_series(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Vul een reden in naast de actie om reeksen af te wijzen; "
                                         "er is niets afgewezen."), messages.ERROR)
            return
        self._each_series(request, queryset, services.series_reject,
                          lambda n: ngettext("%(n)d reeks afgewezen.", "%(n)d reeksen afgewezen.", n) % {"n": n},
                          reason=reason)

    @admin.action(description=_("Geselecteerde reeksen annuleren (alle toekomstige datums)"), permissions=["decide"])
    def cancel_series(self, request, queryset):
        self._each_series(request, queryset, services.series_cancel,
                          lambda n: ngettext("%(n)d reeks geannuleerd.", "%(n)d reeksen geannuleerd.", n) % {"n": n},
                          reason=request.POST.get("reason", "").strip())

    room_display = col("room", _("zaal"))
    house_display = col("house", _("huis"))
    booker_display = col("booker", _("account"))
    parent_display = col("parent", _("afgesplitst van"))
    decided_at_display = col("decided_at", _("besloten op"))
    decided_by_display = col("decided_by", _("besloten door"))
    created_at_display = col("created_at", _("aangemaakt"))
    updated_at_display = col("updated_at", _("gewijzigd"))

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(occurrences_total=models.Count("occurrences"))

    @admin.display(description=_("boekingen"), ordering="occurrences_total")
    def occurrence_count(self, obj):
        return obj.occurrences_total

    @admin.display(description=_("herhaling"))
    def recurrence_display(self, obj):
        rules = list(getattr(obj.recurrence, "rrules", None) or [])
        if not rules:
            return EMPTY
        try:
            text = "; ".join(rule.to_text() for rule in rules)
        except Exception:  # an RRULE django-recurrence cannot put into words: the raw rule below still shows it
            text = ""
        return format_html("{}<br><code>{}</code>", text, str(obj.recurrence))

    @admin.display(description=_("boekingen"))
    def occurrences_display(self, obj):
        occurrences = obj.occurrences.order_by("start")
        if not occurrences:
            return EMPTY
        items = format_html_join(
            "", '<li><a href="{}">#{}</a> {} – {}</li>',
            ((reverse("admin:boeking_booking_change", args=[b.pk]), b.pk, format_local(b.start),
              b.get_status_display()) for b in occurrences),
        )
        return format_html('<ul style="margin-left:0;padding-left:0;list-style:none">{}</ul>', items)


@admin.register(SeriesSkip)
class SeriesSkipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("date_display", "series_display", "reason_display", "detail_display")
    list_filter = (("reason", titled(admin.ChoicesFieldListFilter, _("reden"))),)
    list_select_related = ("series__room__house",)
    search_fields = ("series__title", "series__organisation", "detail")
    fields = ("series_display", "date_display", "reason_display", "detail_display")
    readonly_fields = fields

    date_display = col("date", _("datum"))
    series_display = col("series", _("reeks"))
    reason_display = col("reason", _("reden"))
    detail_display = col("detail", _("toelichting"))


# --- payments ----------------------------------------------------------------------------------------------------


@admin.register(PaymentEntry)
class PaymentEntryAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """The payments ledger: written only by the payment services (Stripe webhooks, marking paid, refunds)."""

    list_display = ("at", "booking", "kind", "method", "amount_display", "reason", "stripe_id")
    list_filter = ("kind", "method")
    list_select_related = ("booking__room",)
    search_fields = ("=booking__id", "stripe_id")
    date_hierarchy = "at"

    @admin.display(description=_("bedrag"), ordering="amount_cents")
    def amount_display(self, obj):
        return euro(obj.amount_cents)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, ModelAdmin):
    """Webhook events received from Stripe; each is handled once."""

    list_display = ("received_at", "type", "event_id", "handled", "note")
    list_filter = ("handled", "type")
    search_fields = ("=event_id",)

"""Bookings, their audit trail and the advance notices (meldingen) to the municipality.

Bookings are made through the services (site and API); here they are viewed, their contact data corrected, and
moved on with actions that call the services. Audit entries and meldingen are records: read-only.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from boeking import services
from boeking.clock import now
from boeking.errors import DomainError
from boeking.models import AuditEntry, Booking, BookingStatus, Melding
from boeking.pricing import euro

from .base import EMPTY, ReadOnlyAdminMixin, ReasonActionForm, cents, col, error_text, run_each

OUTCOME_LABELS = {"pass": ("✔", _("voldoet")), "warn": ("⚠", _("let op")), "fail": ("✘", _("voldoet niet"))}


def _transition_text(entry: AuditEntry) -> str:
    if not (entry.from_status or entry.to_status):
        return EMPTY
    labels = dict(BookingStatus.choices)
    return f"{labels.get(entry.from_status, entry.from_status or '—')} → {labels.get(entry.to_status, entry.to_status)}"


class AuditEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AuditEntry
    fk_name = "booking"
    extra = 0
    fields = ("at", "action", "transition_display", "actor", "reason")
    readonly_fields = fields

    @admin.display(description=_("status"))
    def transition_display(self, obj):
        return _transition_text(obj)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    action_form = ReasonActionForm
    actions = ("approve", "reject", "cancel", "mark_paid", "expire_overdue")
    list_display = ("id", "start", "room", "kind", "status", "guests", "booker_name", cents("total_cents", _("totaal")),
                    "decision_deadline")
    list_display_links = ("id", "start")
    list_filter = ("status", "kind", "house", "payment_mode", "alcohol")
    list_select_related = ("room__house", "house")
    search_fields = ("id__exact", "title", "booker_name", "booker_email", "organisation", "room__name",
                     "house__name")
    date_hierarchy = "start"
    inlines = (AuditEntryInline,)

    # Contact data may be corrected (AVG: rectification); everything else follows from the services.
    editable_fields = ("title", "notes", "booker_name", "booker_email", "booker_phone", "booker_postcode",
                       "organisation")
    fieldsets = (
        (None, {"fields": ("status", "kind", "room", "house", ("start", "end"), "blocked_until", ("guests", "alcohol"),
                           "title", "notes", "series", "melding_display")}),
        (_("Aanvrager"), {"fields": ("booker_display", "booker_name", "booker_email", "booker_phone",
                                     "booker_postcode", "organisation", "anonymised_at")}),
        (_("Prijs en betaling"), {"fields": (
            "price_lines_display", ("rental_display", "deposit_display", "total_display"), "payment_mode",
            "payment_deadline", ("paid_display", "refunded_display"), "cancellation_fee_display",
            ("deposit_retained_display", "deposit_settled_at"))}),
        (_("Regels en besluit"), {"fields": (
            "rule_results_display", "decision_deadline", "decision_reason", "decided_at", "decided_by",
            "confirmed_at", "cancelled_at")}),
        (_("Administratie"), {"classes": ("collapse",), "fields": (
            "created_at", "updated_at", "local_year_display", "sequence")}),
    )

    # Labels the model does not have: the account (next to the applicant's name and e-mail), amounts in euros.
    booker_display = col("booker", _("account"))
    local_year_display = col("local_year", _("telt mee in jaar"))
    rental_display = cents("rental_cents", _("huur"))
    deposit_display = cents("deposit_cents", _("borg"))
    total_display = cents("total_cents", _("totaal"))
    paid_display = cents("paid_cents", _("betaald"))
    refunded_display = cents("refunded_cents", _("terugbetaald"))
    cancellation_fee_display = cents("cancellation_fee_cents", _("annuleringskosten"))
    deposit_retained_display = cents("deposit_retained_cents", _("borg ingehouden"))

    # -- no adding (services make bookings), no deleting (cancel instead; kept for the books) --

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
            self.message_user(request, error_text(exc), messages.ERROR)
            return
        if not expired:
            self.message_user(request, _("Er waren geen achterstallige boekingen."), messages.INFO)
            return
        numbers = ", ".join(f"#{b.pk}" for b in expired)
        self.message_user(request, ngettext("%(n)d boeking verlopen: %(ids)s.", "%(n)d boekingen verlopen: %(ids)s.",
                                            len(expired)) % {"n": len(expired), "ids": numbers}, messages.SUCCESS)


# --- records: read-only ------------------------------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "subject_display", "transition_display", "actor", "booking_link")
    list_filter = ("action", "object_type")
    list_select_related = ("actor", "booking")
    search_fields = ("=object_id", "action", "reason")
    search_help_text = _("Zoek op het nummer van het object (bv. 12), een actie of een reden.")
    date_hierarchy = "at"
    fields = ("at", "action", "subject_display", "transition_display", "actor", "booking_link", "reason",
              "data_display")
    readonly_fields = fields

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

    list_display = ("start", "house", "kind", "guests", "alcohol", "withdrawn_at")
    list_filter = ("kind", "house", "alcohol", WithdrawnFilter)
    list_select_related = ("house",)
    search_fields = ("house__name", "booking__id__exact")
    date_hierarchy = "start"
    fields = ("house", "kind", "start", "end", "guests", "alcohol", "booking", "created_display", "withdrawn_at")
    readonly_fields = fields

    created_display = col("created_at", _("gemeld op"))  # a melding is made when it is sent

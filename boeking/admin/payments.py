"""The payments ledger and the Stripe events behind it: written only by the payment services, read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from boeking.models import PaymentEntry, StripeEvent
from boeking.services.payments import IGNORED

from .base import EMPTY, ReadOnlyAdminMixin, cents


@admin.register(PaymentEntry)
class PaymentEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Charges, refunds and retained deposits: from Stripe webhooks, marking paid and refunds."""

    list_display = ("at", "booking", "kind", "method", cents("amount_cents", _("bedrag")), "reason", "stripe_id")
    list_filter = ("kind", "method")
    list_select_related = ("booking__room",)
    search_fields = ("=booking__id", "stripe_id")
    date_hierarchy = "at"


class IgnoredFilter(admin.SimpleListFilter):
    """Why an event was ignored, by its code's description (`boeking.services.payments.IGNORED`)."""

    title = _("genegeerd omdat")
    parameter_name = "ignored"

    def lookups(self, request, model_admin):
        return [("-", _("niet genegeerd")), *IGNORED.items()]

    def queryset(self, request, queryset):
        if self.value() == "-":
            return queryset.filter(ignored="")
        if self.value():
            return queryset.filter(ignored=self.value())
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Webhook events received from Stripe; each is handled once. An event that is not about one of this
    installation's payments, as it asked them, is kept as ignored with the reason, and changed nothing."""

    list_display = ("received_at", "type", "event_id", "handled", "ignored_display", "note")
    list_filter = ("handled", IgnoredFilter, "type")
    search_fields = ("=event_id", "note")

    @admin.display(description=_("genegeerd omdat"), ordering="ignored")
    def ignored_display(self, obj):
        return IGNORED.get(obj.ignored, obj.ignored) if obj.ignored else EMPTY

"""The payments ledger and the Stripe events behind it: written only by the payment services, read-only here."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from boeking.models import PaymentEntry, StripeEvent

from .base import ReadOnlyAdminMixin, cents


@admin.register(PaymentEntry)
class PaymentEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Charges, refunds and retained deposits: from Stripe webhooks, marking paid and refunds."""

    list_display = ("at", "booking", "kind", "method", cents("amount_cents", _("bedrag")), "reason", "stripe_id")
    list_filter = ("kind", "method")
    list_select_related = ("booking__room",)
    search_fields = ("=booking__id", "stripe_id")
    date_hierarchy = "at"


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Webhook events received from Stripe; each is handled once."""

    list_display = ("received_at", "type", "event_id", "handled", "note")
    list_filter = ("handled", "type")
    search_fields = ("=event_id",)

"""Invoices in the admin: read only (an issued invoice never changes; runs, payments and credit notes go through the
board's pages or the API, i.e. `boeking.invoicing.services`). House settings and association addresses are editable:
their model validators are the same the services check."""

from __future__ import annotations

from django.contrib import admin

from boeking.admin.base import cents

from .models import AssociationAddress, Invoice, InvoiceLine, InvoiceSettings


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fk_name = "invoice"
    fields = ["position", "date", "description", "booking", "amount_cents", "credited"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "kind", "house", "debtor_name", "issue_date", "due_date",
                    cents("total_cents", "totaal"), "status", "paid_on"]
    list_filter = ["kind", "status", "house", "year"]
    search_fields = ["number", "debtor_name", "contact_email"]
    date_hierarchy = "issue_date"
    exclude = ["pdf"]
    inlines = [InvoiceLineInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields if f.name != "pdf"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InvoiceSettings)
class InvoiceSettingsAdmin(admin.ModelAdmin):
    list_display = ["house", "prefix", "vat_exempt", "payment_term_days"]


@admin.register(AssociationAddress)
class AssociationAddressAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "city"]
    search_fields = ["name", "user__email"]

"""Invoices in the admin: read only, their pages load (search too); house settings and addresses editable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from boeking.invoicing import services as inv
from boeking.invoicing.models import AssociationAddress, Invoice, InvoiceSettings
from tests.invoicing.conftest import MARCH

pytestmark = pytest.mark.django_db


def test_admin__invoice_pages_load_and_invoices_cannot_be_added_or_deleted(admin_client, world):
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    inv.invoice_settings_update(house=world["house"], actor=world["treasurer"], kvk="40123456")
    inv.association_address_set(user=world["choir"], name="Zangkoor Harmonie", city="Maastricht")
    for model, obj in ((Invoice, choir), (InvoiceSettings, InvoiceSettings.objects.get()),
                       (AssociationAddress, AssociationAddress.objects.get())):
        name = f"admin:invoicing_{model._meta.model_name}"
        assert admin_client.get(reverse(f"{name}_changelist"), {"q": "xyz"}).status_code == 200
        page = admin_client.get(reverse(f"{name}_change", args=[obj.pk]))
        assert page.status_code == 200
    assert "KAS-2027-0002" in admin_client.get(reverse("admin:invoicing_invoice_changelist")).content.decode()
    assert admin_client.get(reverse("admin:invoicing_invoice_add")).status_code == 403
    assert admin_client.post(reverse("admin:invoicing_invoice_delete", args=[choir.pk]), {"post": "yes"}).status_code == 403
    assert Invoice.objects.filter(pk=choir.pk).exists()

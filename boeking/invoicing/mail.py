"""The invoice mail: what `boeking.notifications.invoice_issued` sends to the association's contact — the invoice or
credit note with its PDF attached, in the language it was issued in (Dutch, or English)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from boeking.identifiers import format_iban

from .models import Invoice, InvoiceKind

SUBJECTS = {
    ("nl", InvoiceKind.INVOICE): "Factuur {number} van {house}",
    ("nl", InvoiceKind.CREDIT): "Creditnota {number} van {house}",
    ("en", InvoiceKind.INVOICE): "Invoice {number} from {house}",
    ("en", InvoiceKind.CREDIT): "Credit note {number} from {house}",
}


def invoice_message(invoice_id: int) -> tuple[Invoice, EmailMessage]:
    invoice = Invoice.objects.select_related("credits").get(pk=invoice_id)
    language = "en" if invoice.language == "en" else "nl"
    body = render_to_string(f"invoicing/email/invoice_{language}.txt", {
        "invoice": invoice, "iban": format_iban(invoice.iban), "credited": -invoice.total_cents,
        "link": settings.ZAALBOEK_SITE_URL.rstrip("/") + reverse("mijn-invoices")})
    subject = SUBJECTS[(language, invoice.kind)].format(number=invoice.number, house=invoice.house_name)
    message = EmailMessage(subject=" ".join(subject.split()), body=body.strip() + "\n", to=[invoice.contact_email],
                           reply_to=[invoice.house_email] if invoice.house_email else None)
    message.attach(f"{invoice.number}.pdf", bytes(invoice.pdf), "application/pdf")
    return invoice, message

"""The invoice and credit note as a PDF (fpdf2: pure Python, no system libraries) with an EPC QR code (segno).

Written in the association's language (Dutch, or English when its contact reads English), from the invoice's
snapshot alone, so the document of an issued invoice never changes. The font (DejaVu Sans, vendored under fonts/)
is embedded as a subset: any name prints, whatever its script.

The EPC QR code ("SEPA credit transfer", European Payments Council guideline EPC069-12, version 002, UTF-8) holds the
house's name and IBAN, the amount owed and the payment reference; Dutch banking apps read it to fill in a transfer.
Credit notes have none: nothing is paid on them.
"""

from __future__ import annotations

import io
import logging
from decimal import Decimal
from pathlib import Path

import segno
import segno.helpers
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from boeking.identifiers import format_iban
from boeking.pricing import euro

from .models import Invoice, InvoiceKind

FONTS = Path(__file__).parent / "fonts"
logging.getLogger("fontTools").setLevel(logging.WARNING)  # its font subsetter logs every glyph at INFO
EPC_NAME_MAX = 70  # characters of the beneficiary's name in an EPC QR code
EPC_TEXT_MAX = 140

LABELS = {
    "nl": {
        "invoice": "Factuur", "credit": "Creditnota", "number": "Factuurnummer", "credit_number": "Nummer",
        "date": "Factuurdatum", "credit_date": "Datum", "due": "Vervaldatum", "period": "Periode", "reference": "Betalingskenmerk",
        "to": "Aan", "line_date": "Datum", "line_description": "Omschrijving", "line_amount": "Bedrag",
        "total": "Totaal", "vat": "Waarvan btw {rate}%", "credits": "Crediteert factuur {number} van {date}",
        "reason": "Reden", "kvk": "KvK", "vat_number": "Btw-nummer", "iban": "IBAN",
        "pay": "Graag betalen vóór {due} op {iban} ten name van {name}, onder vermelding van {reference}.",
        "scan": "Scan met uw bank-app om te betalen",
        "credit_text": "Dit bedrag wordt verrekend met factuur {number}; wat al betaald was, storten wij terug.",
        "page": "Pagina {page}",
    },
    "en": {
        "invoice": "Invoice", "credit": "Credit note", "number": "Invoice number", "credit_number": "Number",
        "date": "Invoice date", "credit_date": "Date", "due": "Due date", "period": "Period", "reference": "Payment reference",
        "to": "To", "line_date": "Date", "line_description": "Description", "line_amount": "Amount",
        "total": "Total", "vat": "Of which VAT {rate}%", "credits": "Credits invoice {number} of {date}",
        "reason": "Reason", "kvk": "Chamber of Commerce (KvK)", "vat_number": "VAT number", "iban": "IBAN",
        "pay": "Please pay by {due} to {iban} in the name of {name}, quoting {reference}.",
        "scan": "Scan with your banking app to pay",
        "credit_text": "This amount is set off against invoice {number}; anything already paid will be refunded.",
        "page": "Page {page}",
    },
}
EXEMPTION = {
    "nl": "Vrijgesteld van btw (artikel 11 Wet op de omzetbelasting 1968).",
    "en": "Exempt from VAT (article 11 of the Dutch VAT Act 1968).",
}


def _date(value) -> str:
    return f"{value:%d-%m-%Y}"


def epc_qr(invoice: Invoice) -> segno.QRCode | None:
    """The EPC QR code for what the invoice asks when issued (its total); None for a credit note or a zero amount."""
    if invoice.kind != InvoiceKind.INVOICE or invoice.total_cents < 1:
        return None
    return segno.helpers.make_epc_qr(
        name=invoice.house_name[:EPC_NAME_MAX], iban=invoice.iban, amount=Decimal(invoice.total_cents) / 100,
        text=invoice.payment_reference[:EPC_TEXT_MAX], encoding="utf-8")


def epc_payload(invoice: Invoice) -> str | None:
    """The text the EPC QR code encodes (BCD, 002, 1, SCT, BIC, name, IBAN, EUR<amount>, purpose, reference, text)."""
    qr = epc_qr(invoice)
    if qr is None:
        return None
    return "\n".join(["BCD", "002", "1", "SCT", "", invoice.house_name[:EPC_NAME_MAX], invoice.iban,
                      # The amount as segno writes it: no trailing zeros (EUR120, EUR12.3, EUR12.34), as EPC allows.
                      f"EUR{Decimal(invoice.total_cents) / 100:.2f}".rstrip("0").rstrip("."), "", "",
                      invoice.payment_reference[:EPC_TEXT_MAX]])


class _Document(FPDF):
    def __init__(self, footer_text: str, language: str):
        super().__init__(format="A4", unit="mm")
        self.footer_text = footer_text
        self.language = language
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=22)
        self.set_margins(20, 18, 20)

    def footer(self):
        self.set_y(-15)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, self.footer_text, align="L")
        self.cell(0, 5, LABELS[self.language]["page"].format(page=self.page_no()), align="R")


def render_pdf(invoice: Invoice) -> bytes:
    """The document of `invoice` (an invoice or a credit note) as PDF bytes."""
    lang = "en" if invoice.language == "en" else "nl"
    t = LABELS[lang]
    credit = invoice.kind == InvoiceKind.CREDIT
    footer = " · ".join(p for p in (invoice.house_name, f"{t['iban']} {format_iban(invoice.iban)}",
                                    f"{t['kvk']} {invoice.kvk}" if invoice.kvk else "") if p)
    pdf = _Document(footer, lang)
    pdf.set_title(f"{t['credit' if credit else 'invoice']} {invoice.number}")
    pdf.set_author(invoice.house_name)
    pdf.set_lang(lang)
    pdf.set_creator("Zaalboek")
    pdf.add_page()
    width = pdf.epw

    # The house (seller).
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width * 0.62, 7, invoice.house_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9.5)
    for line in (invoice.house_address, invoice.house_email,
                 f"{t['iban']}: {format_iban(invoice.iban)}",
                 f"{t['kvk']}: {invoice.kvk}" if invoice.kvk else "",
                 f"{t['vat_number']}: {invoice.vat_number}" if invoice.vat_number else ""):
        if line:
            pdf.multi_cell(width * 0.62, 5, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)

    # Title and facts.
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 9, f"{t['credit' if credit else 'invoice']} {invoice.number}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(0, 6, t["to"], new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(width * 0.5, 5.5, invoice.debtor_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if invoice.debtor_address:
        pdf.multi_cell(width * 0.5, 5.5, invoice.debtor_address, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    left_bottom = pdf.get_y()
    facts = [(t["credit_number" if credit else "number"], invoice.number),
             (t["credit_date" if credit else "date"], _date(invoice.issue_date))]
    if not credit:
        facts.append((t["due"], _date(invoice.due_date)))
    facts.append((t["period"], f"{_date(invoice.period_start)} – {_date(invoice.period_end)}"))
    facts.append((t["reference"], invoice.payment_reference))
    pdf.set_xy(pdf.l_margin + width * 0.52, top)
    for label, value in facts:
        pdf.set_x(pdf.l_margin + width * 0.52)
        pdf.set_font("DejaVu", "", 9.5)
        pdf.cell(width * 0.2, 5.5, label)
        pdf.set_font("DejaVu", "B", 9.5)
        pdf.cell(width * 0.28, 5.5, value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)
    if credit and invoice.credits_id:
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 5.5, t["credits"].format(number=invoice.credits.number,
                                                   date=_date(invoice.credits.issue_date)),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if invoice.reason:
            pdf.multi_cell(0, 5.5, f"{t['reason']}: {invoice.reason}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)

    # Lines: per booking its date, room and times, then the price lines of its snapshot.
    date_w, amount_w = 28, 32
    desc_w = width - date_w - amount_w
    pdf.set_font("DejaVu", "B", 9.5)
    pdf.set_fill_color(235, 238, 242)
    pdf.cell(date_w, 7, t["line_date"], fill=True)
    pdf.cell(desc_w, 7, t["line_description"], fill=True)
    pdf.cell(amount_w, 7, t["line_amount"], fill=True, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    sign = -1 if credit else 1
    for line in invoice.lines.order_by("position"):
        pdf.set_font("DejaVu", "", 9.5)
        y = pdf.get_y()
        pdf.cell(date_w, 6, _date(line.date))
        pdf.multi_cell(desc_w, 6, line.description, new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.cell(amount_w, 6, euro(line.amount_cents), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), y + 6))
        price_lines = line.price_lines or []
        if len(price_lines) > 1 or (price_lines and not credit):
            pdf.set_font("DejaVu", "", 8.5)
            pdf.set_text_color(70, 70, 70)
            for item in price_lines:
                label = item.get("label_en" if lang == "en" else "label") or item.get("label", "")
                pdf.cell(date_w, 4.8, "")
                pdf.cell(desc_w, 4.8, f"  {label}")
                pdf.cell(amount_w, 4.8, euro(sign * int(item.get("amount_cents", 0))), align="R",
                         new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            pdf.set_text_color(0, 0, 0)
        pdf.ln(1.5)
    pdf.set_draw_color(120, 120, 120)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(date_w + desc_w, 7, t["total"], align="R")
    pdf.cell(amount_w, 7, euro(invoice.total_cents), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 9.5)
    if invoice.vat_exempt:
        pdf.multi_cell(0, 5.5, invoice.vat_exemption_text or EXEMPTION[lang], align="R",
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.cell(date_w + desc_w, 5.5, t["vat"].format(rate=invoice.vat_rate_percent), align="R")
        pdf.cell(amount_w, 5.5, euro(invoice.vat_cents), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)

    # How to pay, with the QR code.
    pdf.set_font("DejaVu", "", 10)
    if credit:
        pdf.multi_cell(0, 5.5, t["credit_text"].format(number=invoice.credits.number if invoice.credits_id else ""),
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        qr = epc_qr(invoice)
        size = 38
        if pdf.get_y() + size + 8 > pdf.h - 22:
            pdf.add_page()
        top = pdf.get_y()
        pdf.multi_cell(width - size - 8, 5.5, t["pay"].format(
            due=_date(invoice.due_date), iban=format_iban(invoice.iban), name=invoice.house_name,
            reference=invoice.payment_reference), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if qr is not None:
            png = io.BytesIO()
            qr.save(png, kind="png", scale=8, border=4)
            png.seek(0)
            x = pdf.l_margin + width - size
            pdf.image(png, x=x, y=top, w=size, h=size, alt_text=t["scan"])
            pdf.set_xy(x - 6, top + size)
            pdf.set_font("DejaVu", "", 7.5)
            pdf.multi_cell(size + 12, 4, t["scan"], align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())

"""The books export for a house's bookkeeping: invoices and credit notes issued in a period, and payments received in
it, as .xlsx (openpyxl: two sheets) or CSV (`;`-separated, UTF-8 with a BOM so Excel reads the accents, amounts with
a decimal comma as Dutch bookkeeping software expects).

Amounts are euros; credit notes negative. Invoiced − credited − paid = still owed, as `services.totals` says.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from boeking.models import House

from .models import Invoice, InvoiceKind
from .services import is_overdue

DOCUMENT_COLUMNS = ["Nummer", "Soort", "Factuurdatum", "Vervaldatum", "Vereniging", "Periode van", "Periode tot",
                    "Crediteert", "Bedrag incl. btw", "Btw", "Btw-tarief", "Status", "Betaald op"]
PAYMENT_COLUMNS = ["Betaald op", "Factuur", "Vereniging", "Bedrag", "Betalingskenmerk"]


def _text(value: str) -> str:
    """A name as text, never a formula: a spreadsheet would run `=HYPERLINK(…)` typed as an association's name."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _euros(cents: int) -> Decimal:
    return Decimal(cents) / 100


def document_rows(house: House, start: dt.date, end: dt.date) -> list[list]:
    """Invoices and credit notes with an issue date in `[start, end]`, in number order."""
    rows = []
    for doc in (Invoice.objects.filter(house=house, issue_date__gte=start, issue_date__lte=end)
                .select_related("credits").order_by("year", "sequence")):
        status = doc.get_status_display() if doc.kind == InvoiceKind.INVOICE else ""
        if is_overdue(doc):
            status = "Vervallen"
        rows.append([doc.number, doc.get_kind_display(), doc.issue_date, doc.due_date, _text(doc.debtor_name),
                     doc.period_start, doc.period_end, doc.credits.number if doc.credits_id else "",
                     _euros(doc.total_cents), _euros(doc.vat_cents),
                     "vrijgesteld" if doc.vat_exempt else f"{doc.vat_rate_percent}%", status, doc.paid_on or ""])
    return rows


def payment_rows(house: House, start: dt.date, end: dt.date) -> list[list]:
    """Payments the treasurer recorded with a date in `[start, end]`."""
    return [[doc.paid_on, doc.number, _text(doc.debtor_name), _euros(doc.paid_cents), doc.payment_reference]
            for doc in Invoice.objects.filter(house=house, kind=InvoiceKind.INVOICE, paid_on__gte=start,
                                              paid_on__lte=end).order_by("paid_on", "sequence")]


def filename(house: House, start: dt.date, end: dt.date, extension: str, table: str = "") -> str:
    return f"facturen-{house.slug}-{start:%Y%m%d}-{end:%Y%m%d}{'-' + table if table else ''}.{extension}"


def xlsx(house: House, start: dt.date, end: dt.date) -> bytes:
    book = Workbook()
    for index, (title, columns, rows) in enumerate([
        ("Facturen", DOCUMENT_COLUMNS, document_rows(house, start, end)),
        ("Betalingen", PAYMENT_COLUMNS, payment_rows(house, start, end)),
    ]):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = title
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.iter_cols(min_row=2):
            for cell in column:
                if isinstance(cell.value, Decimal):
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "DD-MM-YYYY"
        for letter, width in zip("ABCDEFGHIJKLM", [16, 12, 13, 13, 30, 13, 13, 16, 16, 10, 12, 12, 13], strict=False):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_value(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.date):
        return f"{value:%d-%m-%Y}"
    return str(value)


def csv_text(house: House, start: dt.date, end: dt.date, table: str = "facturen") -> bytes:
    """`table`: `facturen` (invoices and credit notes) or `betalingen` (payments)."""
    columns, rows = ((PAYMENT_COLUMNS, payment_rows(house, start, end)) if table == "betalingen"
                     else (DOCUMENT_COLUMNS, document_rows(house, start, end)))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")

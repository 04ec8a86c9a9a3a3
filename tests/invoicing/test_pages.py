"""The invoice pages (Django's test client): the treasurer's run, the association's list, the books export."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from boeking.invoicing import services as inv
from boeking.invoicing.models import Invoice
from tests.factories import RoomFactory, UserFactory, local_dt
from tests.invoicing.conftest import MARCH

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_treasurer__preview_issue_download_mark_paid(world, frozen_now):
    client = client_for(world["treasurer"])
    page = f"/bestuur/huizen/{world['house'].slug}/facturen/"
    preview = client.get(page, {"van": "2027-03-01", "tot": "2027-03-31"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "Zangkoor Harmonie" in html and "Schaakclub Wyck" in html and "2 facturen, samen €\u00a0210,00" in html
    assert not Invoice.objects.exists()
    response = client.post(f"{page}maken/", {"van": "2027-03-01", "tot": "2027-03-31"}, follow=True)
    assert "2 facturen gemaakt en verstuurd: KAS-2027-0001, KAS-2027-0002." in response.content.decode()
    choir = Invoice.objects.get(number="KAS-2027-0002")
    pdf = client.get(f"{page}{choir.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    frozen_now(local_dt(2027, 3, 12, 10))
    client.post(f"{page}{choir.pk}/betaald/", {"paid_on": "2027-03-11"})
    choir.refresh_from_db()
    assert (choir.status, str(choir.paid_on)) == ("paid", "2027-03-11")
    detail = client.get(f"{page}{choir.pk}/").content.decode()
    assert "Betaald" in detail and "betaald op 11-03-2027" in detail


def test_board_page__shows_overdue_invoices(world, frozen_now):
    inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1], actor=world["treasurer"])
    frozen_now(local_dt(2027, 4, 2, 10))
    html = client_for(world["treasurer"]).get(f"/bestuur/huizen/{world['house'].slug}/facturen/").content.decode()
    assert "(2 vervallen)" in html and html.count("data-invoice-status>Vervallen") >= 2


def test_credit_from_the_detail_page(world):
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    client = client_for(world["treasurer"])
    client.post(f"/bestuur/huizen/{world['house'].slug}/facturen/{choir.pk}/", {"reason": "Verkeerd tarief"})
    note = Invoice.objects.get(kind="credit")
    assert (note.credits, note.total_cents) == (choir, -12000)


def test_others_get_404(world):
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    slug = world["house"].slug
    for user in (world["choir"], UserFactory.volunteer(RoomFactory().house), UserFactory.municipality()):
        client = client_for(user)
        for path in (f"/bestuur/huizen/{slug}/facturen/", f"/bestuur/huizen/{slug}/facturen/{choir.pk}/pdf/",
                     f"/bestuur/huizen/{slug}/facturen/export.csv?export-van=2027-01-01&export-tot=2027-12-31"):
            assert client.get(path).status_code == 404, (user, path)
    assert client_for(world["chess"]).get(f"/mijn/facturen/{choir.pk}/pdf/").status_code == 404
    assert client_for(UserFactory.municipality()).get("/mijn/facturen/").status_code == 404


def test_association__sees_its_invoices_downloads_them_and_keeps_its_address(world):
    chess, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                         actor=world["treasurer"])
    client = client_for(world["choir"])
    html = client.get("/mijn/facturen/").content.decode()
    assert "KAS-2027-0002" in html and "KAS-2027-0001" not in html
    assert "Te betalen: €\u00a0120,00 vóór 31-03-2027 op NL91ABNA0417164300" in html
    assert client.get(f"/mijn/facturen/{choir.pk}/pdf/").content.startswith(b"%PDF")
    assert "/mijn/facturen/" in client.get("/mijn/").content.decode()
    client.post("/mijn/facturen/", {"name": "Zangvereniging Harmonie", "street": "Koorstraat 3", "postcode": "6211 AB",
                                    "city": "Maastricht"})
    assert world["choir"].invoice_address.one_line() == "Koorstraat 3, 6211 AB Maastricht"


def test_books_export__xlsx_and_csv_reconcile(world, frozen_now):
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    frozen_now(local_dt(2027, 3, 20, 10))
    inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="Correctie",
                       booking_ids=[choir.lines.first().booking_id])
    inv.invoice_mark_paid(invoice=choir, actor=world["treasurer"])
    client = client_for(world["treasurer"])
    base = f"/bestuur/huizen/{world['house'].slug}/facturen/export"
    period = {"export-van": "2027-01-01", "export-tot": "2027-12-31"}

    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx", period).content))
    assert book.sheetnames == ["Facturen", "Betalingen"]
    documents = list(book["Facturen"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], float(r[8])) for r in documents] == [
        ("KAS-2027-0001", "Factuur", 90.0), ("KAS-2027-0002", "Factuur", 120.0), ("KAS-2027-0003", "Creditnota", -30.0)]
    payments = list(book["Betalingen"].iter_rows(min_row=2, values_only=True))
    assert [(r[1], float(r[3])) for r in payments] == [("KAS-2027-0002", 90.0)]
    # invoiced − credited − paid = owed
    assert sum(float(r[8]) for r in documents) - sum(float(r[3]) for r in payments) == inv.totals(
        world["house"]).owed_cents / 100 == 90.0

    raw = client.get(f"{base}.csv", {**period, "tabel": "facturen"})
    assert raw["Content-Type"] == "text/csv; charset=utf-8" and raw.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Nummer", "Soort"] and rows[3][0] == "KAS-2027-0003" and rows[3][8] == "-30,00"
    paid = list(csv.reader(io.StringIO(client.get(f"{base}.csv", {**period, "tabel": "betalingen"})
                                       .content.decode("utf-8-sig")), delimiter=";"))
    assert paid[1] == ["20-03-2027", "KAS-2027-0002", "Zangkoor Harmonie", "90,00", "KAS-2027-0002"]


def test_settings_page__the_board_sets_prefix_and_iban(world):
    client = client_for(world["treasurer"])
    page = f"/bestuur/huizen/{world['house'].slug}/facturen/instellingen/"
    assert 'value="KAS"' in client.get(page).content.decode()
    client.post(page, {"prefix": "KST", "iban": "NL44 RABO 0123 4567 89", "vat_exempt": "on", "vat_rate_percent": "21",
                       "payment_term_days": "14"})
    settings = inv.settings_for(world["house"])
    assert (settings.prefix, settings.iban, settings.payment_term_days) == ("KST", "NL44RABO0123456789", 14)
    refused = client.post(page, {"prefix": "KST", "iban": "NL00 FOUT", "vat_rate_percent": "21",
                                 "payment_term_days": "14"})
    assert refused.status_code == 200 and "IBAN" in refused.content.decode()


def test_dates_cancelled_with_their_series__credited_at_once(world):
    # Every cancellation goes through services.transitions.transition, which credits an invoiced booking: dates
    # cancelled with "this and all following" get their credit notes in the same transaction.
    from boeking import services

    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    series = choir.lines.first().booking.series
    services.series_cancel(series=series, actor=world["choir"], from_date=local_dt(2027, 3, 20).date())
    notes = Invoice.objects.filter(kind="credit", credits=choir)
    assert sorted(n.total_cents for n in notes) == [-3000, -3000]
    assert not inv.cancelled_but_invoiced(world["house"]).exists()
    client = client_for(world["treasurer"])
    page = f"/bestuur/huizen/{world['house'].slug}/facturen/"
    assert "Gefactureerd maar geannuleerd" not in client.get(page).content.decode()
    assert inv.owed_cents(choir) == 6000

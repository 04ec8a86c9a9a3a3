"""The PDF of an invoice and a credit note: its text (pypdf) and its EPC QR code, decoded from the image embedded
in the PDF by a real QR decoder (zxing-cpp, a self-contained wheel: no system zbar needed)."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
import zxingcpp
from pypdf import PdfReader
from stdnum import iban as stdnum_iban

from boeking.invoicing import services as inv
from boeking.invoicing.documents import epc_payload, render_pdf
from tests.invoicing.conftest import IBAN, MARCH

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def qr_codes(data: bytes) -> list[str]:
    """Every QR code in the images of the PDF, decoded."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for image in page.images:
            found += [code.text for code in zxingcpp.read_barcodes(image.image)
                      if code.format == zxingcpp.BarcodeFormat.QRCode]
    return found


def parse_epc(payload: str) -> dict:
    """An EPC069-12 "SEPA credit transfer" QR payload, checked field by field."""
    lines = payload.split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"], lines  # service tag, version 002, UTF-8, SEPA credit transfer
    assert 7 <= len(lines) <= 12
    lines += [""] * (12 - len(lines))
    bic, name, account, amount, purpose, reference, text = lines[4:11]
    assert 1 <= len(name) <= 70
    assert stdnum_iban.is_valid(account)
    assert amount.startswith("EUR") and Decimal("0.01") <= Decimal(amount[3:]) <= Decimal("999999999.99")
    assert Decimal(amount[3:]).as_tuple().exponent >= -2
    assert not (reference and text) and len(text) <= 140
    return {"bic": bic, "name": name, "iban": account, "amount": Decimal(amount[3:]), "reference": reference,
            "text": text}


@pytest.fixture
def issued(world):
    chess, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                         actor=world["treasurer"])
    return {"chess": chess, "choir": choir}


def test_invoice_pdf__dutch_text_with_number_total_iban_due_date_and_vat_exemption(world, issued):
    text = pdf_text(bytes(issued["choir"].pdf))
    for expected in ("Factuur KAS-2027-0002", "Buurthuis De Kastanje", "Kastanjelaan 1, 6221 AB Maastricht",
                     "NL91 ABNA 0417 1643 00", "Zangkoor Harmonie", "Vervaldatum", "31-03-2027",
                     "Betalingskenmerk", "€ 120,00", "09-03-2027", "Grote zaal, 19:00–21:00 · Repetitie",
                     "Vrijgesteld van btw", "Scan met uw bank-app"):
        assert expected in text, expected


def test_invoice_pdf__in_english_when_the_contact_reads_english(issued):
    text = pdf_text(bytes(issued["chess"].pdf))
    for expected in ("Invoice KAS-2027-0001", "Due date", "Payment reference", "€ 90,00", "Exempt from VAT",
                     "Schaakclub Wyck"):
        assert expected in text, expected
    assert "Vervaldatum" not in text


def test_invoice_pdf__qr_code_decodes_to_a_valid_epc_payload_with_the_amount_and_reference(issued):
    invoice = issued["choir"]
    (payload,) = qr_codes(bytes(invoice.pdf))
    epc = parse_epc(payload)
    assert (epc["name"], epc["iban"], epc["amount"], epc["text"]) == (
        "Buurthuis De Kastanje", IBAN, Decimal("120.00"), "KAS-2027-0002")
    assert payload == epc_payload(invoice)


def test_invoice_pdf__kvk_and_vat_when_the_house_is_not_exempt(world):
    inv.invoice_settings_update(house=world["house"], actor=world["treasurer"], kvk="40123456", vat_exempt=False,
                                vat_rate_percent=21, vat_number="NL004495445B01",
                                legal_name="Stichting Buurthuis De Kastanje")
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    text = pdf_text(bytes(choir.pdf))
    assert "KvK: 40123456" in text and "Btw-nummer: NL004495445B01" in text
    assert "Waarvan btw 21%" in text and "€ 20,83" in text and "Vrijgesteld" not in text
    assert parse_epc(qr_codes(bytes(choir.pdf))[0])["name"] == "Stichting Buurthuis De Kastanje"


def test_credit_note_pdf__refers_to_the_invoice__negative__no_qr_code(world, issued):
    note = inv.invoice_credit(invoice=issued["choir"], actor=world["treasurer"], reason="Verkeerd tarief")
    text = pdf_text(bytes(note.pdf))
    for expected in ("Creditnota KAS-2027-0003", "Crediteert factuur KAS-2027-0002 van 01-03-2027",
                     "Reden: Verkeerd tarief", "-€ 120,00"):
        assert expected in text, expected
    assert qr_codes(bytes(note.pdf)) == []


def test_pdf__is_the_document_as_issued__rendering_again_gives_the_same_text(issued):
    invoice = issued["choir"]
    assert pdf_text(render_pdf(invoice)) == pdf_text(bytes(invoice.pdf))


def test_pdf__a_name_in_any_script_prints(world):
    from boeking.invoicing.models import AssociationAddress

    AssociationAddress.objects.create(user=world["choir"], name="Łódź Kórus Ελλάδα", street="Straße 1")
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    assert "Łódź Kórus Ελλάδα" in pdf_text(bytes(choir.pdf))

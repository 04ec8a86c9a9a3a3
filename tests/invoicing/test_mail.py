"""The invoice mail (boeking.notifications.invoice_issued): to the association's contact, in its language, with the
PDF attached; once."""

from __future__ import annotations

import pytest
from django.core import mail

from boeking import notifications
from boeking.invoicing import services as inv
from tests.invoicing.conftest import MARCH

pytestmark = pytest.mark.django_db


def test_issue__each_association_gets_its_invoice_with_the_pdf_in_its_language(world):
    mail.outbox.clear()
    chess, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                         actor=world["treasurer"])
    sent = {m.to[0]: m for m in mail.outbox if m.subject.startswith(("Factuur", "Invoice"))}
    assert set(sent) == {"koor@example.org", "schaak@example.org"}
    dutch, english = sent["koor@example.org"], sent["schaak@example.org"]
    assert dutch.subject == "Factuur KAS-2027-0002 van Buurthuis De Kastanje"
    assert "Te betalen vóór:   31-03-2027" in dutch.body and "NL91 ABNA 0417 1643 00" in dutch.body
    assert "/mijn/facturen/" in dutch.body
    assert english.subject == "Invoice KAS-2027-0001 from Buurthuis De Kastanje"
    assert "Please pay by:      31-03-2027" in english.body
    (name, content, mimetype), = dutch.attachments
    assert (name, mimetype) == ("KAS-2027-0002.pdf", "application/pdf") and content == bytes(choir.pdf)
    assert dutch.reply_to == ["penningmeester@kastanje.example"]


def test_credit_note__mailed_with_its_pdf__and_a_repeated_job_sends_nothing_again(world):
    _, choir = inv.invoice_run_issue(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                     actor=world["treasurer"])
    mail.outbox.clear()
    note = inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="Verkeerd tarief")
    (message,) = mail.outbox
    assert message.subject == "Creditnota KAS-2027-0003 van Buurthuis De Kastanje"
    assert "crediteert €\u00a0120,00 van factuur KAS-2027-0002 (Verkeerd tarief)".lower() in message.body.lower()
    assert message.attachments[0][0] == "KAS-2027-0003.pdf"
    notifications.invoice_issued.write(note.pk)
    assert len(mail.outbox) == 1

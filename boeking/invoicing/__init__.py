"""Invoices for associations (issue 22): invoice runs, gapless numbers per house and year, credit notes, the PDF with
an EPC QR code, the books export. Models in `models`, state changes in `services`, the document in `documents`.

`on_booking_cancelled` is the hook `boeking.services.bookings.booking_cancel` calls (in its transaction, with the
booking locked): an invoiced booking that is cancelled gets a credit note.
"""

from __future__ import annotations


def on_booking_cancelled(booking, actor):
    """A cancelled booking that is on an invoice gets a credit note (`services.credit_cancelled_booking`)."""
    from .services import credit_cancelled_booking

    return credit_cancelled_booking(booking=booking, actor=actor)

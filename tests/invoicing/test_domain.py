"""Invoice runs, numbers, payments and credit notes (boeking.invoicing.services), on any database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from boeking import services
from boeking.errors import InvalidInput, InvalidTransition, NotAllowed
from boeking.invoicing import services as inv
from boeking.invoicing.models import Invoice, InvoiceLine, InvoiceSequence, InvoiceSettings
from boeking.models import AuditEntry, Booking, Role
from tests.factories import BookingFactory, RoomFactory, UserFactory, local_dt
from tests.invoicing.conftest import MARCH, weekly

pytestmark = pytest.mark.django_db


def run(world, period=MARCH, actor=None):
    return inv.invoice_run_issue(house=world["house"], period_start=period[0], period_end=period[1],
                                 actor=actor or world["treasurer"])


def march_dates(dates):
    return [b for b in dates if b.start < local_dt(2027, 4, 1)]


def test_preview__one_invoice_per_association_with_its_march_dates__writes_nothing(world):
    preview = inv.invoice_run_preview(house=world["house"], period_start=MARCH[0], period_end=MARCH[1],
                                      actor=world["treasurer"])
    assert [(p.debtor_name, [b.pk for b in p.bookings], p.total_cents) for p in preview.invoices] == [
        ("Schaakclub Wyck", [b.pk for b in march_dates(world["chess_dates"])], 3 * 3000),
        ("Zangkoor Harmonie", [b.pk for b in march_dates(world["choir_dates"])], 4 * 3000),
    ]
    assert (preview.total_cents, preview.booking_count, preview.problems) == (21000, 7, [])
    assert not Invoice.objects.exists() and not InvoiceSequence.objects.exists()


def test_issue__numbers_in_order_lines_from_the_price_snapshot_due_after_the_term(world):
    chess, choir = run(world)
    assert (chess.number, choir.number) == ("KAS-2027-0001", "KAS-2027-0002")
    assert (chess.issue_date, chess.due_date) == (dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert (choir.total_cents, choir.vat_cents, choir.vat_exempt, choir.status) == (12000, 0, True, "issued")
    assert (choir.contact, choir.contact_email, choir.language) == (world["choir"], "koor@example.org", "nl")
    assert chess.language == "en"  # the chess club's contact reads English
    assert (choir.iban, choir.house_name, choir.house_address) == (
        "NL91ABNA0417164300", "Buurthuis De Kastanje", "Kastanjelaan 1, 6221 AB Maastricht")
    lines = list(choir.lines.order_by("position"))
    assert [line.booking_id for line in lines] == [b.pk for b in march_dates(world["choir_dates"])]
    assert [line.date for line in lines] == [dt.date(2027, 3, d) for d in (9, 16, 23, 30)]
    assert lines[0].description == "Grote zaal, 19:00–21:00 · Repetitie"
    assert lines[0].price_lines == lines[0].booking.price_lines and lines[0].amount_cents == 3000
    assert bytes(choir.pdf).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="invoice.issued", object_id=str(choir.pk)).exists()


def test_issue__a_second_or_overlapping_run_never_invoices_a_booking_twice(world):
    run(world)
    assert run(world) == []
    april = run(world, period=(dt.date(2027, 3, 15), dt.date(2027, 4, 15)))
    april_bookings = {line.booking_id for i in april for line in i.lines.all()}
    assert all(local_dt(2027, 4, 1) <= Booking.objects.get(pk=pk).start for pk in april_bookings)
    assert InvoiceLine.objects.filter(is_credit=False).count() == len(
        set(InvoiceLine.objects.values_list("booking_id", flat=True)))
    assert [i.number for i in Invoice.objects.order_by("sequence")] == [f"KAS-2027-000{n}" for n in range(1, 5)]


def test_database__refuses_a_second_live_line_for_a_booking(world):
    (invoice, _) = run(world)
    line = invoice.lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceLine.objects.create(invoice=invoice, position=99, booking=line.booking, date=line.date,
                                   description="twice", amount_cents=1)


def test_only_confirmed_unpaid_association_bookings_of_association_accounts_are_taken(world):
    room, treasurer = world["room"], world["treasurer"]
    resident_party = BookingFactory.confirmed(room=room, start=local_dt(2027, 3, 20, 14), end=local_dt(2027, 3, 20, 17),
                                              approver=treasurer)
    awaiting = BookingFactory.approved(room=room, booker=world["choir"], kind="association",
                                       start=local_dt(2027, 3, 27, 10), end=local_dt(2027, 3, 27, 12),
                                       approver=treasurer, title="Extra repetitie")
    board_own = services.booking_request(booker=treasurer, room=room, kind="association",
                                         start=local_dt(2027, 3, 28, 10), end=local_dt(2027, 3, 28, 12), guests=10)
    assert awaiting.status == "approved" and board_own.booker == treasurer
    taken = {b.pk for b in inv.invoiceable_bookings(world["house"], *MARCH)}
    assert taken == {b.pk for b in march_dates(world["choir_dates"]) + march_dates(world["chess_dates"])}
    assert not {resident_party.pk, awaiting.pk, board_own.pk} & taken


def test_mark_paid__issued_to_paid_with_the_date__once(world, frozen_now):
    _, choir = run(world)
    frozen_now(local_dt(2027, 3, 20, 10))
    paid = inv.invoice_mark_paid(invoice=choir, actor=world["treasurer"], paid_on=dt.date(2027, 3, 18))
    assert (paid.status, paid.paid_on, paid.paid_cents, paid.paid_by) == ("paid", dt.date(2027, 3, 18), 12000,
                                                                          world["treasurer"])
    assert inv.owed_cents(paid) == 0
    with pytest.raises(InvalidTransition):
        inv.invoice_mark_paid(invoice=choir, actor=world["treasurer"])


def test_mark_paid__a_date_in_the_future_or_before_the_invoice_is_refused(world):
    _, choir = run(world)
    for day in (dt.date(2027, 3, 2), dt.date(2027, 2, 28)):
        with pytest.raises(InvalidInput):
            inv.invoice_mark_paid(invoice=choir, actor=world["treasurer"], paid_on=day)
    assert Invoice.objects.get(pk=choir.pk).status == "issued"


def test_overdue__derived_from_the_due_date(world, frozen_now):
    chess, choir = run(world)
    assert not inv.is_overdue(choir)
    frozen_now(local_dt(2027, 4, 1, 9))
    assert inv.is_overdue(choir)
    inv.invoice_mark_paid(invoice=chess, actor=world["treasurer"])
    assert not inv.is_overdue(Invoice.objects.get(pk=chess.pk))
    assert list(inv.open_invoices([world["house"]])) == [choir]


def test_cancelling_an_invoiced_booking__credit_note_refers_to_the_invoice_and_the_books_reconcile(world):
    _, choir = run(world)
    booking = march_dates(world["choir_dates"])[-1]  # 30 March, by the board: free of charge
    services.booking_cancel(booking=booking, actor=world["treasurer"], reason="Zaal nodig voor verkiezingen")
    note = Invoice.objects.get(kind="credit")
    assert (note.credits, note.number, note.total_cents, note.payment_reference) == (
        choir, "KAS-2027-0003", -3000, choir.number)
    assert [(line.booking_id, line.amount_cents, line.credits_line.invoice_id) for line in note.lines.all()] == [
        (booking.pk, -3000, choir.pk)]
    assert choir.lines.get(booking=booking).credited
    choir.refresh_from_db()
    assert choir.status == "issued" and inv.credited_cents(choir) == 3000 and inv.owed_cents(choir) == 9000
    books = inv.totals(world["house"])
    assert (books.invoiced_cents, books.credited_cents, books.owed_cents) == (21000, 3000, 18000)
    assert books.invoiced_cents - books.credited_cents == books.owed_cents
    assert books.owed_cents == sum(inv.owed_cents(i) for i in Invoice.objects.filter(kind="invoice"))
    assert bytes(note.pdf).startswith(b"%PDF")


def test_late_cancellation_by_the_association__the_rental_stays_due__no_credit_note(world, frozen_now):
    _, choir = run(world)
    frozen_now(local_dt(2027, 3, 25, 10))  # 5 days before 30 March: the fee is the rental
    booking = march_dates(world["choir_dates"])[-1]
    cancelled = services.booking_cancel(booking=booking, actor=world["choir"])
    assert cancelled.cancellation_fee_cents == 3000
    assert not Invoice.objects.filter(kind="credit").exists()
    assert inv.owed_cents(choir) == 12000


def test_cancelling_a_booking_never_invoiced__no_credit_note(world):
    booking = march_dates(world["choir_dates"])[0]
    services.booking_cancel(booking=booking, actor=world["treasurer"])
    assert not Invoice.objects.exists()


def test_credit__the_whole_invoice__credited__and_its_bookings_can_be_invoiced_again(world):
    _, choir = run(world)
    note = inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="Verkeerd tarief")
    choir.refresh_from_db()
    assert (choir.status, note.total_cents, note.reason, inv.owed_cents(choir)) == ("credited", -12000,
                                                                                   "Verkeerd tarief", 0)
    with pytest.raises(InvalidTransition):
        inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="nog eens")
    again = run(world)
    assert [i.debtor_name for i in again] == ["Zangkoor Harmonie"] and again[0].total_cents == 12000


def test_credit__needs_a_reason_and_only_lines_of_the_invoice(world):
    chess, choir = run(world)
    with pytest.raises(InvalidInput):
        inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="")
    with pytest.raises(InvalidInput):
        inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="x",
                           booking_ids=[march_dates(world["chess_dates"])[0].pk])
    assert not Invoice.objects.filter(kind="credit").exists()


def test_paid_then_credited__the_house_owes_a_refund(world):
    _, choir = run(world)
    inv.invoice_mark_paid(invoice=choir, actor=world["treasurer"])
    inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="Seizoen afgelast")
    choir.refresh_from_db()
    assert (choir.status, inv.owed_cents(choir)) == ("credited", -12000)


def test_only_the_board_of_the_house_invoices(world):
    others = [world["choir"], UserFactory.volunteer(RoomFactory().house), UserFactory.municipality(),
              UserFactory.resident()]
    for user in others:
        with pytest.raises(NotAllowed):
            inv.invoice_run_preview(house=world["house"], period_start=MARCH[0], period_end=MARCH[1], actor=user)
        with pytest.raises(NotAllowed):
            run(world, actor=user)
    admin = UserFactory(is_superuser=True, profile__role=Role.ADMIN)
    assert len(run(world, actor=admin)) == 2


def test_no_iban__nothing_issued(world):
    house = world["house"]
    house.bank_account = ""
    house.save()
    preview = inv.invoice_run_preview(house=house, period_start=MARCH[0], period_end=MARCH[1],
                                      actor=world["treasurer"])
    assert preview.problems
    with pytest.raises(InvalidInput) as refused:
        run(world)
    assert refused.value.code == "iban_missing"
    assert not Invoice.objects.exists() and not InvoiceSequence.objects.exists()


def test_settings__prefix_vat_and_term_of_the_house(world):
    house = world["house"]
    inv.invoice_settings_update(house=house, actor=world["treasurer"], prefix="hvdw", vat_exempt=False,
                                vat_rate_percent=21, payment_term_days=14, kvk="12345678",
                                iban="NL44 RABO 0123 4567 89")
    chess, choir = run(world)
    assert choir.number == "HVDW-2027-0002"
    # € 120 including 21 % VAT: 120 × 21/121 = 20.826… → € 20,83 (pricing.round_cents, half up)
    assert (choir.vat_exempt, choir.vat_rate_percent, choir.vat_cents) == (False, 21, 2083)
    assert (choir.due_date, choir.kvk, choir.iban) == (dt.date(2027, 3, 15), "12345678", "NL44RABO0123456789")
    with pytest.raises(InvalidInput):
        inv.invoice_settings_update(house=house, actor=world["treasurer"], kvk="123")
    with pytest.raises(InvalidInput):
        inv.invoice_settings_update(house=house, actor=world["treasurer"], vat_rate_percent=99)
    with pytest.raises(InvalidInput) as refused:
        inv.invoice_settings_update(house=house, actor=world["treasurer"], vat_number="NL001234567B01")
    assert refused.value.code == "invalid_vat"
    written = inv.invoice_settings_update(house=house, actor=world["treasurer"], kvk="4012 3456",
                                          vat_number="nl 0044.95.445 b01")
    assert (written.kvk, written.vat_number) == ("40123456", "NL004495445B01")
    with pytest.raises(NotAllowed):
        inv.invoice_settings_update(house=house, actor=world["choir"], prefix="X")
    assert InvoiceSettings.objects.get(house=house).prefix == "HVDW"


def test_numbers__per_house_and_year__a_new_year_starts_at_one(world, frozen_now):
    run(world)
    other_room = RoomFactory(location__house__slug="huis-van-de-wijk-malberg",
                             location__house__bank_account="NL91ABNA0417164300")
    other_treasurer = UserFactory.volunteer(other_room.house)
    weekly(other_room, world["choir"], other_treasurer)
    (other,) = inv.invoice_run_issue(house=other_room.house, period_start=MARCH[0], period_end=MARCH[1],
                                     actor=other_treasurer)
    assert other.number == "MAL-2027-0001"
    frozen_now(local_dt(2028, 1, 5, 10))
    (late,) = run(world, period=(dt.date(2027, 4, 1), dt.date(2027, 4, 30)))[:1]
    assert late.number == "KAS-2028-0001" and late.year == 2028


def test_period__bounded(world):
    for start, end, code in [(dt.date(2027, 3, 31), dt.date(2027, 3, 1), "end_before_start"),
                             (dt.date(2027, 1, 1), dt.date(2028, 3, 1), "period_too_long"),
                             (dt.date(1999, 1, 1), dt.date(1999, 2, 1), "invalid_date")]:
        with pytest.raises(InvalidInput) as refused:
            inv.invoice_run_preview(house=world["house"], period_start=start, period_end=end,
                                    actor=world["treasurer"])
        assert refused.value.code == code


def test_association_address__printed_on_the_next_invoice(world):
    inv.association_address_set(user=world["choir"], name="Zangvereniging Harmonie Maastricht",
                                street="Koorstraat 3", postcode="6211ab", city="Maastricht")
    _, choir = run(world)
    assert (choir.debtor_name, choir.debtor_address) == ("Zangvereniging Harmonie Maastricht",
                                                         "Koorstraat 3, 6211 AB Maastricht")
    with pytest.raises(NotAllowed):
        inv.association_address_set(user=world["treasurer"], name="x")
    with pytest.raises(InvalidInput):
        inv.association_address_set(user=world["choir"], name="x", postcode="1234")


def test_invoiced_income_per_house__invoices_less_credit_notes(world):
    _, choir = run(world)
    inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="Correctie",
                       booking_ids=[choir.lines.first().booking_id])
    assert inv.invoiced_income_per_house(2027) == {world["house"].pk: 21000 - 3000}


def test_income_for_the_municipality__includes_invoiced_association_income_minus_credit_notes(world):
    from boeking.payments import revenue_per_house

    chess, choir = run(world)
    inv.invoice_credit(invoice=choir, actor=world["treasurer"], reason="verkeerd tarief",
                       booking_ids=[choir.lines.order_by("position").first().booking_id])
    row = next(r for r in revenue_per_house(2027) if r["house_id"] == world["house"].pk)
    assert row["invoiced_cents"] == chess.total_cents + choir.total_cents - 3000
    assert row["net_cents"] == row["charged_cents"] - row["refunded_cents"] + row["invoiced_cents"]

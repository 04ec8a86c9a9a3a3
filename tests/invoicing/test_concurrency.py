"""Real threads against PostgreSQL: a booking is invoiced at most once and numbers have no gaps, whatever runs at the
same time. SQLite serialises all writers, so these run on PostgreSQL only (`DATABASE_URL=postgres://…`)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction

from boeking.invoicing import services as inv
from boeking.invoicing.models import Invoice, InvoiceLine, InvoiceSequence
from tests.invoicing.conftest import MARCH
from tests.threads import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="concurrency is proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers"),
]


def live_lines_per_booking() -> dict[int, int]:
    counts: dict[int, int] = {}
    for booking_id in InvoiceLine.objects.filter(is_credit=False, credited=False).values_list("booking_id", flat=True):
        counts[booking_id] = counts.get(booking_id, 0) + 1
    return counts


def assert_gapless(house) -> None:
    for year in set(Invoice.objects.filter(house=house).values_list("year", flat=True)):
        numbers = sorted(Invoice.objects.filter(house=house, year=year).values_list("sequence", flat=True))
        assert numbers == list(range(1, len(numbers) + 1)), numbers
        assert InvoiceSequence.objects.get(house=house, year=year).last_number == len(numbers)


def test_two_overlapping_runs_at_once__every_booking_on_one_invoice__numbers_without_gaps(world):
    house, treasurer = world["house"], world["treasurer"]
    second_treasurer = type(treasurer).objects.get(pk=treasurer.pk)
    results, errors = run_concurrently([
        lambda: inv.invoice_run_issue(house=house, period_start=MARCH[0], period_end=MARCH[1], actor=treasurer),
        lambda: inv.invoice_run_issue(house=house, period_start=dt.date(2027, 3, 15), period_end=dt.date(2027, 4, 15),
                                      actor=second_treasurer),
    ])
    assert errors == [None, None], errors
    expected = {b.pk for b in world["choir_dates"] + world["chess_dates"] if b.start.date() <= dt.date(2027, 4, 15)}
    assert live_lines_per_booking() == dict.fromkeys(expected, 1)
    assert_gapless(house)


def test_the_database_alone_refuses_a_second_invoice_for_a_booking__the_loser_writes_nothing(world, monkeypatch):
    """With the house lock taken away, two identical runs race to the same bookings: the partial unique index lets
    one through; the other is refused whole (`already_invoiced`) and gives its numbers back."""
    monkeypatch.setattr(inv, "lock_house", lambda house_id: None)
    house, treasurer = world["house"], world["treasurer"]
    results, errors = run_concurrently([
        (lambda: inv.invoice_run_issue(house=house, period_start=MARCH[0], period_end=MARCH[1], actor=treasurer))
        for _ in range(2)])
    winners = [r for r in results if r]
    assert len(winners) == 1 and len(winners[0]) == 2
    refused = [e for e in errors if e is not None]
    assert all(isinstance(e, inv.AlreadyInvoiced) for e in refused), errors
    assert len(refused) == 1 or results.count([]) == 1  # the loser either saw the lines (nothing to do) or was refused
    assert set(live_lines_per_booking().values()) == {1}
    assert Invoice.objects.count() == 2
    assert_gapless(house)


def test_numbers_under_concurrent_issuing_and_crediting__no_gaps_no_duplicates(world):
    """Four runs (one per week of March and April's first), two credit notes and ten bare number requests at once."""
    house, treasurer = world["house"], world["treasurer"]
    (first,) = [i for i in inv.invoice_run_issue(house=house, period_start=dt.date(2027, 3, 1),
                                                  period_end=dt.date(2027, 3, 10), actor=treasurer)
                if i.debtor_name == "Zangkoor Harmonie"]
    weeks = [(dt.date(2027, 3, 11) + dt.timedelta(days=7 * i), dt.date(2027, 3, 17) + dt.timedelta(days=7 * i))
             for i in range(4)]
    calls = [(lambda w=w: inv.invoice_run_issue(house=house, period_start=w[0], period_end=w[1], actor=treasurer))
             for w in weeks]
    calls.append(lambda: inv.invoice_credit(invoice=first, actor=treasurer, reason="Correctie"))

    def bare_number():
        with transaction.atomic():
            return inv.next_number(house, 2027)

    calls += [bare_number for _ in range(5)]
    results, errors = run_concurrently(calls)
    assert errors == [None] * len(calls), errors
    bare = sorted(results[-5:])
    documents = sorted(Invoice.objects.filter(house=house).values_list("sequence", flat=True))
    assert sorted(documents + bare) == list(range(1, len(documents) + len(bare) + 1))
    assert len(set(Invoice.objects.values_list("number", flat=True))) == len(documents)
    assert set(live_lines_per_booking().values()) == {1}


def test_cancel_and_credit_of_one_invoice_at_once__credited_once(world):
    house, treasurer = world["house"], world["treasurer"]
    from boeking import services

    _, choir = inv.invoice_run_issue(house=house, period_start=MARCH[0], period_end=MARCH[1], actor=treasurer)
    booking = choir.lines.order_by("position").last().booking
    results, errors = run_concurrently([
        lambda: services.booking_cancel(booking=booking, actor=treasurer, reason="Verkiezingen"),
        lambda: inv.invoice_credit(invoice=choir, actor=treasurer, reason="Seizoen afgelast"),
    ])
    assert all(e is None for e in errors), errors
    credited = InvoiceLine.objects.filter(is_credit=True, credits_line__invoice=choir)
    assert sorted(credited.values_list("credits_line__booking_id", flat=True)) == sorted(
        choir.lines.values_list("booking_id", flat=True))
    assert inv.owed_cents(Invoice.objects.get(pk=choir.pk)) == 0
    assert_gapless(house)

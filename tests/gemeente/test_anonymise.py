"""`manage.py anonymise_personal_data` (SPEC §8): personal data of bookings that ended more than 12 months ago
(RuleSettings.anonymise_after_months) is erased; amounts and dates stay; a second run changes nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from boeking import usage
from boeking.models import AuditEntry, Booking, PaymentEntry, RuleSettings, Series
from boeking.services import booking_refund_deposit, booking_reject, series_approve, series_create
from boeking.services.privacy import anonymise_personal_data
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

MONEY_AND_DATES = ("start", "end", "kind", "guests", "alcohol", "status", "total_cents", "rental_cents",
                   "deposit_cents", "paid_cents", "refunded_cents", "deposit_retained_cents", "price_lines", "room_id",
                   "house_id", "local_year", "created_at", "decided_at", "confirmed_at")


@pytest.fixture
def history(room, frozen_now):
    """A year ago: a confirmed party (deposit partly kept, with a reason), a rejected request, an association series;
    half a year ago: another confirmed party."""
    frozen_now(local_dt(2026, 1, 5, 10))
    resident = UserFactory.resident(first_name="Truus", last_name="Vrancken", profile__phone="06-99887766")
    volunteer = UserFactory.volunteer(room.house)
    old = BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=local_dt(2026, 2, 7, 19),
                                   end=local_dt(2026, 2, 7, 23), title="50 jaar Truus")
    Booking.objects.filter(pk=old.pk).update(notes="Truus wil de bar zelf doen")
    rejected = BookingFactory.requested(room=room, booker=resident, start=local_dt(2026, 2, 14, 19),
                                        end=local_dt(2026, 2, 14, 23), title="Feest Truus")
    booking_reject(booking=rejected, actor=volunteer, reason="Truus heeft al een feest die maand")
    association = UserFactory.association(first_name="Huub", last_name="Wetzels")
    series = series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                           start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2026, 1, 20),
                           until=dt.date(2026, 2, 24), guests=20, title="Repetitie koor van Huub")
    series_approve(series=series, actor=volunteer)
    frozen_now(local_dt(2026, 2, 10, 10))
    booking_refund_deposit(booking=old, actor=volunteer, retain_cents=1000, reason="Glas gebroken door Truus")
    frozen_now(local_dt(2026, 7, 20, 10))
    recent = BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=local_dt(2026, 8, 8, 19),
                                      end=local_dt(2026, 8, 8, 23), title="Verjaardag Truus")
    frozen_now(local_dt(2027, 3, 1, 3))  # the nightly run: more than 12 months after the first party
    return {"old": old, "rejected": rejected, "recent": recent, "series": series, "resident": resident}


def snapshot(booking: Booking) -> dict:
    booking = Booking.objects.get(pk=booking.pk)
    return {field: getattr(booking, field) for field in MONEY_AND_DATES}


def test_anonymise__erases_personal_data_of_old_bookings_keeps_amounts_and_dates(history):
    old, rejected = history["old"], history["rejected"]
    kept = snapshot(old)
    counted_before = [(r.house, r.kind, r.count) for r in usage.usage([2026, 2027])]

    out = StringIO()
    call_command("anonymise_personal_data", stdout=out)

    assert "8 boeking(en) en 1 reeks(en)" in out.getvalue()  # the party, the rejected request, six rehearsals
    old.refresh_from_db()
    assert snapshot(old) == kept and old.total_cents > 0 and old.deposit_retained_cents == 1000
    assert (old.booker_id, old.booker_email, old.booker_phone, old.booker_postcode, old.title, old.notes) == (
        None, "", "", "", "", "")
    assert old.booker_name == "[geanonimiseerd]" and old.anonymised_at == local_dt(2027, 3, 1, 3)
    rejected.refresh_from_db()
    assert rejected.decision_reason == "" and rejected.title == ""
    assert not AuditEntry.objects.filter(booking__in=[old, rejected]).exclude(reason="").exists()
    assert not AuditEntry.objects.filter(booking__in=[old, rejected], actor=history["resident"]).exists()
    assert AuditEntry.objects.filter(booking=old, action="booking.approved").exclude(actor=None).exists()  # the board
    assert not PaymentEntry.objects.filter(booking=old).exclude(reason="").exists()
    assert PaymentEntry.objects.filter(booking=old, amount_cents=1000, kind="deposit_retained").exists()
    assert [(r.house, r.kind, r.count) for r in usage.usage([2026, 2027])] == counted_before


def test_anonymise__leaves_bookings_that_ended_less_than_the_period_ago(history):
    anonymise_personal_data()
    recent = Booking.objects.get(pk=history["recent"].pk)
    assert recent.anonymised_at is None and recent.title == "Verjaardag Truus"
    assert recent.booker == history["resident"] and recent.booker_phone == "06-99887766"


def test_anonymise__series_personal_fields_and_their_occurrences(history):
    anonymise_personal_data()
    series = Series.objects.get(pk=history["series"].pk)
    assert (series.booker_id, series.booker_name, series.booker_email, series.booker_phone, series.title) == (
        None, "", "", "", "")
    assert not series.occurrences.filter(anonymised_at__isnull=True).exists()


def test_anonymise__is_idempotent(history):
    first = anonymise_personal_data()
    state = list(Booking.objects.order_by("pk").values())
    audit_count = AuditEntry.objects.count()
    second = anonymise_personal_data()
    assert first.bookings > 0 and (second.bookings, second.series) == (0, 0)
    assert list(Booking.objects.order_by("pk").values()) == state
    assert AuditEntry.objects.count() == audit_count


def test_anonymise__follows_the_period_in_the_rule_settings(history):
    RuleSettings.objects.filter(pk=RuleSettings.current().pk).update(anonymise_after_months=6)
    anonymise_personal_data()
    assert Booking.objects.get(pk=history["recent"].pk).anonymised_at is not None


def test_anonymise__one_audit_entry_without_personal_data(history):
    anonymise_personal_data()
    entry = AuditEntry.objects.get(action="privacy.anonymised")
    assert entry.data["bookings"] > 0 and entry.data["months"] == 12 and "Truus" not in str(entry.data)

"""Offline payments end to end, payment deadlines, the fixed follow-ups of the booking services, payment modes and
the municipality's revenue totals. No Stripe needed here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from rest_framework.test import APIClient

from boeking import payments, services
from boeking.errors import InvalidTransition, RuleViolation
from boeking.models import AuditEntry, Booking, BookingStatus, CapRule, House, PaymentEntry
from tests.factories import BookingFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

SAT_EVENING = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))  # € 100 rent + € 50 deposit


@pytest.fixture
def march(frozen_now):
    return frozen_now(local_dt(2027, 3, 1, 10))


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def ledger(booking) -> list[tuple[str, str, int]]:
    return list(PaymentEntry.objects.filter(booking=booking).order_by("pk").values_list("kind", "method", "amount_cents"))


# --- offline, end to end through the API --------------------------------------------------------------------------


def test_offline__request_approve_pay_instructions_mark_paid_deposit(march, room, frozen_now):
    room.house.bank_account = "NL91 ABNA 0417 1643 00"
    room.house.save()
    resident, volunteer = UserFactory.resident(), UserFactory.volunteer(room.house)
    created = client_for(resident).post("/api/v1/bookings/", {
        "room": room.pk, "kind": "party", "start": SAT_EVENING[0].isoformat(), "end": SAT_EVENING[1].isoformat(),
        "guests": 40, "alcohol": True, "title": "50 jaar"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert client_for(volunteer).post(f"/api/v1/bookings/{pk}/approve/", {}, format="json").status_code == 200

    body = client_for(resident).post(f"/api/v1/bookings/{pk}/payment/").json()
    assert body["provider"] == "offline"
    assert (body["client_secret"], body["publishable_key"]) == (None, None)
    assert (body["amount_cents"], body["amount"]) == (15000, "€ 150,00")
    assert body["deadline"] == "2027-03-08T10:00:00+01:00"
    assert "NL91ABNA0417164300" in body["instructions"]  # the checked IBAN, in its electronic format
    assert f'"Zaalboek {pk}"' in body["instructions"] and "€ 150,00" in body["instructions"]
    assert Booking.objects.get(pk=pk).status == BookingStatus.APPROVED  # starting to pay offline changes nothing

    assert client_for(volunteer).post(f"/api/v1/bookings/{pk}/mark-paid/", {"reason": "Overgemaakt"},
                                      format="json").status_code == 200
    booking = Booking.objects.get(pk=pk)
    assert (booking.status, booking.paid_cents) == ("confirmed", 15000)
    assert ledger(booking) == [("charge", "offline", 15000)]

    frozen_now(local_dt(2027, 4, 4, 12))
    response = client_for(volunteer).post(f"/api/v1/bookings/{pk}/refund-deposit/",
                                          {"retain_cents": 1500, "reason": "Vlekken in de vloer"}, format="json")
    assert response.status_code == 200
    assert ledger(Booking.objects.get(pk=pk)) == [("charge", "offline", 15000), ("deposit_refund", "offline", 3500),
                                                  ("deposit_retained", "offline", 1500)]
    seen = client_for(resident).get(f"/api/v1/bookings/{pk}/payments/").json()
    assert (seen["paid_cents"], seen["refunded_cents"], seen["deposit_retained_cents"]) == (15000, 3500, 1500)
    assert [e["reason"] for e in seen["entries"]][-1] == "Vlekken in de vloer"
    assert seen == client_for(volunteer).get(f"/api/v1/bookings/{pk}/payments/").json()


def test_offline__house_without_iban__pay_on_site_instructions(march, room):
    booking = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    body = client_for(booking.booker).post(f"/api/v1/bookings/{booking.pk}/payment/").json()
    assert "ter plaatse" in body["instructions"] and f"Zaalboek {booking.pk}" in body["instructions"]


def test_offline__late_cancellation_after_payment__refund_line_for_the_house_to_pay(march, room, frozen_now):
    booking = BookingFactory.confirmed(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    frozen_now(local_dt(2027, 3, 30, 10))
    services.booking_cancel(booking=booking, actor=booking.booker)
    assert ledger(booking) == [("charge", "offline", 15000), ("refund", "offline", 5000)]


# --- deadlines ------------------------------------------------------------------------------------------------------


def test_payment_deadline__seven_days_after_approval_but_never_after_start(march, room, frozen_now):
    far = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    assert far.payment_deadline == local_dt(2027, 3, 8, 10)
    frozen_now(local_dt(2027, 4, 12, 10))  # an association asks 5 days ahead (2 days' notice suffices)
    requested = BookingFactory.requested(room=room, booker=UserFactory.association(), kind="association",
                                         alcohol=False, start=local_dt(2027, 4, 17, 19), end=local_dt(2027, 4, 17, 22))
    frozen_now(local_dt(2027, 4, 13, 12))
    late = services.booking_approve(booking=requested, actor=UserFactory.volunteer(room.house))
    assert late.payment_deadline == local_dt(2027, 4, 17, 19)  # the start comes before 7 days


def test_payment_deadline__koffietafel_pays_before_the_start(march, room):
    booking = BookingFactory.approved(room=room, kind="koffietafel", alcohol=False, start=local_dt(2027, 3, 12, 13),
                                      end=local_dt(2027, 3, 12, 16))
    assert booking.payment_deadline == local_dt(2027, 3, 12, 13)


def test_booking_approve__after_decision_deadline__refused_and_nothing_written(march, room, frozen_now):
    booking = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    volunteer = UserFactory.volunteer(room.house)
    frozen_now(booking.decision_deadline)
    before = AuditEntry.objects.count()
    with pytest.raises(InvalidTransition) as info:
        services.booking_approve(booking=booking, actor=volunteer)
    assert info.value.code == "decision_deadline_passed"
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.REQUESTED
    assert AuditEntry.objects.count() == before


def test_booking_mark_paid__after_payment_deadline__refused_then_expires(march, room, frozen_now):
    booking = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    frozen_now(booking.payment_deadline)
    response = client_for(UserFactory.volunteer(room.house)).post(f"/api/v1/bookings/{booking.pk}/mark-paid/", {},
                                                                  format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "payment_deadline_passed"
    assert not PaymentEntry.objects.exists()
    assert [b.pk for b in services.expire_overdue()] == [booking.pk]


def test_payment_start__after_deadline__409_and_for_other_states_invalid_transition(march, room, frozen_now):
    booking = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    frozen_now(booking.payment_deadline + dt.timedelta(seconds=1))
    response = client_for(booking.booker).post(f"/api/v1/bookings/{booking.pk}/payment/")
    assert (response.status_code, response.json()["code"]) == (409, "payment_deadline_passed")


def test_expire_overdue__unpaid_booking_frees_the_slot(march, room, frozen_now):
    booking = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    frozen_now(booking.payment_deadline)
    services.expire_overdue()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.EXPIRED
    again = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    assert again.status == BookingStatus.REQUESTED


# --- follow-ups fixed in boeking/services/bookings.py --------------------------------------------------------------


# Approve and pay in one transaction → one "Bevestigd" mail, no "Goedgekeurd": proven against the database task
# queue in tests/jobs/test_queue.py (test_approved_and_paid_in_one_transaction__one_confirmation_no_approval); with
# the immediate task backend of the test settings each mail is sent as it is enqueued, inside the transaction.


def test_approve_alone__sends_the_approved_mail(march, room, django_capture_on_commit_callbacks):
    booking = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_approve(booking=booking, actor=UserFactory.volunteer(room.house))
    assert [m.subject.split(":")[0] for m in mail.outbox if booking.booker_email in m.to] == ["Goedgekeurd"]


def test_community_by_own_board__free_and_confirmed_at_once(march, room):
    volunteer = UserFactory.volunteer(room.house)
    assert room.tariffs.filter(tier="other").exists()  # the "other" tariff exists, and is not charged
    booking = services.booking_request(booker=volunteer, room=room, kind="community", start=SAT_EVENING[0],
                                       end=SAT_EVENING[1], guests=30, title="Buurtbingo")
    assert (booking.status, booking.total_cents, booking.payment_deadline) == ("confirmed", 0, None)
    assert [line["code"] for line in booking.price_lines] == ["own_activity"]
    quote = services.booking_quote(booker=volunteer, room=room, kind="community", start=SAT_EVENING[0],
                                   end=SAT_EVENING[1], guests=30)
    assert quote.price.total_cents == 0


def test_association_by_board__still_priced_at_association_tier(march, room):
    volunteer = UserFactory.volunteer(room.house)
    booking = services.booking_request(booker=volunteer, room=room, kind="association", start=SAT_EVENING[0],
                                       end=SAT_EVENING[1], guests=30)
    assert booking.total_cents == 6000 and booking.status == BookingStatus.APPROVED


def test_approve__cap_full_and_a_closure__reports_the_closure_not_cap_reached(march, room, admin_user):
    CapRule.objects.create(kind="party", house=room.house, cap=1, reason="horeca in de buurt")
    BookingFactory.approved(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    CapRule.objects.filter(house=room.house).update(cap=2)
    waiting = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    CapRule.objects.filter(house=room.house).update(cap=1)
    services.closure_create(actor=admin_user, house=room.house, start=local_dt(2027, 4, 3), end=local_dt(2027, 4, 4),
                            reason="Lekkage")
    with pytest.raises(RuleViolation) as info:
        services.booking_approve(booking=waiting, actor=UserFactory.volunteer(room.house))
    assert info.value.code == "closure"
    assert {r["rule"] for r in info.value.rules if r["outcome"] == "fail"} == {"closure", "cap"}


# --- modes and revenue -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "installation", "house", "expected"),
    [(False, "stripe", "", "offline"), (True, "stripe", "", "stripe"), (True, "offline", "", "offline"),
     (True, "offline", "stripe", "stripe"), (True, "stripe", "offline", "offline"), (False, "offline", "stripe", "offline")],
)
def test_mode_for_house__installation_default_house_override_needs_keys(settings, keys, installation, house, expected):
    settings.STRIPE_SECRET_KEY = "sk_test_x" if keys else ""
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x" if keys else ""
    settings.ZAALBOEK_PAYMENT_MODE = installation
    assert payments.mode_for_house(House(payment_mode=house)) == expected


def test_payment_intent_params__ideal_and_card_in_euro_with_the_booking_id_and_our_marker(settings):
    params = payments.payment_intent_params(booking_id=42, amount_cents=15000)
    assert params == {"amount": 15000, "currency": "eur", "payment_method_types": ["ideal", "card"],
                      "metadata": {"booking_id": "42", "zaalboek": "zaalboek"}}
    settings.ZAALBOEK_STRIPE_MARKER = "maastricht-prod"
    assert payments.payment_intent_params(booking_id=42, amount_cents=15000)["metadata"]["zaalboek"] == "maastricht-prod"


@pytest.mark.parametrize(("metadata", "ours"), [
    ({"zaalboek": "zaalboek", "booking_id": "1"}, True),
    ({"zaalboek": "elders", "booking_id": "1"}, False),  # another installation on the same Stripe account
    ({"app": "zaalboek", "booking_id": "1"}, True),  # intents made before the marker
    ({"app": "zaalboek", "zaalboek": "elders"}, False),
    ({"booking_id": "1"}, False),
    ({}, False),
    (None, False),
])
def test_is_ours__only_our_marker(metadata, ours):
    assert payments.is_ours(metadata) is ours


def test_revenue_per_house__charged_refunded_retained_net_per_house_and_year(march, room, frozen_now):
    other = RoomFactory()
    paid = BookingFactory.confirmed(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    cancelled = BookingFactory.confirmed(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    frozen_now(local_dt(2027, 4, 1, 10))
    services.booking_cancel(booking=cancelled, actor=cancelled.booker)  # late: rent kept, deposit back
    frozen_now(local_dt(2027, 4, 4, 10))
    services.booking_refund_deposit(booking=paid, actor=UserFactory.volunteer(room.house), retain_cents=2000,
                                    reason="Schade")
    rows = {row["house_id"]: row for row in payments.revenue_per_house(2027)}
    assert rows[room.house_id] == {"house_id": room.house_id, "house": room.house.name, "charged_cents": 30000,
                                   "refunded_cents": 8000, "deposit_retained_cents": 2000, "invoiced_cents": 0,
                                   "net_cents": 22000}
    assert rows[other.house_id]["charged_cents"] == rows[other.house_id]["net_cents"] == 0
    assert all(row["net_cents"] == 0 for row in payments.revenue_per_house(2026))

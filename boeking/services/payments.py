"""Money state changes: starting a payment, Stripe's webhook events, refunds and the payments ledger.

Every amount that moves is one `PaymentEntry` line (charge, refund, deposit_refund, deposit_retained, failure);
`Booking.paid_cents` / `refunded_cents` / `deposit_retained_cents` are kept equal to the ledger's sums. Calls to
Stripe happen inside the caller's transaction, before anything is saved, and carry idempotency keys: when Stripe
is unreachable (`PaymentProviderUnavailable`, 503) the transaction rolls back and the booking is unchanged; when
the database fails after Stripe said yes, the retry gets the same Stripe object back instead of a second one.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from boeking import access, notifications, states
from boeking import payments as provider
from boeking.clock import format_local, now
from boeking.errors import InvalidTransition, NotAllowed
from boeking.models import Booking, BookingStatus, LedgerKind, PaymentEntry, PaymentMode, StripeEvent
from boeking.pricing import euro

from .audit import audit
from .transitions import lock_booking, transition

log = logging.getLogger(__name__)

# PaymentIntent states in which the resident can still pay with the same intent (after a failed attempt, too).
PAYABLE_STATES = ("requires_payment_method", "requires_confirmation", "requires_action")


@dataclass(frozen=True)
class PaymentStart:
    """What the pay page needs (the public contract of POST /api/v1/bookings/{id}/payment/)."""

    provider: str
    amount_cents: int
    deadline: dt.datetime | None
    client_secret: str | None = None
    publishable_key: str | None = None
    instructions: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "client_secret": self.client_secret,
                "publishable_key": self.publishable_key, "amount_cents": self.amount_cents,
                "amount": euro(self.amount_cents), "deadline": self.deadline, "instructions": self.instructions}


def outstanding_cents(booking: Booking) -> int:
    return max(booking.total_cents - booking.paid_cents, 0)


def payment_mode_of(booking: Booking) -> str:
    """The booking's mode, falling back to offline when Stripe is (no longer) configured."""
    if booking.payment_mode == PaymentMode.STRIPE and provider.stripe_configured():
        return PaymentMode.STRIPE
    return PaymentMode.OFFLINE


def offline_instructions(booking: Booking, amount_cents: int) -> str:
    house = booking.house
    reference = f"Zaalboek {booking.pk}"
    deadline = format_local(booking.payment_deadline) if booking.payment_deadline else ""
    if house.bank_account:
        text = _("Maak %(amount)s over naar %(iban)s ten name van %(house)s, onder vermelding van \"%(reference)s\", "
                 "vóór %(deadline)s. U kunt ook ter plaatse betalen. Het bestuur bevestigt uw boeking zodra de "
                 "betaling binnen is.")
    else:
        text = _("Betaal %(amount)s vóór %(deadline)s ter plaatse bij %(house)s en noem daarbij \"%(reference)s\". "
                 "Het bestuur bevestigt uw boeking zodra de betaling binnen is.")
    return text % {"amount": euro(amount_cents), "iban": house.bank_account, "house": house.name,
                   "reference": reference, "deadline": deadline}


def _check_payable(booking: Booking) -> int:
    if refusal := states.pay_refusal(booking, now()):
        raise refusal
    amount = outstanding_cents(booking)
    if amount <= 0:
        raise InvalidTransition("nothing_to_pay", "Er valt niets (meer) te betalen.")
    return amount


def payment_start(*, booking: Booking, actor) -> PaymentStart:
    """The booker starts paying an approved booking: the amount due (rental + deposit) and how to pay it.

    Stripe: a PaymentIntent (iDEAL and card) for the amount, the booking id in its metadata, created with an
    idempotency key and reused while it can still be paid (also after a failed attempt), so starting twice never
    makes two. Offline: the instructions with the house's IBAN and a reference; nothing is written.
    Refused: not the booker (`not_allowed`), not awaiting payment (`invalid_transition`), the deadline passed
    (`payment_deadline_passed`); Stripe unreachable: `payment_provider_unavailable` (503), booking unchanged.
    """
    if not access.can_pay(actor, booking):
        raise NotAllowed(detail="Alleen de aanvrager kan deze boeking betalen.")
    booking = Booking.objects.select_related("house", "room__house").get(pk=booking.pk)
    amount = _check_payable(booking)
    if payment_mode_of(booking) == PaymentMode.OFFLINE:
        return PaymentStart(provider=PaymentMode.OFFLINE, amount_cents=amount, deadline=booking.payment_deadline,
                            instructions=offline_instructions(booking, amount))

    previous = booking.payment_intent_id
    intent = None
    if previous:
        intent = provider.retrieve_payment_intent(previous)
        if intent["status"] == "succeeded":
            # The webhook has not arrived yet: settle now, from what Stripe says.
            _settle_succeeded(intent, source="payment_start")
            raise InvalidTransition("already_paid", "Deze boeking is al betaald.")
        if intent["status"] in ("processing", "requires_capture"):
            raise InvalidTransition("payment_processing", "Uw betaling wordt nog verwerkt; even geduld.")
        if intent["status"] not in PAYABLE_STATES or intent["amount"] != amount:
            intent = None  # canceled, or for another amount: make a new one
    if intent is None:
        intent = provider.create_payment_intent(
            booking_id=booking.pk, amount_cents=amount,
            idempotency_key=f"{_key(booking)}-pi-{amount}-after-{previous or 'none'}")
    if intent["id"] != previous:
        with transaction.atomic():
            locked = lock_booking(booking)
            _check_payable(locked)
            locked.payment_intent_id = intent["id"]
            locked.updated_at = now()
            locked.save(update_fields=["payment_intent_id", "updated_at"])
            audit(actor=actor, action="booking.payment_started", booking=locked,
                  data={"payment_intent": intent["id"], "amount_cents": amount, "previous": previous})
    return PaymentStart(provider=PaymentMode.STRIPE, amount_cents=amount, deadline=booking.payment_deadline,
                        client_secret=intent["client_secret"], publishable_key=settings.STRIPE_PUBLISHABLE_KEY)


def _key(booking: Booking) -> str:
    """The start of a booking's idempotency keys: its id and creation time, so a database reset that reuses ids (on a
    developer's machine, against one Stripe test account) never meets an old key with other parameters."""
    return f"zaalboek-booking-{booking.pk}-{int(booking.created_at.timestamp())}"


# --- the ledger ------------------------------------------------------------------------------------------------


def ledger_entry(*, booking: Booking, kind: str, method: str, amount_cents: int, stripe_id: str = "",
                 reason: str = "", actor=None) -> PaymentEntry:
    return PaymentEntry.objects.create(
        booking=booking, kind=kind, method=method, amount_cents=amount_cents, stripe_id=stripe_id,
        reason=reason[:300], at=now(), actor=actor if actor is not None and actor.is_authenticated else None)


def stripe_refundable_cents(booking: Booking) -> int:
    """What Stripe still holds for this booking: its Stripe charges minus its Stripe refunds."""
    sums = {row["kind"]: row["total"] for row in PaymentEntry.objects.filter(booking=booking, method=PaymentMode.STRIPE)
            .values("kind").annotate(total=Sum("amount_cents"))}
    return (sums.get(LedgerKind.CHARGE, 0) - sums.get(LedgerKind.REFUND, 0) - sums.get(LedgerKind.DEPOSIT_REFUND, 0))


def refund(*, booking: Booking, amount_cents: int, kind: str, reason: str, actor, purpose: str) -> list[PaymentEntry]:
    """Pay `amount_cents` back: through Stripe as far as Stripe holds this booking's money, the rest by the house
    (offline). Records the ledger lines and `booking.refunded_cents`; the caller holds the lock and saves.

    `purpose` names this refund within the booking (`cancel`, `deposit`, …): with the booking id it is Stripe's
    idempotency key, so a retried refund is never paid twice.
    """
    entries: list[PaymentEntry] = []
    if amount_cents <= 0:
        return entries
    via_stripe = min(amount_cents, stripe_refundable_cents(booking)) if booking.payment_intent_id else 0
    if via_stripe > 0:
        result = provider.create_refund(
            payment_intent_id=booking.payment_intent_id, amount_cents=via_stripe,
            idempotency_key=f"{_key(booking)}-refund-{purpose}",
            metadata={"booking_id": str(booking.pk), "purpose": purpose})
        entries.append(ledger_entry(booking=booking, kind=kind, method=PaymentMode.STRIPE, amount_cents=via_stripe,
                                    stripe_id=result["id"], reason=reason, actor=actor))
    rest = amount_cents - via_stripe
    if rest > 0:
        entries.append(ledger_entry(booking=booking, kind=kind, method=PaymentMode.OFFLINE, amount_cents=rest,
                                    reason=reason, actor=actor))
    booking.refunded_cents += amount_cents
    return entries


# --- Stripe events ---------------------------------------------------------------------------------------------


def _booking_id_of(intent: dict[str, Any]) -> int | None:
    value = (intent.get("metadata") or {}).get("booking_id")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _settle_succeeded(intent: dict[str, Any], *, source: str) -> str:
    """Book a succeeded PaymentIntent once (charge line keyed by its id) and confirm the booking; a payment for a
    booking that no longer awaits it (expired, cancelled, paid otherwise) is refunded in full. Returns a note."""
    booking_id = _booking_id_of(intent)
    if booking_id is None or not Booking.objects.filter(pk=booking_id).exists():
        return "geen boeking bij deze betaling"
    with transaction.atomic():
        locked = lock_booking(Booking(pk=booking_id))
        if PaymentEntry.objects.filter(kind=LedgerKind.CHARGE, stripe_id=intent["id"]).exists():
            return "al verwerkt"
        amount = int(intent.get("amount_received") or intent["amount"])
        ledger_entry(booking=locked, kind=LedgerKind.CHARGE, method=PaymentMode.STRIPE, amount_cents=amount,
                     stripe_id=intent["id"], reason="iDEAL/kaart via Stripe")
        locked.paid_cents += amount
        if locked.status == BookingStatus.APPROVED:
            locked.payment_intent_id = locked.payment_intent_id or intent["id"]
            data = {"paid_cents": amount, "mode": "stripe", "payment_intent": intent["id"], "via": source}
            if locked.paid_cents < locked.total_cents:  # only when the price changed after the intent was made
                locked.updated_at = now()
                locked.save()
                audit(actor=None, action="booking.paid_partly", booking=locked, data=data)
                return "deels betaald"
            locked.confirmed_at = now()
            transition(locked, BookingStatus.CONFIRMED, actor=None, reason="Online betaald",
                                         action="booking.paid", data=data)
            transaction.on_commit(lambda: notifications.booking_confirmed(booking_id))
            return "boeking bevestigd"
        # Paid for a booking that no longer awaits payment: give it all back, at once.
        previous_intent = locked.payment_intent_id
        locked.payment_intent_id = intent["id"]  # refund against the intent that holds the money
        refund(booking=locked, amount_cents=amount, kind=LedgerKind.REFUND, actor=None, purpose=f"late-{intent['id']}",
               reason=f"Betaling ontvangen voor een boeking met status '{locked.get_status_display()}'")
        locked.payment_intent_id = previous_intent or intent["id"]
        locked.updated_at = now()
        locked.save()
        audit(actor=None, action="booking.payment_refunded", booking=locked,
              reason="Betaling na verlopen, annuleren of dubbel betalen: volledig terugbetaald",
              data={"payment_intent": intent["id"], "amount_cents": amount})
        transaction.on_commit(lambda: notifications.payment_refunded(booking_id, amount))
        return f"terugbetaald (status {locked.status})"


def _settle_failed(intent: dict[str, Any], event_id: str) -> str:
    """Record a failed attempt while the booking awaits payment; the booking stays approved, so the resident can
    try again. A failure that arrives after the booking was paid (out of order) changes nothing."""
    booking_id = _booking_id_of(intent)
    if booking_id is None or not Booking.objects.filter(pk=booking_id).exists():
        return "geen boeking bij deze betaling"
    with transaction.atomic():
        locked = lock_booking(Booking(pk=booking_id))
        if locked.status != BookingStatus.APPROVED or PaymentEntry.objects.filter(
                kind=LedgerKind.CHARGE, stripe_id=intent["id"]).exists():
            return f"genegeerd (status {locked.status})"
        error = intent.get("last_payment_error") or {}
        charge = error.get("charge") or intent.get("latest_charge")
        charge_id = charge.get("id") if isinstance(charge, dict) else charge
        stripe_id = charge_id or f"{intent['id']}/{event_id}"
        if PaymentEntry.objects.filter(kind=LedgerKind.FAILURE, stripe_id=stripe_id).exists():
            return "al verwerkt"
        message = error.get("message") or "Betaling mislukt"
        ledger_entry(booking=locked, kind=LedgerKind.FAILURE, method=PaymentMode.STRIPE,
                     amount_cents=int(intent.get("amount") or 0), stripe_id=stripe_id, reason=message)
        audit(actor=None, action="booking.payment_failed", booking=locked, reason=message,
              data={"payment_intent": intent["id"], "code": error.get("code") or ""})
        transaction.on_commit(lambda: notifications.payment_failed(booking_id))
        return "mislukte betaling vastgelegd"


HANDLERS = {
    "payment_intent.succeeded": lambda intent, event_id: _settle_succeeded(intent, source="webhook"),
    "payment_intent.payment_failed": _settle_failed,
}


def stripe_event_handle(*, event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Handle a verified webhook event exactly once; returns (the event record, whether it was a duplicate).

    The event id is stored in the same transaction as its effects: a replay or a second delivery changes nothing,
    and when handling fails (Stripe unreachable during a refund) nothing is stored, so Stripe's retry handles it.
    Unknown event types are recorded and acknowledged.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = StripeEvent.objects.create(event_id=event["id"], type=event["type"][:100],
                                                    received_at=now())
        except IntegrityError:
            return StripeEvent.objects.get(event_id=event["id"]), True
        handler = HANDLERS.get(event["type"])
        obj = (event.get("data") or {}).get("object")
        if handler is None or not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
            record.note = "niet gebruikt"
        else:
            record.note = handler(obj, event["id"])[:300]
            record.handled = True
        record.save(update_fields=["note", "handled"])
        return record, False


def payment_sync(*, booking: Booking) -> str:
    """Ask Stripe about the booking's PaymentIntent and settle a success the webhook has not delivered yet.

    Returns the intent's status ('' without one). Used before an unpaid booking expires.
    """
    if not booking.payment_intent_id:
        return ""
    intent = provider.retrieve_payment_intent(booking.payment_intent_id)
    if intent["status"] == "succeeded":
        _settle_succeeded(intent, source="sync")
    return intent["status"]


def cancel_open_intent(payment_intent_id: str) -> None:
    """After a booking stopped awaiting payment: cancel its unpaid PaymentIntent, best effort (a payment that
    still comes in is refunded by the webhook)."""
    try:
        intent = provider.retrieve_payment_intent(payment_intent_id)
        if intent["status"] in PAYABLE_STATES:
            provider.cancel_payment_intent(payment_intent_id)
    except (provider.PaymentProviderUnavailable, provider.PaymentProviderError) as exc:
        log.warning("Could not cancel PaymentIntent %s: %s", payment_intent_id, exc)


def ledger(booking: Booking) -> list[PaymentEntry]:
    return list(PaymentEntry.objects.filter(booking=booking).order_by("at", "pk"))


__all__ = ["PaymentStart", "payment_start", "stripe_event_handle", "payment_sync", "refund", "ledger_entry",
           "ledger", "outstanding_cents", "cancel_open_intent"]

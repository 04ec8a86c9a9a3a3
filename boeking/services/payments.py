"""Money state changes: starting a payment, Stripe's webhook events, refunds, the payments ledger and reconciling it
with Stripe.

Every amount that moves is one `PaymentEntry` line (charge, refund, deposit_refund, deposit_retained, failure,
dispute, dispute_reinstated); `Booking.paid_cents` / `refunded_cents` / `deposit_retained_cents` are kept equal to the
ledger's sums (`refunded_cents` = refunds + returned deposits + disputes − disputes won). Calls to Stripe happen
inside the caller's transaction, before anything is saved, and carry idempotency keys: when Stripe is unreachable
(`PaymentProviderUnavailable`, 503) the transaction rolls back and the booking is unchanged; when the database fails
after Stripe said yes, the retry gets the same Stripe object back instead of a second one.

Stripe events (`stripe_event_handle`) change something only when they are about a payment of this installation for
the booking they name: the booking's own PaymentIntent (one `payment_start` made, recorded in its audit trail with
the amount), our marker in the intent's metadata, currency EUR and the amount asked. Anything else is kept as an
ignored `StripeEvent` with the reason (`IGNORED`) and changes nothing.

| event | effect |
|---|---|
| `payment_intent.succeeded` | charge line; the booking is confirmed (or, no longer awaiting payment, refunded in full) |
| `payment_intent.payment_failed` | failure line while the booking awaits payment |
| `charge.refunded` | refunds Stripe made that the ledger lacks (the Stripe dashboard) become refund lines |
| `charge.dispute.funds_withdrawn` / `funds_reinstated` | dispute / dispute_reinstated line (the bank took the money back / returned it) |
| `charge.dispute.created` / `updated` / `closed` | audited and logged for the board; no money moves |
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import dateformat
from django.utils.translation import gettext as _

from boeking import access, identifiers, notifications, states
from boeking import payments as provider
from boeking.clock import local, now
from boeking.errors import InvalidTransition, NotAllowed
from boeking.models import AuditEntry, Booking, BookingStatus, LedgerKind, PaymentEntry, PaymentMode, StripeEvent
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


def payment_reference(booking: Booking) -> str:
    """What the booker writes with a bank transfer, so the board finds the booking: `Zaalboek 123`."""
    return f"Zaalboek {booking.pk}"


def house_iban(booking: Booking) -> str:
    """The house's IBAN in its checked, electronic form, or "" when it has none or it fails its check (then the
    booker pays on site)."""
    if not booking.house.bank_account:
        return ""
    try:
        return identifiers.normalise_iban(booking.house.bank_account)
    except identifiers.InvalidIdentifier:
        log.warning("House %s has an invalid IBAN; payment instructions say: pay on site", booking.house_id)
        return ""


def offline_instructions(booking: Booking, amount_cents: int) -> str:
    """How to pay offline: by transfer to the house's IBAN (in its checked, electronic form) with the reference, or
    on site. An IBAN that fails its check (stored before IBANs were checked) is never printed: pay on site."""
    house = booking.house
    reference = payment_reference(booking)
    # The weekday in the active language ("Sun 06-12-2026 08:00" on an English page, "zo …" on a Dutch one).
    deadline = dateformat.format(local(booking.payment_deadline), "D d-m-Y H:i") if booking.payment_deadline else ""
    iban = house_iban(booking)
    if iban:
        text = _("Maak %(amount)s over naar %(iban)s ten name van %(house)s, onder vermelding van \"%(reference)s\", "
                 "vóór %(deadline)s. U kunt ook ter plaatse betalen. Het bestuur bevestigt uw boeking zodra de "
                 "betaling binnen is.")
    else:
        text = _("Betaal %(amount)s vóór %(deadline)s ter plaatse bij %(house)s en noem daarbij \"%(reference)s\". "
                 "Het bestuur bevestigt uw boeking zodra de betaling binnen is.")
    return text % {"amount": euro(amount_cents), "iban": iban, "house": house.name,
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

    Stripe: a PaymentIntent (iDEAL and card) for the amount, the booking id and our marker in its metadata, created
    with an idempotency key and reused while it can still be paid (also after a failed attempt), so starting twice
    never makes two; an intent for another amount is replaced (and cancelled after commit, so it cannot be paid
    too). Each intent is audited (`booking.payment_started`) with its amount: events are checked against it.
    Offline: the instructions with the house's IBAN and a reference; nothing is written.
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
            _settle_checked(intent, source="payment_start")
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
            if previous:
                cancel_open_intent_later(previous)
    return PaymentStart(provider=PaymentMode.STRIPE, amount_cents=amount, deadline=booking.payment_deadline,
                        client_secret=intent["client_secret"], publishable_key=settings.STRIPE_PUBLISHABLE_KEY)


def _key(booking: Booking) -> str:
    """The start of a booking's idempotency keys: its id and creation time, so a database reset that reuses ids (on a
    developer's machine, against one Stripe test account) never meets an old key with other parameters."""
    return f"zaalboek-booking-{booking.pk}-{int(booking.created_at.timestamp())}"


# --- the ledger ------------------------------------------------------------------------------------------------

# Ledger kinds that take money back out of a booking (what `Booking.refunded_cents` adds up), and the one that
# puts it back (a dispute the house won).
MONEY_BACK = (LedgerKind.REFUND, LedgerKind.DEPOSIT_REFUND, LedgerKind.DISPUTE)
STRIPE_REFUND_KINDS = (LedgerKind.REFUND, LedgerKind.DEPOSIT_REFUND)


def ledger_entry(*, booking: Booking, kind: str, method: str, amount_cents: int, stripe_id: str = "",
                 reason: str = "", actor=None) -> PaymentEntry:
    return PaymentEntry.objects.create(
        booking=booking, kind=kind, method=method, amount_cents=amount_cents, stripe_id=stripe_id,
        reason=reason[:300], at=now(), actor=actor if actor is not None and actor.is_authenticated else None)


@dataclass(frozen=True)
class LedgerSums:
    """A booking's ledger added up, in the terms of the booking's own fields."""

    paid_cents: int
    refunded_cents: int
    deposit_retained_cents: int
    stripe_held_cents: int  # Stripe charges − Stripe refunds − disputes + disputes won

    @classmethod
    def of(cls, booking: Booking) -> LedgerSums:
        rows = (PaymentEntry.objects.filter(booking=booking).values("kind", "method")
                .annotate(total=Sum("amount_cents")))
        by = {(r["kind"], r["method"]): r["total"] for r in rows}

        def total(*kinds, method=None):
            return sum(v for (k, m), v in by.items() if k in kinds and (method is None or m == method))

        stripe = PaymentMode.STRIPE
        return cls(
            paid_cents=total(LedgerKind.CHARGE),
            refunded_cents=total(*MONEY_BACK) - total(LedgerKind.DISPUTE_REINSTATED),
            deposit_retained_cents=total(LedgerKind.DEPOSIT_RETAINED),
            stripe_held_cents=(total(LedgerKind.CHARGE, method=stripe) - total(*MONEY_BACK, method=stripe)
                               + total(LedgerKind.DISPUTE_REINSTATED, method=stripe)))


def stripe_refundable_cents(booking: Booking) -> int:
    """What Stripe still holds for this booking according to the ledger (see `LedgerSums.stripe_held_cents`)."""
    return LedgerSums.of(booking).stripe_held_cents


def held_cents(booking: Booking) -> int:
    """What the house still holds of the booker's money: paid − refunded − deposit retained (never below 0). No
    refund is ever larger."""
    return max(booking.paid_cents - booking.refunded_cents - booking.deposit_retained_cents, 0)


def charged_intents(booking: Booking) -> list[str]:
    """The PaymentIntents whose payment the ledger holds for this booking, newest first."""
    return list(PaymentEntry.objects.filter(booking=booking, kind=LedgerKind.CHARGE, method=PaymentMode.STRIPE)
                .exclude(stripe_id="").order_by("-at", "-pk").values_list("stripe_id", flat=True))


def own_intents(booking: Booking) -> dict[str, int]:
    """The PaymentIntents Zaalboek made for this booking, each with the amount it asked: `payment_start` audits
    every one (`booking.payment_started`) in the transaction that stores it on the booking."""
    found: dict[str, int] = {}
    for data in (AuditEntry.objects.filter(booking=booking, action="booking.payment_started")
                 .order_by("at", "pk").values_list("data", flat=True)):
        intent, amount = (data or {}).get("payment_intent"), (data or {}).get("amount_cents")
        if isinstance(intent, str) and isinstance(amount, int):
            found[intent] = amount
    return found


def sync_stripe_refunds(*, booking: Booking) -> int:
    """Ask Stripe for the refunds of the booking's payments and record those the ledger lacks (made in the Stripe
    dashboard, or made by Zaalboek just before its database failed) as refund lines; returns their sum, already added
    to `booking.refunded_cents`. Refunds Stripe reports as failed or canceled are not money back and are skipped.
    The caller holds the booking's lock (so a refund Zaalboek is making is in the ledger before this looks) and saves.
    """
    known = set(PaymentEntry.objects.filter(booking=booking, kind__in=STRIPE_REFUND_KINDS).exclude(stripe_id="")
                .values_list("stripe_id", flat=True))
    found = 0
    for intent_id in charged_intents(booking):
        for stripe_refund in provider.list_refunds(intent_id):
            if stripe_refund["id"] in known or stripe_refund.get("status") in ("failed", "canceled"):
                continue
            amount = int(stripe_refund.get("amount") or 0)
            if amount <= 0:
                continue
            ours = provider.is_ours(stripe_refund.get("metadata")) and (stripe_refund.get("metadata") or {}).get(
                "booking_id") == str(booking.pk)
            reason = ("Terugbetaling door Zaalboek, alsnog geboekt" if ours
                      else "Terugbetaald in Stripe (buiten Zaalboek om)")
            ledger_entry(booking=booking, kind=LedgerKind.REFUND, method=PaymentMode.STRIPE, amount_cents=amount,
                         stripe_id=stripe_refund["id"], reason=reason)
            known.add(stripe_refund["id"])
            found += amount
            log.warning("Booking %s: Stripe refund %s of %s cents was not in the ledger; recorded", booking.pk,
                        stripe_refund["id"], amount)
    if found:
        booking.refunded_cents += found
        booking.updated_at = now()
        audit(actor=None, action="booking.refund_recorded", booking=booking,
              reason="Terugbetaling in Stripe gevonden die nog niet in het kasboek stond",
              data={"refunded_cents": found})
    return found


def refund(*, booking: Booking, amount_cents: int, kind: str, reason: str, actor, purpose: str,
           prefer_intent: str = "") -> list[PaymentEntry]:
    """Pay `amount_cents` back: through Stripe as far as Stripe holds this booking's money, the rest by the house
    (offline). Records the ledger lines and `booking.refunded_cents`; the caller holds the lock and saves.

    Before any refund Stripe is asked (`sync_stripe_refunds`): refunds made outside Zaalboek that the ledger lacked
    are recorded first and count against this refund. Then never more than the house still holds (`held_cents`),
    and through Stripe never more than each charge's amount − amount_refunded as Stripe reports it now.
    `prefer_intent` is refunded first (a late payment gives back its own money); then the newest payment.

    `purpose` names this refund within the booking (`cancel`, `deposit`, …): with the booking, the intent and the
    amount it is Stripe's idempotency key, so a retried refund is never paid twice.
    """
    entries: list[PaymentEntry] = []
    if amount_cents <= 0:
        return entries
    discovered = sync_stripe_refunds(booking=booking) if booking.payment_intent_id else 0
    amount = min(amount_cents - discovered, held_cents(booking))
    if amount <= 0:
        return entries
    remaining = amount
    stripe_left = min(amount, stripe_refundable_cents(booking))
    intents = charged_intents(booking)
    if prefer_intent in intents:
        intents = [prefer_intent, *[i for i in intents if i != prefer_intent]]
    for intent_id in intents:
        if stripe_left <= 0:
            break
        part = min(stripe_left, provider.refundable_cents(provider.charge_of_intent(intent_id)))
        if part <= 0:
            continue
        result = provider.create_refund(
            payment_intent_id=intent_id, amount_cents=part,
            idempotency_key=f"{_key(booking)}-refund-{purpose}-{intent_id}-{part}",
            metadata=provider.metadata_for(booking.pk, purpose=purpose))
        entries.append(ledger_entry(booking=booking, kind=kind, method=PaymentMode.STRIPE, amount_cents=part,
                                    stripe_id=result["id"], reason=reason, actor=actor))
        stripe_left -= part
        remaining -= part
    if remaining > 0:
        entries.append(ledger_entry(booking=booking, kind=kind, method=PaymentMode.OFFLINE, amount_cents=remaining,
                                    reason=reason, actor=actor))
    booking.refunded_cents += amount
    return entries


# --- Stripe events ---------------------------------------------------------------------------------------------

# Why an event was ignored (`StripeEvent.ignored`); the note adds the particulars.
IGNORED = {
    "unused_type": "soort gebeurtenis die Zaalboek niet gebruikt",
    "no_object": "gebeurtenis zonder Stripe-object",
    "foreign": "geen betaling van deze Zaalboek-installatie (kenmerk ontbreekt of is anders)",
    "unknown_booking": "geen boeking bij deze betaling",
    "not_own_intent": "niet de PaymentIntent van deze boeking",
    "wrong_currency": "andere valuta dan EUR",
    "wrong_amount": "ander bedrag dan gevraagd",
    "unknown_payment": "betaling staat niet in het kasboek",
}


class Ignored(Exception):
    """An event that is not about one of our payments (or not as we asked it): recorded, changes nothing."""

    def __init__(self, code: str, detail: str = ""):
        self.code = code
        self.note = f"genegeerd: {IGNORED[code]}" + (f" ({detail})" if detail else "")
        super().__init__(self.note)


def _booking_id_of(obj: dict[str, Any]) -> int | None:
    value = (obj.get("metadata") or {}).get("booking_id")
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _id(value: Any) -> str:
    """A Stripe reference as an id, whether it came expanded (an object) or not."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _check_currency(obj: dict[str, Any]) -> None:
    currency = str(obj.get("currency") or "").lower()
    if currency != provider.CURRENCY:
        raise Ignored("wrong_currency", currency.upper() or "geen")


def check_intent(intent: dict[str, Any], *, received: bool) -> Booking:
    """The booking this PaymentIntent pays, if it is one we made for it: our marker, the booking's own intent,
    EUR and the amount asked (with `received`, also the amount received). Raises `Ignored` otherwise."""
    if not provider.is_ours(intent.get("metadata")):
        raise Ignored("foreign", _id(intent))
    booking_id = _booking_id_of(intent)
    booking = Booking.objects.filter(pk=booking_id).first() if booking_id is not None else None
    if booking is None:
        raise Ignored("unknown_booking", f"{_id(intent)}, boeking {booking_id}")
    expected = own_intents(booking).get(_id(intent))
    if expected is None:
        raise Ignored("not_own_intent", f"{_id(intent)} voor boeking {booking.pk}")
    _check_currency(intent)
    amounts = [intent.get("amount")] + ([intent["amount_received"]] if received and intent.get("amount_received")
                                        is not None else [])
    if any(a != expected for a in amounts):
        raise Ignored("wrong_amount", f"{'/'.join(str(a) for a in amounts)} cent, gevraagd {expected}")
    return booking


def _paid_entry(intent_id: str) -> PaymentEntry:
    entry = (PaymentEntry.objects.filter(kind=LedgerKind.CHARGE, method=PaymentMode.STRIPE, stripe_id=intent_id)
             .first() if intent_id else None)
    if entry is None:
        raise Ignored("unknown_payment", intent_id or "geen PaymentIntent")
    return entry


def _check_ours_at_stripe(intent_id: str, booking_id: int) -> None:
    """Stripe's own record of the intent carries our marker and names this booking."""
    intent = provider.retrieve_payment_intent(intent_id)
    if not provider.is_ours(intent.get("metadata")) or _booking_id_of(intent) != booking_id:
        raise Ignored("foreign", intent_id)


def check_charge(charge: dict[str, Any]) -> Booking:
    """The booking whose payment this charge is: the ledger holds its PaymentIntent's payment, in EUR, for the
    charge's amount, and Stripe's record of the intent carries our marker. Raises `Ignored` otherwise."""
    entry = _paid_entry(_id(charge.get("payment_intent")))
    _check_currency(charge)
    if charge.get("amount") != entry.amount_cents:
        raise Ignored("wrong_amount", f"{charge.get('amount')} cent, betaald {entry.amount_cents}")
    _check_ours_at_stripe(entry.stripe_id, entry.booking_id)
    return entry.booking


def check_dispute(dispute: dict[str, Any]) -> tuple[Booking, PaymentEntry]:
    """The booking and the payment a dispute is about (as `check_charge`; the disputed amount at most the payment)."""
    intent_id = _id(dispute.get("payment_intent"))
    if not intent_id and _id(dispute.get("charge")):
        intent_id = _id(provider.retrieve_charge(_id(dispute.get("charge"))).get("payment_intent"))
    entry = _paid_entry(intent_id)
    _check_currency(dispute)
    amount = dispute.get("amount")
    if not isinstance(amount, int) or not 0 < amount <= entry.amount_cents:
        raise Ignored("wrong_amount", f"{amount} cent, betaald {entry.amount_cents}")
    _check_ours_at_stripe(entry.stripe_id, entry.booking_id)
    return entry.booking, entry


def _settle_checked(intent: dict[str, Any], *, source: str) -> str:
    """`_settle_succeeded` for an intent fetched from Stripe by our own id (payment start, sync): an intent that
    does not pass the checks is logged and left for the reconciliation, never booked."""
    try:
        return _settle_succeeded(intent, source=source)
    except Ignored as exc:
        log.warning("PaymentIntent %s not settled (%s): %s", intent.get("id"), source, exc.note)
        return exc.note


def _settle_succeeded(intent: dict[str, Any], *, source: str) -> str:
    """Book a succeeded PaymentIntent once (charge line keyed by its id) and confirm the booking; a payment for a
    booking that no longer awaits it (expired, cancelled, paid otherwise) is refunded in full. Returns a note; raises
    `Ignored` for an intent that is not one we made for the booking, as we asked it."""
    booking = check_intent(intent, received=True)
    booking_id = booking.pk
    with transaction.atomic():
        locked = lock_booking(booking)
        if PaymentEntry.objects.filter(kind=LedgerKind.CHARGE, stripe_id=intent["id"]).exists():
            return "al verwerkt"
        amount = int(intent["amount"])
        ledger_entry(booking=locked, kind=LedgerKind.CHARGE, method=PaymentMode.STRIPE, amount_cents=amount,
                     stripe_id=intent["id"], reason="iDEAL/kaart via Stripe")
        locked.paid_cents += amount
        if locked.status == BookingStatus.APPROVED:
            data = {"paid_cents": amount, "mode": "stripe", "payment_intent": intent["id"], "via": source}
            if locked.paid_cents < locked.total_cents:  # only when the price changed after the intent was made
                locked.updated_at = now()
                locked.save()
                audit(actor=None, action="booking.paid_partly", booking=locked, data=data)
                return "deels betaald"
            locked.confirmed_at = now()
            transition(locked, BookingStatus.CONFIRMED, actor=None, reason="Online betaald",
                       action="booking.paid", data=data)
            notifications.booking_confirmed(booking_id)
            return "boeking bevestigd"
        # Paid for a booking that no longer awaits payment: give this payment back, at once.
        refund(booking=locked, amount_cents=amount, kind=LedgerKind.REFUND, actor=None, purpose=f"late-{intent['id']}",
               prefer_intent=intent["id"],
               reason=f"Betaling ontvangen voor een boeking met status '{locked.get_status_display()}'")
        locked.updated_at = now()
        locked.save()
        audit(actor=None, action="booking.payment_refunded", booking=locked,
              reason="Betaling na verlopen, annuleren of dubbel betalen: volledig terugbetaald",
              data={"payment_intent": intent["id"], "amount_cents": amount})
        notifications.payment_refunded(booking_id, amount)
        return f"terugbetaald (status {locked.status})"


def _settle_failed(intent: dict[str, Any], event_id: str) -> str:
    """Record a failed attempt while the booking awaits payment; the booking stays approved, so the resident can
    try again. A failure that arrives after the booking was paid (out of order) changes nothing."""
    booking = check_intent(intent, received=False)
    booking_id = booking.pk
    with transaction.atomic():
        locked = lock_booking(booking)
        if locked.status != BookingStatus.APPROVED or PaymentEntry.objects.filter(
                kind=LedgerKind.CHARGE, stripe_id=intent["id"]).exists():
            return f"genegeerd (status {locked.status})"
        error = intent.get("last_payment_error") or {}
        charge_id = _id(error.get("charge")) or _id(intent.get("latest_charge"))
        stripe_id = charge_id or f"{intent['id']}/{event_id}"
        if PaymentEntry.objects.filter(kind=LedgerKind.FAILURE, stripe_id=stripe_id).exists():
            return "al verwerkt"
        message = error.get("message") or "Betaling mislukt"
        ledger_entry(booking=locked, kind=LedgerKind.FAILURE, method=PaymentMode.STRIPE,
                     amount_cents=int(intent.get("amount") or 0), stripe_id=stripe_id, reason=message)
        audit(actor=None, action="booking.payment_failed", booking=locked, reason=message,
              data={"payment_intent": intent["id"], "code": error.get("code") or ""})
        notifications.payment_failed(booking_id)
        return "mislukte betaling vastgelegd"


def _charge_refunded(charge: dict[str, Any], event_id: str) -> str:
    """A refund of one of our payments, wherever it was made: the ledger gets what it lacks (asked of Stripe, not
    read from the event, whose `refunds` list Stripe no longer includes by default). The booking keeps its status;
    a later cancellation refunds only what the house still holds."""
    booking = check_charge(charge)
    with transaction.atomic():
        locked = lock_booking(booking)
        found = sync_stripe_refunds(booking=locked)
        if not found:
            return "terugbetaling al in het kasboek"
        locked.save()
        return f"terugbetaling buiten Zaalboek vastgelegd ({found} cent)"


def _dispute_money(dispute: dict[str, Any], event_id: str, *, kind: str) -> str:
    """The payer's bank took a disputed payment back (`dispute`) or returned it after the house won
    (`dispute_reinstated`): one ledger line per dispute and direction, `refunded_cents` follows."""
    booking, entry = check_dispute(dispute)
    amount = int(dispute["amount"])
    with transaction.atomic():
        locked = lock_booking(booking)
        lines = PaymentEntry.objects.filter(booking=locked, stripe_id=dispute["id"])
        if lines.filter(kind=kind).exists():
            return "al verwerkt"
        if kind == LedgerKind.DISPUTE_REINSTATED and not lines.filter(kind=LedgerKind.DISPUTE).exists():
            return "niets teruggeboekt, dus niets terug te zetten"
        withdrawn = kind == LedgerKind.DISPUTE
        ledger_entry(booking=locked, kind=kind, method=PaymentMode.STRIPE, amount_cents=amount, stripe_id=dispute["id"],
                     reason=f"Betwisting ({dispute.get('reason') or 'onbekende reden'}): "
                            f"{'teruggeboekt door de bank' if withdrawn else 'gewonnen, bedrag teruggestort'}")
        locked.refunded_cents += amount if withdrawn else -amount
        locked.updated_at = now()
        locked.save()
        audit(actor=None, action="booking.dispute_funds", booking=locked,
              data={"dispute": dispute["id"], "payment_intent": entry.stripe_id, "amount_cents": amount,
                    "withdrawn": withdrawn})
    log.warning("Booking %s: dispute %s, %s cents %s", booking.pk, dispute["id"], amount,
                "withdrawn" if withdrawn else "reinstated")
    return f"betwisting: {amount} cent {'afgeschreven' if withdrawn else 'teruggestort'}"


def _dispute_noted(dispute: dict[str, Any], event_id: str) -> str:
    """A dispute opened, changed or closed: audited (for the board and the books) and logged; money moves only with
    the funds events."""
    booking, entry = check_dispute(dispute)
    status = str(dispute.get("status") or "")
    audit(actor=None, action="booking.disputed", booking=booking, reason=str(dispute.get("reason") or ""),
          data={"dispute": dispute["id"], "status": status, "amount_cents": dispute["amount"],
                "payment_intent": entry.stripe_id, "event": event_id})
    log.warning("Booking %s: dispute %s is %s (%s cents)", booking.pk, dispute["id"], status, dispute["amount"])
    return f"betwisting vastgelegd (status {status})"


HANDLERS = {
    "payment_intent.succeeded": lambda intent, event_id: _settle_succeeded(intent, source="webhook"),
    "payment_intent.payment_failed": _settle_failed,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_noted,
    "charge.dispute.updated": _dispute_noted,
    "charge.dispute.closed": _dispute_noted,
    "charge.dispute.funds_withdrawn": lambda d, e: _dispute_money(d, e, kind=LedgerKind.DISPUTE),
    "charge.dispute.funds_reinstated": lambda d, e: _dispute_money(d, e, kind=LedgerKind.DISPUTE_REINSTATED),
}


def stripe_event_handle(*, event: dict[str, Any]) -> tuple[StripeEvent, bool]:
    """Handle a verified webhook event exactly once; returns (the event record, whether it was a duplicate).

    The event id is stored in the same transaction as its effects: a replay or a second delivery changes nothing,
    and when handling fails (Stripe unreachable during a refund) nothing is stored, so Stripe's retry handles it.
    Event types Zaalboek does not use, and events that are not about one of our payments as we asked it, are
    recorded as ignored with the reason (`StripeEvent.ignored`, `note`) and acknowledged.
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
        try:
            if handler is None:
                raise Ignored("unused_type")
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                raise Ignored("no_object")
            record.note = handler(obj, event["id"])[:300]
            record.handled = True
        except Ignored as exc:
            record.ignored, record.note = exc.code, exc.note[:300]
            if exc.code not in ("unused_type", "foreign", "unknown_payment"):
                log.warning("Stripe event %s (%s) %s", event["id"], event["type"], exc.note)
        record.save(update_fields=["note", "handled", "ignored"])
        return record, False


def payment_sync(*, booking: Booking) -> str:
    """Ask Stripe about the booking's PaymentIntent and settle a success the webhook has not delivered yet.

    Returns the intent's status ('' without one). Used before an unpaid booking expires.
    """
    if not booking.payment_intent_id:
        return ""
    intent = provider.retrieve_payment_intent(booking.payment_intent_id)
    if intent["status"] == "succeeded":
        _settle_checked(intent, source="sync")
    return intent["status"]


def cancel_open_intent(payment_intent_id: str, *, retry_when_unavailable: bool = False) -> str:
    """After a booking stopped awaiting payment: cancel its unpaid PaymentIntent (a payment that still comes in is
    refunded by the webhook). Stripe refusing is logged; Stripe unreachable is logged too, or raised when the caller
    is a job that will try again (`retry_when_unavailable`). Returns what happened."""
    try:
        intent = provider.retrieve_payment_intent(payment_intent_id)
        if intent["status"] in PAYABLE_STATES:
            provider.cancel_payment_intent(payment_intent_id)
            return "cancelled"
        return f"left as {intent['status']}"
    except provider.PaymentProviderUnavailable as exc:
        if retry_when_unavailable:
            raise
        log.warning("Could not cancel PaymentIntent %s: %s", payment_intent_id, exc)
        return "stripe unavailable"
    except provider.PaymentProviderError as exc:
        log.warning("Could not cancel PaymentIntent %s: %s", payment_intent_id, exc)
        return "refused by stripe"


def cancel_open_intent_later(payment_intent_id: str) -> None:
    """Enqueue `cancel_open_intent` as a job in the current transaction (saved with the change, or not at all)."""
    from boeking.jobs.tasks import cancel_payment_intent

    cancel_payment_intent.enqueue(payment_intent_id)


def refund_later(booking: Booking) -> None:
    """Enqueue the refund a cancellation owes (`refund_cancellation`) in the current transaction: saved with the
    cancellation, or not at all. Nothing is enqueued when nothing is due."""
    if booking.refund_pending_cents > 0:
        from boeking.jobs.tasks import refund_cancellation as job

        job.enqueue(booking.pk)


def refund_cancellation(booking_id: int) -> str:
    """The job behind `refund_later`: pay back `Booking.refund_pending_cents` of a cancelled booking (Stripe first,
    the rest by the house), record it in the ledger and mail the booker. Returns what happened; raises
    `PaymentProviderUnavailable` while Stripe is unreachable, so the queue tries again later."""
    with transaction.atomic():
        booking = lock_booking(Booking.objects.get(pk=booking_id))
        due = booking.refund_pending_cents
        if due <= 0:
            return "nothing due" if booking.status == BookingStatus.CANCELLED else f"booking is {booking.status}"
        entries = refund(booking=booking, amount_cents=due, kind=LedgerKind.REFUND, actor=None, purpose="cancel",
                         reason="Terugbetaling na annulering")
        booking.updated_at = now()
        booking.save(update_fields=["refunded_cents", "updated_at"])
        by_stripe = sum(e.amount_cents for e in entries if e.method == PaymentMode.STRIPE)
        by_house = sum(e.amount_cents for e in entries if e.method != PaymentMode.STRIPE)
        if by_stripe or by_house:
            audit(actor=None, action="booking.refunded", booking=booking,
                  data={"stripe_cents": by_stripe, "house_cents": by_house})
            notifications.cancellation_refunded(booking.pk, by_stripe, by_house)
        return f"refunded {by_stripe} cents through Stripe, {by_house} cents by the house"


def ledger(booking: Booking) -> list[PaymentEntry]:
    return list(PaymentEntry.objects.filter(booking=booking).order_by("at", "pk"))


# --- reconciliation --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One way the ledger disagrees with the booking's own fields or with Stripe."""

    booking_id: int | None
    code: str
    text: str

    def __str__(self) -> str:
        return f"boeking #{self.booking_id}: {self.text}" if self.booking_id else self.text


@dataclass
class Reconciliation:
    since: dt.datetime
    bookings: int = 0
    stripe_checked: bool = False
    differences: list[Difference] = field(default_factory=list)


# Ignored events that may be about our own money (the others are other apps' business on a shared Stripe account).
SUSPICIOUS_IGNORED = ("unknown_booking", "not_own_intent", "wrong_currency", "wrong_amount")


def _compare_with_stripe(booking: Booking, found: list[Difference]) -> None:
    sums = PaymentEntry.objects.filter(booking=booking)
    charges = {e.stripe_id: e for e in sums.filter(kind=LedgerKind.CHARGE, method=PaymentMode.STRIPE)}
    ledger_refunds = {e.stripe_id: e for e in sums.filter(kind__in=STRIPE_REFUND_KINDS, method=PaymentMode.STRIPE)}
    disputes = set(sums.filter(kind=LedgerKind.DISPUTE).values_list("stripe_id", flat=True))
    asked = own_intents(booking)
    intents = [*asked, *[i for i in charges if i not in asked]]
    if booking.payment_intent_id and booking.payment_intent_id not in intents:
        intents.append(booking.payment_intent_id)
    seen_refunds: set[str] = set()

    def add(code: str, text: str) -> None:
        found.append(Difference(booking.pk, code, text))

    for intent_id in intents:
        intent = provider.retrieve_payment_intent(intent_id)
        entry = charges.get(intent_id)
        if intent.get("status") == "succeeded" and entry is None:
            add("payment_not_in_ledger", f"Stripe ontving {euro(int(intent.get('amount') or 0))} "
                                         f"({intent_id}), het kasboek niet")
        elif entry is not None and intent.get("status") != "succeeded":
            add("payment_not_at_stripe", f"het kasboek heeft {euro(entry.amount_cents)} van {intent_id}, "
                                         f"Stripe zegt '{intent.get('status')}'")
        elif entry is not None and int(intent.get("amount") or 0) != entry.amount_cents:
            add("payment_amount", f"{intent_id}: kasboek {euro(entry.amount_cents)}, "
                                  f"Stripe {euro(int(intent.get('amount') or 0))}")
        if intent.get("status") != "succeeded":
            continue
        if str(intent.get("currency") or "").lower() != provider.CURRENCY:
            add("payment_currency", f"{intent_id} is in {str(intent.get('currency')).upper()}")
        for stripe_refund in provider.list_refunds(intent_id):
            seen_refunds.add(stripe_refund["id"])
            counts = stripe_refund.get("status") not in ("failed", "canceled")
            line = ledger_refunds.get(stripe_refund["id"])
            if counts and line is None:
                add("refund_not_in_ledger", f"Stripe betaalde {euro(int(stripe_refund.get('amount') or 0))} terug "
                                            f"({stripe_refund['id']}), het kasboek niet")
            elif line is not None and not counts:
                add("refund_failed", f"terugbetaling {stripe_refund['id']} staat in het kasboek, maar is bij Stripe "
                                     f"'{stripe_refund.get('status')}'")
            elif line is not None and line.amount_cents != int(stripe_refund.get("amount") or 0):
                add("refund_amount", f"terugbetaling {stripe_refund['id']}: kasboek {euro(line.amount_cents)}, "
                                     f"Stripe {euro(int(stripe_refund.get('amount') or 0))}")
        charge = provider.charge_of_intent(intent_id)
        if charge and charge.get("disputed") and not disputes:
            add("dispute_not_in_ledger", f"de betaling {intent_id} wordt betwist; het kasboek heeft geen afboeking")
    for stripe_id, line in ledger_refunds.items():
        if stripe_id and stripe_id not in seen_refunds:
            add("refund_not_at_stripe", f"terugbetaling {stripe_id} ({euro(line.amount_cents)}) staat in het kasboek, "
                                        f"niet bij Stripe")


def reconcile(*, since: dt.datetime) -> Reconciliation:
    """Compare the ledger with each booking's own fields and with Stripe, for bookings with money activity since
    `since` or still to come; report, never change. Read-only and idempotent (run it as often as you like).

    Differences: the booking's paid/refunded/retained against its ledger lines; per PaymentIntent of the booking
    (those Zaalboek made, and those the ledger has a payment of): a payment Stripe received that the ledger lacks or
    the reverse, other amounts or currency; refunds at Stripe the ledger lacks (a dashboard refund whose webhook did
    not arrive), refunds in the ledger Stripe does not have or reports failed; a disputed payment without its
    dispute line; and ignored webhook events that named one of our bookings or intents (`SUSPICIOUS_IGNORED`).
    Stripe is asked only when it is configured; a booking Stripe will not answer about is itself a difference;
    Stripe unreachable raises `PaymentProviderUnavailable` (the run fails and is tried again).
    """
    report = Reconciliation(since=since)
    bookings = (Booking.objects.filter(Q(updated_at__gte=since) | Q(end__gte=since) | Q(payments__at__gte=since))
                .filter(Q(payments__isnull=False) | ~Q(payment_intent_id="")).distinct().order_by("pk"))
    report.stripe_checked = provider.stripe_configured()
    for booking in bookings:
        report.bookings += 1
        sums = LedgerSums.of(booking)
        for label, on_booking, in_ledger in (("betaald", booking.paid_cents, sums.paid_cents),
                                             ("terugbetaald", booking.refunded_cents, sums.refunded_cents),
                                             ("borg ingehouden", booking.deposit_retained_cents,
                                              sums.deposit_retained_cents)):
            if on_booking != in_ledger:
                report.differences.append(Difference(booking.pk, "booking_vs_ledger",
                                                     f"{label}: boeking {euro(on_booking)}, kasboek {euro(in_ledger)}"))
        if sums.refunded_cents + sums.deposit_retained_cents > sums.paid_cents:
            report.differences.append(Difference(
                booking.pk, "refunded_more_than_paid",
                f"terugbetaald {euro(sums.refunded_cents)} + ingehouden {euro(sums.deposit_retained_cents)} is meer "
                f"dan betaald {euro(sums.paid_cents)}"))
        if report.stripe_checked and (booking.payment_intent_id or sums.stripe_held_cents
                                      or booking.payments.filter(method=PaymentMode.STRIPE).exists()):
            try:
                _compare_with_stripe(booking, report.differences)
            except provider.PaymentProviderError as exc:  # e.g. an intent Stripe does not know (other keys)
                report.differences.append(Difference(booking.pk, "stripe_refused",
                                                     f"niet te vergelijken met Stripe: {exc.detail}"))
    for event in StripeEvent.objects.filter(received_at__gte=since, ignored__in=SUSPICIOUS_IGNORED).order_by(
            "received_at"):
        report.differences.append(Difference(None, "ignored_event",
                                             f"Stripe-gebeurtenis {event.event_id} ({event.type}) {event.note}"))
    return report


__all__ = ["IGNORED", "Difference", "Ignored", "LedgerSums", "PaymentStart", "Reconciliation", "cancel_open_intent",
           "held_cents", "ledger", "ledger_entry", "outstanding_cents", "payment_start", "payment_sync", "reconcile",
           "refund", "stripe_event_handle", "sync_stripe_refunds"]

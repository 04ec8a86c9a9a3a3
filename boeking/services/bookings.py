"""Every state change of a booking. Keyword-only, one transaction each, audited. Mail is enqueued as a task in the
same transaction (boeking.notifications: the job commits with the change); Stripe follow-ups run on commit.

Views, serializers, admin actions and commands call these; nothing else sets `Booking.status`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from boeking import access, bounds, notifications, pricing, rules, states
from boeking import payments as provider
from boeking.clock import elapsed, local, now
from boeking.errors import InvalidInput, InvalidTransition, NotAllowed
from boeking.models import (
    PRIVATE_KINDS,
    AutoApproval,
    Booking,
    BookingKind,
    BookingStatus,
    LedgerKind,
    Melding,
    PaymentMode,
    Room,
    RuleSettings,
)

from . import payments as pay
from .audit import audit
from .transitions import lock_booking, lock_house, transition

MAX_GUESTS = 10_000  # no room holds more; bounds the number before any rule reads it


@dataclass(frozen=True)
class Quote:
    price: pricing.Price
    rules: list[rules.RuleResult]

    @property
    def ok(self) -> bool:
        return not rules.failures(self.rules)


def _validate_shape(*, room: Room, kind: str, start: dt.datetime, end: dt.datetime, guests: int) -> None:
    """Input that can never make a booking: refused before any rule runs (bounds: `boeking.bounds`)."""
    if kind not in BookingKind.values:
        raise InvalidInput("invalid_kind", f"Onbekende soort boeking: {kind!r}. Kies uit {', '.join(BookingKind.values)}.")
    bounds.check_period(start, end)
    if elapsed(start, end) > dt.timedelta(days=2):
        raise InvalidInput("too_long", "Een boeking duurt hoogstens 48 uur.")
    if isinstance(guests, bool) or not isinstance(guests, int) or not 1 <= guests <= MAX_GUESTS:
        raise InvalidInput("invalid_guests", f"Het aantal gasten moet tussen 1 en {MAX_GUESTS} liggen.")


def _price(*, room: Room, kind: str, start: dt.datetime, end: dt.datetime) -> pricing.Price:
    return pricing.quote_price(room=room, kind=kind, start=start, end=end)  # community: free (see pricing)


def booking_quote(*, booker, room: Room, kind: str, start: dt.datetime, end: dt.datetime, guests: int,
                  alcohol: bool = False) -> Quote:
    """Price and rule results for a candidate booking. Writes nothing."""
    _validate_shape(room=room, kind=kind, start=start, end=end, guests=guests)
    candidate = rules.Candidate(room=room, kind=kind, start=start, end=end, guests=guests, booker=booker,
                                requested_at=now())
    return Quote(price=_price(room=room, kind=kind, start=start, end=end), rules=rules.evaluate(candidate))


def booking_request(*, booker, room: Room, kind: str, start: dt.datetime, end: dt.datetime, guests: int,
                    alcohol: bool = False, title: str = "", notes: str = "") -> Booking:
    """Create a booking in `requested` (or, when a volunteer of the house books a non-private kind, directly
    `confirmed`). Raises `InvalidInput`, `RuleViolation`, `SlotTaken` or `CapReached` and then writes nothing."""
    if booker is None or not booker.is_authenticated:
        raise NotAllowed(detail="Log in om te boeken.")
    if access.email_unverified(booker):  # issue 17: a resident books once their address is verified
        from boeking.accounts import EMAIL_UNVERIFIED

        raise NotAllowed("email_unverified", EMAIL_UNVERIFIED)
    _validate_shape(room=room, kind=kind, start=start, end=end, guests=guests)
    title = bounds.check_text(title, field="title")
    notes = bounds.check_text(notes, field="notes")
    settings = RuleSettings.current()
    automatic = _approves_automatically(booker, room, kind)
    try:
        return _request_in_transaction(booker=booker, room=room, kind=kind, start=start, end=end, guests=guests,
                                       alcohol=alcohol, title=title, notes=notes, settings=settings,
                                       automatic=automatic)
    except IntegrityError as exc:
        # PostgreSQL's exclusion constraint: another request took the slot between our check and insert. Caught
        # outside the transaction, which rolled back whole: no savepoint around the insert.
        if "booking_no_overlap" in str(exc):
            from boeking.errors import SlotTaken

            raise SlotTaken(detail="De zaal is zojuist door iemand anders geboekt.") from exc
        raise


def _request_in_transaction(*, booker, room: Room, kind: str, start: dt.datetime, end: dt.datetime, guests: int,
                            alcohol: bool, title: str, notes: str, settings: RuleSettings, automatic: bool) -> Booking:
    """The writing half of `booking_request`: rules, insert, audit, mail job (and an approval) in one transaction.
    What the rules and the price read about the room comes in one statement (`rules.load_room_data`)."""
    with transaction.atomic():
        if automatic:
            lock_house(room.house_id)  # an automatic approval counts caps under the house lock, like the board's
        moment = now()
        candidate = rules.Candidate(room=room, kind=kind, start=start, end=end, guests=guests, booker=booker,
                                    requested_at=moment)
        data = rules.load_room_data(room, start, end, settings=settings, booker=booker)
        results = rules.evaluate(candidate, data=data)
        rules.raise_for_failures(results)
        price = pricing.quote_price(room=room, kind=kind, start=start, end=end, tariffs=data.tariffs)
        profile = getattr(booker, "profile", None)
        booking = Booking(
            room=room, house_id=room.house_id, kind=kind, start=start, end=end,
            blocked_until=end + dt.timedelta(minutes=room.buffer_minutes), local_year=local(start).year,
            guests=guests, alcohol=bool(alcohol), title=title, notes=notes,
            booker=booker, booker_name=booker.get_full_name() or booker.email or booker.username,
            booker_email=booker.email, booker_phone=profile.phone if profile else "",
            booker_postcode=profile.postcode if profile else "",
            organisation=profile.organisation if profile else "",
            price_lines=price.lines, rental_cents=price.rental_cents, deposit_cents=price.deposit_cents,
            total_cents=price.total_cents, payment_mode=provider.mode_for_house(room.house),
            rule_results=[r.as_dict() for r in results],
            created_at=moment, updated_at=moment,
            decision_deadline=min(moment + dt.timedelta(days=settings.decision_days), start),
        )
        booking.save()
        audit(actor=booker, action="booking.requested", booking=booking, to_status=booking.status,
              data={"kind": kind, "start": start.isoformat(), "end": end.isoformat()})
        notifications.booking_requested(booking.pk)  # a job saved with the booking; the worker mails after commit
        if kind not in PRIVATE_KINDS and access.is_volunteer(booker, room.house_id):
            # The board books its own house: no one else to approve it.
            booking = _approve_locked(booking=booking, actor=booker, settings=settings,
                                      reason="Geboekt door het bestuur")
        elif automatic and all(r.outcome == rules.PASS for r in results):
            # The house chose "approve at once when every rule passes" for this kind; a warning leaves it to the board.
            booking = _approve_locked(booking=booking, actor=None, settings=settings, reason=AUTO_APPROVAL_REASON,
                                      automatic=True)
    return booking


AUTO_APPROVAL_REASON = "Automatisch goedgekeurd volgens de instelling van het huis"


def _approves_automatically(booker, room: Room, kind: str) -> bool:
    """The house approves this kind at once (`AutoApproval`), and the booker is not its board (who books directly)."""
    return (not access.is_volunteer(booker, room.house_id)
            and AutoApproval.objects.filter(house_id=room.house_id, kind=kind).exists())


def _approve_locked(*, booking: Booking, actor, settings: RuleSettings, reason: str = "",
                    automatic: bool = False) -> Booking:
    """Approve `booking` (already locked, house locked) after re-running the rules. Free bookings are confirmed."""
    results = rules.evaluate_for_decision(booking, settings=settings)
    # One error for the first failing rule, plain rules before slot and cap: `cap_reached` (409) only when the cap
    # is what stands in the way, never when, say, a closure does too.
    rules.raise_for_failures(results)
    booking.rule_results = [r.as_dict() for r in results]
    booking.decided_at = now()
    booking.decided_by = actor
    booking.decision_reason = reason
    booking.payment_mode = provider.mode_for_house(booking.room.house)
    if booking.total_cents == 0 or booking.series_id:
        # Free, or a date of a series (associations settle by invoice): confirmed at once.
        booking.confirmed_at = booking.decided_at
        transition(booking, BookingStatus.CONFIRMED, actor=actor, reason=reason, action="booking.approved",
                   data={"automatic": True} if automatic else None)
    else:
        booking.payment_deadline = payment_deadline_for(booking, approved_at=booking.decided_at, settings=settings)
        transition(booking, BookingStatus.APPROVED, actor=actor, reason=reason, action="booking.approved",
                    data={"payment_deadline": booking.payment_deadline.isoformat(), "payment_mode": booking.payment_mode,
                          **({"automatic": True} if automatic else {})})
    if booking.kind in (BookingKind.PARTY, BookingKind.GATHERING):
        melding = Melding.objects.create(booking=booking, house_id=booking.house_id, kind=booking.kind,
                                         start=booking.start, end=booking.end, guests=booking.guests,
                                         alcohol=booking.alcohol, created_at=booking.decided_at)
        notifications.melding_created(melding.pk)
    notifications.booking_approved(booking.pk)  # "approved", or "confirmed" once paid: the mail decides when it runs
    return booking


def payment_deadline_for(booking: Booking, *, approved_at: dt.datetime, settings: RuleSettings) -> dt.datetime:
    """`payment_days` (default 7) after approval, rounded up to the next full hour (a time people use: "uiterlijk
    zo 06-12-2026 08:00", not "07:21"; Amsterdam's offset is whole hours, so a full UTC hour is a full local hour),
    and never after the start; a koffietafel (days after a death, often booked a day ahead) is paid before it
    starts."""
    if booking.kind == BookingKind.KOFFIETAFEL:
        return booking.start
    due = approved_at + dt.timedelta(days=settings.payment_days)
    hour = due.replace(minute=0, second=0, microsecond=0)
    if hour != due:
        hour += dt.timedelta(hours=1)
    return min(hour, booking.start)


def booking_approve(*, booking: Booking, actor, reason: str = "") -> Booking:
    """Approve a request. Under the house lock the rules run again, so concurrent approvals never exceed a cap
    (`CapReached`, 409) and a slot is never given twice. After the decision deadline the request is expired, not
    approvable (`decision_deadline_passed`, 409)."""
    _require_volunteer(actor, booking)
    with transaction.atomic():
        locked = lock_booking(booking, house=True)
        if refusal := states.decide_refusal(locked, now()):
            raise refusal
        return _approve_locked(booking=locked, actor=actor, settings=RuleSettings.current(), reason=reason)


def booking_reject(*, booking: Booking, actor, reason: str) -> Booking:
    _require_volunteer(actor, booking)
    reason = bounds.check_text(reason, field="reason", required=True,
                               required_message="Geef een reden voor de afwijzing.")
    with transaction.atomic():
        locked = lock_booking(booking)
        if refusal := states.reject_refusal(locked, now()):
            raise refusal
        locked.decided_at = now()
        locked.decided_by = actor
        locked.decision_reason = reason
        transition(locked, BookingStatus.REJECTED, actor=actor, reason=reason, action="booking.rejected")
        notifications.booking_rejected(locked.pk)
        return locked


def booking_cancel(*, booking: Booking, actor, reason: str = "") -> Booking:
    """Cancel by the booker or a volunteer. Terms of SPEC §4 (`pricing.cancellation_terms`) are recorded on the
    booking: the fee due, and the refund of the rest of what the house holds, which a job pays back (through Stripe
    for what Stripe holds, else by the house; `Booking.refund_pending_cents` until it ran) — so cancelling never
    waits for Stripe, and Stripe being down delays the refund, not the cancellation. A melding is withdrawn; an
    unpaid PaymentIntent is cancelled by a job too."""
    if not access.can_cancel(actor, booking):
        raise NotAllowed(detail="Alleen de aanvrager of het bestuur kan deze boeking annuleren.")
    by_volunteer = access.can_manage_house(actor, booking.house_id)
    reason = bounds.check_text(reason, field="reason")
    with transaction.atomic():
        locked = lock_booking(booking)
        # Before any refund: a second cancel must never send money again (Stripe keys expire after 24 h).
        if refusal := states.cancel_refusal(locked, now()):
            raise refusal
        settings = RuleSettings.current()
        terms = pricing.cancellation_terms(locked, at=now(), by_volunteer=by_volunteer,
                                           free_days=settings.free_cancellation_days)
        was_awaiting_payment = locked.status == BookingStatus.APPROVED
        locked.cancelled_at = now()
        locked.cancellation_fee_cents = terms.fee_cents
        transition(locked, BookingStatus.CANCELLED, actor=actor, reason=reason, action="booking.cancelled",
                    data={"fee_cents": terms.fee_cents, "refund_cents": terms.refund_cents,
                          "by_volunteer": by_volunteer})
        _withdraw_melding(locked)
        notifications.booking_cancelled(locked.pk)
        pay.refund_later(locked)  # terms.refund_cents: the job pays back what is then still due
        _cancel_open_intent_on_commit(locked, was_awaiting_payment)
    if terms.refund_cents:
        locked.refresh_from_db(fields=["refunded_cents"])  # a queue that runs jobs at once (tests) already paid
    return locked


def _cancel_open_intent_on_commit(booking: Booking, was_awaiting_payment: bool) -> None:
    if was_awaiting_payment and booking.payment_intent_id and booking.payment_mode == PaymentMode.STRIPE:
        intent_id = booking.payment_intent_id
        pay.cancel_open_intent_later(intent_id)  # a job, saved with the change; retried while Stripe is down


def booking_mark_paid(*, booking: Booking, actor, reason: str = "") -> Booking:
    """A volunteer records an offline payment (on site or by bank transfer) of what is still due; the booking is
    confirmed and the payment is a ledger line. After the payment deadline the booking expires instead
    (`payment_deadline_passed`, 409)."""
    _require_volunteer(actor, booking)
    reason = bounds.check_text(reason, field="reason")
    with transaction.atomic():
        locked = lock_booking(booking)
        if refusal := states.pay_refusal(locked, now()):
            raise refusal
        amount = pay.outstanding_cents(locked)
        if amount:
            pay.ledger_entry(booking=locked, kind=LedgerKind.CHARGE, method=PaymentMode.OFFLINE, amount_cents=amount,
                             reason=reason or "Betaling ontvangen (offline)", actor=actor)
        locked.paid_cents += amount
        locked.confirmed_at = now()
        transition(locked, BookingStatus.CONFIRMED, actor=actor, reason=reason or "Betaling ontvangen (offline)",
                    action="booking.paid", data={"paid_cents": amount, "mode": "offline"})
        _cancel_open_intent_on_commit(locked, True)  # paid on site: the online payment must not take money too
        notifications.booking_confirmed(locked.pk)
        return locked


def booking_refund_deposit(*, booking: Booking, actor, retain_cents: int = 0, reason: str = "") -> Booking:
    """After the event a volunteer returns the deposit, retaining part (with a reason) for damage. The refund goes
    through Stripe when the booking was paid there (else the house pays it back); ledger lines `deposit_refund` and
    `deposit_retained`. Stripe unreachable: 503 `payment_provider_unavailable`, nothing changes."""
    _require_volunteer(actor, booking)
    reason = bounds.check_text(reason, field="reason")
    with transaction.atomic():
        locked = lock_booking(booking)
        if refusal := states.settle_deposit_refusal(locked, now()):
            raise refusal
        bounds.check_cents(retain_cents, field="ingehouden borg", maximum=locked.deposit_cents)
        if retain_cents and not reason:
            raise InvalidInput("reason_required", "Geef een reden voor het inhouden van (een deel van) de borg.")
        # Only money the house holds goes back (a deposit never paid is not refunded).
        to_refund = min(locked.deposit_cents - retain_cents, max(locked.paid_cents - locked.refunded_cents, 0))
        pay.refund(booking=locked, amount_cents=to_refund, kind=LedgerKind.DEPOSIT_REFUND, actor=actor,
                   purpose="deposit", reason="Borg terug" + (f" (deels ingehouden: {reason})" if retain_cents else ""))
        if retain_cents:
            pay.ledger_entry(booking=locked, kind=LedgerKind.DEPOSIT_RETAINED, method=locked.payment_mode,
                             amount_cents=retain_cents, reason=reason, actor=actor)
        locked.deposit_retained_cents = retain_cents
        locked.deposit_settled_at = now()
        locked.updated_at = now()
        locked.save()
        audit(actor=actor, action="booking.deposit_refunded", booking=locked, reason=reason,
              data={"retained_cents": retain_cents, "refunded_cents": to_refund})
        notifications.deposit_settled(locked.pk, to_refund, reason)
        return locked


def booking_expire(*, booking: Booking) -> Booking:
    """A request not decided in time, or an approval not paid in time, expires and frees the slot."""
    with transaction.atomic():
        locked = lock_booking(booking)
        if not states.can_expire(locked, now()):
            raise InvalidTransition(detail="Deze boeking is (nog) niet verlopen.")
        reason = "Niet op tijd beoordeeld" if locked.status == BookingStatus.REQUESTED else "Niet op tijd betaald"
        was_awaiting_payment = locked.status == BookingStatus.APPROVED
        transition(locked, BookingStatus.EXPIRED, actor=None, reason=reason, action="booking.expired")
        _withdraw_melding(locked)
        notifications.booking_expired(locked.pk)
        _cancel_open_intent_on_commit(locked, was_awaiting_payment)
        return locked


def expire_overdue() -> list[Booking]:
    """Expire every overdue request and unpaid approval; returns the expired bookings.

    Before an unpaid Stripe booking expires, Stripe is asked about its PaymentIntent: a payment whose webhook has
    not arrived yet confirms the booking, one still processing keeps it for the next run, and when Stripe cannot be
    reached the booking waits for the next run too (a paid booking must never lose its slot)."""
    moment = now()
    due = Booking.objects.filter(status=BookingStatus.REQUESTED, decision_deadline__lte=moment) | Booking.objects.filter(
        status=BookingStatus.APPROVED, payment_deadline__lte=moment)
    expired = []
    for booking in due.order_by("pk"):
        if booking.status == BookingStatus.APPROVED and booking.payment_intent_id:
            try:
                if pay.payment_sync(booking=booking) in ("succeeded", "processing", "requires_capture"):
                    continue
            except (provider.PaymentProviderUnavailable, provider.PaymentProviderError):
                continue
        try:
            expired.append(booking_expire(booking=booking))
        except InvalidTransition:
            continue  # decided or paid meanwhile
    return expired


def _withdraw_melding(booking: Booking) -> None:
    melding = Melding.objects.filter(booking=booking, withdrawn_at__isnull=True).first()
    if melding:
        melding.withdrawn_at = now()
        melding.save(update_fields=["withdrawn_at"])
        notifications.melding_withdrawn(melding.pk)


def _require_volunteer(user, booking: Booking) -> None:
    if not access.can_decide(user, booking):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan dit doen.")


__all__ = [
    "Quote", "booking_quote", "booking_request", "booking_approve", "booking_reject", "booking_cancel",
    "booking_mark_paid", "booking_refund_deposit", "booking_expire", "expire_overdue", "payment_deadline_for",
]

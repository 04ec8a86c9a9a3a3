"""Payments: which mode a house uses, the one Stripe client, and the municipality's revenue totals.

Modes (SPEC §5): `offline` (default: pay on site or by bank transfer, a volunteer marks it paid) and `stripe`
(only when STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are set). A house may override the installation's mode.
Everything that talks to Stripe goes through the functions below; they raise `PaymentProviderUnavailable` (503)
when Stripe cannot be reached, so callers roll back and the user can retry. State changes live in
`boeking.services.payments`.

Zaalboek's marker: every PaymentIntent and refund Zaalboek makes carries `metadata[zaalboek]` = `stripe_marker()`
(`ZAALBOEK_STRIPE_MARKER`, default `zaalboek`; give each installation that shares a Stripe account its own) and
`metadata[booking_id]`. An event about an intent without our marker is not ours and is ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import stripe
from django.conf import settings
from django.db.models import Q, Sum

from .clock import local_midnight
from .errors import DomainError
from .models import House, LedgerKind, PaymentEntry, PaymentMode

log = logging.getLogger(__name__)

# The one place that says how a PaymentIntent is made. Real Stripe and localstripe (the test fake) accept the same
# parameters: explicit `payment_method_types` (iDEAL and card; iDEAL needs EUR) rather than
# `automatic_payment_methods`, which localstripe refuses. No `description`/`receipt_email`: localstripe refuses
# those too, and the booking id and our marker travel in the metadata (any keys: both accept them).
PAYMENT_METHOD_TYPES = ["ideal", "card"]
CURRENCY = "eur"
TIMEOUT_SECONDS = 10


class PaymentProviderUnavailable(DomainError):
    """Stripe could not be reached (or answered with a server error). Nothing was changed; try again later."""

    code = "payment_provider_unavailable"
    http_status = 503


class PaymentProviderError(DomainError):
    """Stripe refused a request (e.g. a refund larger than the charge). Nothing was changed."""

    code = "payment_provider_error"
    http_status = 502


class InvalidSignature(DomainError):
    code = "invalid_signature"
    http_status = 400


# --- mode ------------------------------------------------------------------------------------------------------


def stripe_configured() -> bool:
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def installation_mode() -> str:
    """`ZAALBOEK_PAYMENT_MODE`, but never `stripe` without both keys."""
    mode = getattr(settings, "ZAALBOEK_PAYMENT_MODE", PaymentMode.OFFLINE)
    return PaymentMode.STRIPE if mode == PaymentMode.STRIPE and stripe_configured() else PaymentMode.OFFLINE


def mode_for_house(house: House) -> str:
    """The house's own mode when it has one (`stripe` only when Stripe is configured), else the installation's."""
    if house.payment_mode == PaymentMode.OFFLINE:
        return PaymentMode.OFFLINE
    if house.payment_mode == PaymentMode.STRIPE:
        return PaymentMode.STRIPE if stripe_configured() else PaymentMode.OFFLINE
    return installation_mode()


# --- the Stripe client -----------------------------------------------------------------------------------------


def client() -> stripe.StripeClient:
    """A client for the configured key, pointed at STRIPE_API_BASE when set (e.g. localstripe in the tests).

    Read from settings on every call, so tests (and a reconfigured process) never see a stale base or key. One
    network retry: every write carries an idempotency key, so a retry can never charge or refund twice.
    """
    base = settings.STRIPE_API_BASE or stripe.DEFAULT_API_BASE
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base},
        max_network_retries=1,
        http_client=stripe.RequestsClient(timeout=TIMEOUT_SECONDS),
    )


def _call(what: str, fn, *args, **kwargs):
    """Run one Stripe call; map its errors to domain errors with stable codes."""
    try:
        return fn(*args, **kwargs)
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        log.warning("Stripe unreachable (%s): %s", what, exc)
        raise PaymentProviderUnavailable(
            detail="De betaaldienst is nu niet bereikbaar. Er is niets veranderd; probeer het over een paar minuten "
                   "opnieuw.") from exc
    except stripe.StripeError as exc:
        status = getattr(exc, "http_status", None) or 0
        log.warning("Stripe error (%s, HTTP %s): %s", what, status, exc)
        if status >= 500:
            raise PaymentProviderUnavailable(
                detail="De betaaldienst heeft een storing. Er is niets veranderd; probeer het later opnieuw.") from exc
        raise PaymentProviderError(detail=f"De betaaldienst weigerde het verzoek ({what}).") from exc


def stripe_marker() -> str:
    """This installation's mark on its Stripe objects (`metadata[zaalboek]`)."""
    return getattr(settings, "ZAALBOEK_STRIPE_MARKER", "") or "zaalboek"


def metadata_for(booking_id: int, **extra: str) -> dict[str, str]:
    return {"zaalboek": stripe_marker(), "booking_id": str(booking_id), **extra}


def is_ours(metadata: dict[str, Any] | None) -> bool:
    """The metadata carries this installation's marker. Intents made before the marker existed carry
    `app=zaalboek` instead; they are accepted too, as every event must still name the booking's own intent."""
    metadata = metadata or {}
    if "zaalboek" in metadata:
        return metadata["zaalboek"] == stripe_marker()
    return metadata.get("app") == "zaalboek"


def payment_intent_params(*, booking_id: int, amount_cents: int) -> dict[str, Any]:
    """The parameters of the PaymentIntent for a booking (see PAYMENT_METHOD_TYPES for why these)."""
    return {
        "amount": amount_cents,
        "currency": CURRENCY,
        "payment_method_types": list(PAYMENT_METHOD_TYPES),
        "metadata": metadata_for(booking_id),
    }


def create_payment_intent(*, booking_id: int, amount_cents: int, idempotency_key: str) -> dict[str, Any]:
    pi = _call("PaymentIntent aanmaken", client().v1.payment_intents.create,
               params=payment_intent_params(booking_id=booking_id, amount_cents=amount_cents),
               options={"idempotency_key": idempotency_key})
    return pi.to_dict()


def retrieve_payment_intent(payment_intent_id: str) -> dict[str, Any]:
    return _call("PaymentIntent ophalen", client().v1.payment_intents.retrieve, payment_intent_id).to_dict()


def cancel_payment_intent(payment_intent_id: str) -> dict[str, Any]:
    return _call("PaymentIntent annuleren", client().v1.payment_intents.cancel, payment_intent_id).to_dict()


def create_refund(*, payment_intent_id: str, amount_cents: int, idempotency_key: str,
                  metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """Refund `amount_cents` of a PaymentIntent's charge. (No `reason` parameter: localstripe refuses it; our reason
    goes in the metadata and the ledger.)"""
    params = {"payment_intent": payment_intent_id, "amount": amount_cents, "metadata": metadata or {}}
    return _call("terugbetalen", client().v1.refunds.create, params=params,
                 options={"idempotency_key": idempotency_key}).to_dict()


def retrieve_charge(charge_id: str) -> dict[str, Any]:
    return _call("betaling ophalen", client().v1.charges.retrieve, charge_id).to_dict()


def charge_of_intent(payment_intent_id: str) -> dict[str, Any] | None:
    """The PaymentIntent's latest charge as Stripe has it now (amount, amount_refunded, disputed), or None when the
    intent was never charged. Real Stripe gives `latest_charge` as an id, localstripe as the object: both work."""
    intent = retrieve_payment_intent(payment_intent_id)
    charge = intent.get("latest_charge")
    if not charge:
        return None
    return retrieve_charge(charge["id"] if isinstance(charge, dict) else charge)


def refundable_cents(charge: dict[str, Any] | None) -> int:
    """What Stripe can still refund of a charge: amount − amount_refunded; nothing of a failed or disputed charge
    (a disputed payment is settled by the dispute, not by a refund)."""
    if not charge or charge.get("status") == "failed" or charge.get("disputed"):
        return 0
    return max(int(charge.get("amount") or 0) - int(charge.get("amount_refunded") or 0), 0)


def list_refunds(payment_intent_id: str) -> list[dict[str, Any]]:
    """Every refund of the PaymentIntent's charge, as Stripe has them (made by Zaalboek or in the dashboard)."""
    page = _call("terugbetalingen ophalen", client().v1.refunds.list,
                 params={"payment_intent": payment_intent_id, "limit": 100})
    return [refund.to_dict() for refund in _call("terugbetalingen ophalen", lambda: list(page.auto_paging_iter()))]


def verify_webhook(payload: bytes, signature_header: str | None) -> dict[str, Any]:
    """Check Stripe's signature (HMAC-SHA256 over `t.payload`, within 5 minutes) and return the event as a dict.

    Raises `InvalidSignature` (400) when the secret is not configured, the header is missing or wrong, or the
    payload is not a JSON event.
    """
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidSignature("webhook_not_configured", "Stripe-webhooks zijn op deze installatie niet ingesteld.")
    try:
        stripe.WebhookSignature.verify_header(payload.decode("utf-8"), signature_header, secret, tolerance=300)
    except (stripe.SignatureVerificationError, UnicodeDecodeError) as exc:
        raise InvalidSignature(detail="Ongeldige Stripe-handtekening.") from exc
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise InvalidSignature("invalid_payload", "Geen geldige Stripe-gebeurtenis.") from exc
    if not isinstance(event, dict) or not isinstance(event.get("id"), str) or not isinstance(event.get("type"), str):
        raise InvalidSignature("invalid_payload", "Geen geldige Stripe-gebeurtenis.")
    return event


# --- revenue for the municipality -------------------------------------------------------------------------------


def revenue_per_house(year: int) -> list[dict[str, Any]]:
    """Money per house in one calendar year (Europe/Amsterdam date of each ledger line), aggregates only.

    Every house is listed (zeros when nothing happened), ordered by name, as
    `{house_id, house, charged_cents, refunded_cents, deposit_retained_cents, invoiced_cents, net_cents}`:
    charged = payments received; refunded = refunds incl. returned deposits and payments the payer's bank took back
    (disputes lost, minus disputes won); deposit_retained = deposits kept (already inside net, listed for
    information); invoiced = association income invoiced in the year (invoices − credit notes, by issue date;
    boeking.invoicing); net = charged − refunded + invoiced.
    """
    from boeking.invoicing.services import invoiced_income_per_house

    invoiced = invoiced_income_per_house(year)
    start, end = local_midnight(dt.date(year, 1, 1)), local_midnight(dt.date(year + 1, 1, 1))
    lines = PaymentEntry.objects.filter(at__gte=start, at__lt=end)
    totals = {
        row["booking__house"]: row
        for row in lines.values("booking__house").annotate(
            charged=Sum("amount_cents", filter=Q(kind=LedgerKind.CHARGE)),
            refunded=Sum("amount_cents", filter=Q(kind__in=[LedgerKind.REFUND, LedgerKind.DEPOSIT_REFUND,
                                                            LedgerKind.DISPUTE])),
            reinstated=Sum("amount_cents", filter=Q(kind=LedgerKind.DISPUTE_REINSTATED)),
            retained=Sum("amount_cents", filter=Q(kind=LedgerKind.DEPOSIT_RETAINED)),
        )
    }
    result = []
    for house_id, name in House.objects.order_by("name", "pk").values_list("pk", "name"):
        row = totals.get(house_id, {})
        charged = row.get("charged") or 0
        refunded = (row.get("refunded") or 0) - (row.get("reinstated") or 0)
        income = invoiced.get(house_id, 0)
        result.append({"house_id": house_id, "house": name, "charged_cents": charged, "refunded_cents": refunded,
                       "deposit_retained_cents": row.get("retained") or 0, "invoiced_cents": income,
                       "net_cents": charged - refunded + income})
    return result

"""Stripe for the payment tests: a real localstripe server on a free loopback port, for the whole session.

`localstripe` fakes Stripe's API (PaymentIntents, refunds, webhooks with real signatures). The `stripe` fixture
points the settings at it; tests that cannot start it are skipped with the reason.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
import stripe as stripe_lib

SECRET_KEY = "sk_test_zaalboek"
PUBLISHABLE_KEY = "pk_test_zaalboek"
WEBHOOK_SECRET = "whsec_zaalboek_test"
WEBHOOK = "http://127.0.0.1:{port}/_config/webhooks/zaalboek"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(port: int) -> list[str]:
    script = Path(sys.executable).parent / "localstripe"
    found = str(script) if script.exists() else shutil.which("localstripe")
    base = [found] if found else [sys.executable, "-m", "localstripe"]
    return [*base, "--from-scratch", "--port", str(port)]


@pytest.fixture(scope="session")
def localstripe():
    """The base URL of a running localstripe (started here, stopped at the end of the session)."""
    port = free_port()
    try:
        process = subprocess.Popen(_command(port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except OSError as exc:
        pytest.skip(f"localstripe cannot start: {exc}")
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if requests.get(f"{base}/v1/payment_intents", auth=(SECRET_KEY, ""), timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.skip(f"localstripe did not answer on {base} (exit code {process.poll()})")
        time.sleep(0.1)
    yield base
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def stripe_on(settings, localstripe):
    """Stripe mode for the whole installation, against localstripe."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe
    settings.ZAALBOEK_PAYMENT_MODE = "stripe"
    client = stripe_lib.StripeClient(SECRET_KEY, base_addresses={"api": localstripe})
    return SimpleNamespace(base=localstripe, client=client)


@pytest.fixture
def webhook_to(localstripe):
    """`webhook_to(url)`: localstripe delivers its events to `url`, signed with WEBHOOK_SECRET, until the test
    ends (then to a closed port, so no later test receives them)."""

    def register(url: str) -> None:
        response = requests.post(WEBHOOK.format(port=localstripe.rsplit(":", 1)[1]),
                                 data={"url": url, "secret": WEBHOOK_SECRET}, timeout=5)
        assert response.status_code == 200, response.text

    yield register
    register(f"http://127.0.0.1:{free_port()}/nowhere/")


def pay_as_browser(client: stripe_lib.StripeClient, payment_intent_id: str, card: str = "4242424242424242"):
    """What Stripe.js does on the pay page: attach a card to the PaymentIntent and confirm it. (localstripe takes a
    raw test card number; real Stripe takes it only from Stripe.js.) Returns the error of a declined card."""
    method = client.v1.payment_methods.create(params={"type": "card", "card": {
        "number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}})
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
    try:
        client.v1.payment_intents.confirm(payment_intent_id)
    except stripe_lib.CardError as exc:
        return exc
    return None


def events_for(client: stripe_lib.StripeClient, payment_intent_id: str, event_type: str, wait: float = 0.0) -> list[dict]:
    """The events localstripe made for a PaymentIntent (it creates them when the payment settles)."""
    deadline = time.monotonic() + wait
    while True:
        events = [e.to_dict() for e in client.v1.events.list(params={"type": event_type, "limit": 100}).data]
        found = [e for e in events if e["data"]["object"]["id"] == payment_intent_id]
        if found or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `payload`, as Stripe computes it."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def post_event(api_client, event: dict, *, secret: str = WEBHOOK_SECRET, signature: str | None = None):
    payload = json.dumps(event).encode()
    return api_client.generic("POST", "/api/v1/payments/stripe/webhook/", payload, content_type="application/json",
                              HTTP_STRIPE_SIGNATURE=signature or sign(payload, secret))


def wait_for(predicate, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()

"""The payment endpoints of SPEC §6 — start a payment, the ledger, Stripe's webhook — and who may call them, as one
table (same layout as tests/api/test_permissions.py; listed there in AREA_TABLES). The installation is offline (no
Stripe keys) except for the webhook's signing secret, so every row runs without Stripe."""

from __future__ import annotations

import json
import string

import pytest
from django.core.cache import cache

from boeking.models import AuditEntry, Booking, PaymentEntry, Role, StripeEvent
from tests.factories import BookingFactory, HouseFactory, UserFactory, local_dt
from tests.payments.conftest import WEBHOOK_SECRET, sign

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "booker", "other_resident", "association", "volunteer", "other_volunteer", "municipality", "admin")
DEFAULT_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
INVALID_TRANSITION = (409, "invalid_transition")
BAD_SIGNATURE = (400, "invalid_signature")
WEBHOOK = "/api/v1/payments/stripe/webhook/"

# fmt: off
TABLE = [
    # method  url                                         body        anon bkr  res  asc  vol  ovol muni adm
    # Only the booker pays; volunteers (and admins) see the booking but record offline payments with mark-paid.
    ("POST", "/api/v1/bookings/{approved}/payment/",      None,       401, 200, 404, 404, 403, 404, 403, 403),
    ("POST", "/api/v1/bookings/{requested}/payment/",     None,       401, INVALID_TRANSITION, 404, 404, 403, 404, 403, 403),
    ("POST", "/api/v1/bookings/{confirmed}/payment/",     None,       401, INVALID_TRANSITION, 404, 404, 403, 404, 403, 403),
    ("GET",  "/api/v1/bookings/{confirmed}/payments/",    None,       401, 200, 404, 404, 200, 404, 403, 200),
    ("GET",  "/api/v1/bookings/{requested}/payments/",    None,       401, 200, 404, 404, 200, 404, 403, 200),
    # Stripe's webhook: no login; the signature is the only authentication, whoever else is logged in.
    ("POST", WEBHOOK,                                     "unsigned", BAD_SIGNATURE, BAD_SIGNATURE, BAD_SIGNATURE,
     BAD_SIGNATURE, BAD_SIGNATURE, BAD_SIGNATURE, BAD_SIGNATURE, BAD_SIGNATURE),
    ("POST", WEBHOOK,                                     "signed",   200, 200, 200, 200, 200, 200, 200, 200),
]
# fmt: on

ROWS = [
    pytest.param(role, method, url, body, expected, id=f"{role}-{method}-{url}" + (f"-{body}" if body else ""))
    for method, url, body, *cells in TABLE
    for role, expected in zip(ROLES, cells, strict=True)
]


@pytest.fixture(autouse=True)
def march(frozen_now, settings):
    settings.STRIPE_SECRET_KEY = ""  # offline installation ...
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET  # ... that can still verify a webhook
    frozen_now(local_dt(2027, 3, 1, 10))
    cache.clear()
    yield
    cache.clear()


class Scene:
    def __init__(self, room):
        self.room, self.house = room, room.house
        self.booker = UserFactory.resident()
        self.volunteer = UserFactory.volunteer(self.house)
        self.users = {
            "anonymous": None, "booker": self.booker, "other_resident": UserFactory.resident(),
            "association": UserFactory.association(), "volunteer": self.volunteer,
            "other_volunteer": UserFactory.volunteer(HouseFactory()), "municipality": UserFactory.municipality(),
            "admin": UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN),
        }

    def value(self, name: str) -> int:
        kwargs = {"room": self.room, "booker": self.booker, "start": local_dt(2027, 4, 3, 19),
                  "end": local_dt(2027, 4, 3, 23)}
        if name == "requested":
            return BookingFactory.requested(**kwargs).pk
        if name == "approved":
            return BookingFactory.approved(approver=self.volunteer, **kwargs).pk
        if name == "confirmed":
            return BookingFactory.confirmed(approver=self.volunteer, **kwargs).pk
        raise KeyError(name)

    def url(self, template: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format(**{name: self.value(name) for name in names})


def written() -> dict:
    return {"bookings": list(Booking.objects.order_by("pk").values()), "audit": AuditEntry.objects.count(),
            "ledger": PaymentEntry.objects.count(), "events": StripeEvent.objects.count()}


def call(client, method: str, path: str, body: str | None):
    if path != WEBHOOK:
        return getattr(client, method.lower())(path, format="json")
    payload = json.dumps({"id": "evt_table", "type": "charge.updated", "data": {"object": {"id": "ch_1"}}}).encode()
    signature = sign(payload) if body == "signed" else sign(payload, secret="whsec_not_ours")
    return client.generic("POST", path, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROWS)
def test_payments_permission_table(as_user, room, role, method, url, body, expected):
    scene = Scene(room)
    client = as_user(scene.users[role])
    path = scene.url(url)
    status, code = expected if isinstance(expected, tuple) else (expected, DEFAULT_CODES.get(expected))
    before = written()

    response = call(client, method, path, body)

    assert response.status_code == status, response.content[:500]
    if status >= 400:
        body_json = response.json()
        assert body_json["code"] == code and body_json["detail"], body_json
        if status == 401:
            assert response["WWW-Authenticate"] == "Token"
        assert written() == before, "a refused request changed something"
    elif path == WEBHOOK:
        assert response.json() == {"received": True, "duplicate": False, "handled": False}
        assert StripeEvent.objects.get(event_id="evt_table").type == "charge.updated"
    elif method == "POST":
        assert response.json()["provider"] == "offline"
        assert written() == before, "starting an offline payment wrote something"


def test_webhook__not_configured__400_webhook_not_configured(api, settings):
    settings.STRIPE_WEBHOOK_SECRET = ""
    payload = b'{"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": {}}}'
    response = api.generic("POST", WEBHOOK, payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=sign(payload))
    assert (response.status_code, response.json()["code"]) == (400, "webhook_not_configured")


def test_webhook__signed_but_not_an_event__400_invalid_payload(api):
    payload = b'["not", "an", "event"]'
    response = api.generic("POST", WEBHOOK, payload, content_type="application/json",
                           HTTP_STRIPE_SIGNATURE=sign(payload))
    assert (response.status_code, response.json()["code"]) == (400, "invalid_payload")


def test_webhook__session_user_without_csrf_token__not_refused_for_csrf(room):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory.resident())
    payload = json.dumps({"id": "evt_csrf", "type": "ping", "data": {"object": {"id": "x"}}}).encode()
    response = client.generic("POST", WEBHOOK, payload, content_type="application/json",
                              HTTP_STRIPE_SIGNATURE=sign(payload))
    assert response.status_code == 200


def test_ledger__lines_with_euro_amounts_oldest_first(as_user, room):
    scene = Scene(room)
    booking = Booking.objects.get(pk=scene.value("confirmed"))
    body = as_user(scene.booker).get(f"/api/v1/bookings/{booking.pk}/payments/").json()
    assert (body["booking"], body["total_cents"], body["paid_cents"], body["outstanding_cents"]) == (
        booking.pk, 15000, 15000, 0)
    assert [(e["kind"], e["kind_label"], e["method"], e["amount"]) for e in body["entries"]] == [
        ("charge", "Betaling", "offline", "€ 150,00")]

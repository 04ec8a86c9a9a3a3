"""Rate limits (issue 17): allauth's, tuned in settings.ACCOUNT_RATE_LIMITS; over the limit a page answers 429 with
the standard message (frontend/templates/429.html)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STANDARD = "U heeft dit in korte tijd te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw."


def test_login__failed_attempts_from_one_address__429_with_the_standard_message(settings):
    user = UserFactory.resident()
    client = Client()
    for _ in range(10):  # "10/m/ip" (and boeking.auth's lockout: 10 per account and address)
        assert client.post("/inloggen/", {"login": user.email, "password": "fout"}).status_code == 200
    response = client.post("/inloggen/", {"login": user.email, "password": "fout"})
    assert response.status_code == 429
    assert STANDARD in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset__per_address__429_after_three_an_hour():
    UserFactory.resident(email="truus@example.org", username="truus@example.org")
    client = Client()
    for _ in range(3):
        assert client.post("/account/password/reset/", {"email": "truus@example.org"}).status_code == 302
    response = client.post("/account/password/reset/", {"email": "truus@example.org"})
    assert response.status_code == 429 and STANDARD in response.content.decode()
    assert len(mail.outbox) == 3


def test_signup__allauth_limit_per_address_on_top_of_zaalboek_s(settings, caps):
    settings.ZAALBOEK_SIGNUP_LIMIT = 100  # only allauth's "signup" limit here (10/h/ip)
    client = Client(REMOTE_ADDR="192.0.2.7")
    for n in range(10):
        client.post("/aanmelden/", {"email": f"x{n}@example.org", "adult": ""})
    response = client.post("/aanmelden/", {"email": "y@example.org", "adult": ""})
    assert response.status_code == 429 and STANDARD in response.content.decode()
    assert Client(REMOTE_ADDR="192.0.2.8").get("/aanmelden/").status_code == 200


def test_429_page__in_english_too():
    user = UserFactory.resident()
    client = Client()
    client.post("/taal/", {"language": "en", "next": "/"})
    for _ in range(11):
        response = client.post("/inloggen/", {"login": user.email, "password": "fout"})
    assert response.status_code == 429
    assert "You tried this too often in a short time." in response.content.decode()

"""The demo accounts after issue 17: password `demo`, pre-verified, and the municipality and admin accounts with the
TOTP secret `seed_demo` prints (a newcomer can log in)."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from boeking.demo import data as demo_data
from boeking.demo.seed import DemoSeeder

from .conftest import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    """Only the accounts part of the demo (fast): `Seeder._people()`."""
    seeder = DemoSeeder()
    seeder._people()
    return seeder.users


def test_demo__municipality_logs_in_with_demo_and_a_code_from_the_printed_secret(people):
    client = Client()
    response = client.post("/inloggen/", {"login": "gemeente@example.org", "password": "demo"})
    assert response.url == "/account/2fa/authenticate/"
    response = client.post("/account/2fa/authenticate/", {"code": totp_code(demo_data.DEMO_TOTP_SECRET)})
    assert response.url == "/gemeente/"


def test_demo__admin_has_the_same_secret_and_resident_needs_no_code(people):
    from allauth.mfa.models import Authenticator

    with_totp = set(Authenticator.objects.filter(type="totp").values_list("user__username", flat=True))
    assert with_totp == {"gemeente@example.org", "admin@example.org"}
    assert Client().post("/inloggen/", {"login": "bewoner@example.org", "password": "demo"}).url == "/mijn/"


def test_demo__accounts_are_pre_verified(people):
    from allauth.account.models import EmailAddress

    from boeking import access

    resident = get_user_model().objects.get(username="bewoner@example.org")
    assert EmailAddress.objects.get(user=resident).verified
    assert access.can_book(resident)


def test_seed_demo_command__prints_the_totp_secret():
    from boeking.management.commands import seed_demo

    out = io.StringIO()
    command = seed_demo.Command(stdout=out)
    report = type("R", (), {"houses": {demo_data.HOUSES[0].slug: type("H", (), {"name": "Huis"})()}})()
    command._print_accounts(report)
    assert f"TOTP-sleutel {demo_data.DEMO_TOTP_SECRET}" in out.getvalue()

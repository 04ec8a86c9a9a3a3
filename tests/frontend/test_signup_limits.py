"""Sign-up (/aanmelden/): one account per e-mail address also under parallel sign-ups, and a limit per client address
(SPEC §8: "Login, sign-up and booking creation are rate-limited")."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from boeking import clock
from boeking.errors import InvalidInput
from boeking.models import AuditEntry, Profile
from boeking.services import accounts
from tests.factories import UserFactory
from tests.threads import run_concurrently

ALREADY = "Er bestaat al een account met dit e-mailadres. Log in."
LIMITED = "Er zijn vanaf uw internetadres te veel aanmeldingen geprobeerd."


def signup_data(**changes) -> dict:
    data = {"first_name": "Anouk", "last_name": "Janssen", "email": "anouk@example.org", "postcode": "6221 AB",
            "phone": "", "password1": "Zaalboek-2027!", "adult": "on"}
    data.update(changes)
    return data


def accounts_of(email: str) -> int:
    return get_user_model().objects.filter(username__iexact=email).count()


def text(response) -> str:
    return response.content.decode()


def email_error(response) -> str | None:
    """The message shown under the e-mail field."""
    found = re.search(r'id="id_email_error">([^<]*)<', text(response))
    return html.unescape(found.group(1)) if found else None


# --- one account per address -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_signup__sequential_duplicate__already_registered_on_the_email_field(client):
    UserFactory(username="anouk@example.org", email="anouk@example.org")

    response = client.post("/aanmelden/", signup_data(email="Anouk@Example.org"))

    assert response.status_code == 200
    assert email_error(response) == ALREADY
    assert accounts_of("anouk@example.org") == 1


@pytest.mark.django_db
def test_signup__service__duplicate_refused_with_email_taken():
    UserFactory(username="anouk@example.org", email="anouk@example.org")

    with pytest.raises(InvalidInput) as refused:
        accounts.resident_signup(email="anouk@example.org", password="x", first_name="A", last_name="J",
                                 postcode="6221 AB", adult_declared=True)

    assert refused.value.code == "email_taken"
    assert accounts_of("anouk@example.org") == 1


@pytest.mark.django_db
def test_signup__loser_of_a_race__same_answer_as_a_sequential_duplicate(client, monkeypatch):
    """The race on one machine: the other sign-up commits after the form's check said "free" (allauth's unique-address
    check), so our insert hits the unique username. The page must answer as for any duplicate (issue 17: allauth's
    sign-up, boeking.accounts.forms.ResidentSignupForm.try_save)."""
    from boeking.accounts.forms import ResidentSignupForm

    sequential = Client().post("/aanmelden/", signup_data())  # first account
    assert sequential.status_code == 302
    duplicate = Client().post("/aanmelden/", signup_data())  # the ordinary duplicate, for comparison
    checked = []

    def free(self, value):  # the other sign-up commits right after our check
        checked.append(value)
        return value

    monkeypatch.setattr(ResidentSignupForm, "validate_unique_email", free)
    rows = (get_user_model().objects.count(), Profile.objects.count(), AuditEntry.objects.count())

    raced = client.post("/aanmelden/", signup_data())

    assert raced.status_code == duplicate.status_code == 200
    assert checked == ["anouk@example.org"]  # the form said free; the insert failed and was looked at again
    assert email_error(raced) == email_error(duplicate) == ALREADY
    assert (get_user_model().objects.count(), Profile.objects.count(), AuditEntry.objects.count()) == rows


@pytest.mark.django_db
def test_signup__address_longer_than_a_username__refused_at_the_email_field(client):
    """The e-mail address is the username (150 characters; PostgreSQL enforces it, SQLite does not): a longer
    address is refused at its field, not a 500."""
    email = "a" * 300 + "@example.org"

    response = client.post("/aanmelden/", signup_data(email=email))

    assert response.status_code == 200
    assert email_error(response) == f"Hoogstens 150 tekens (e-mailadres); u gaf er {len(email)}."
    assert accounts_of(email) == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="real parallel sign-ups are proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers")
def test_signup__ten_parallel_with_one_address__one_account_nine_already_registered():
    calls = [lambda n=n: Client(REMOTE_ADDR=f"10.0.0.{n}").post("/aanmelden/", signup_data()) for n in range(10)]

    results, errors = run_concurrently(calls)

    assert errors == [None] * 10
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200] * 9 + [302]
    assert all(email_error(r) == ALREADY for r in results if r.status_code == 200)
    assert accounts_of("anouk@example.org") == 1
    assert AuditEntry.objects.filter(action="account.created").count() == 1


# --- a limit per client address ----------------------------------------------------------------------------------


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 3, 1, 10, 5, tzinfo=clock.TZ))


@pytest.mark.django_db
def test_signup__sixth_attempt_in_an_hour_from_one_address__429_and_nothing_written(client, now):
    for n in range(5):  # any attempt counts: accounts made, refused forms, duplicates
        response = client.post("/aanmelden/", signup_data(email=f"bewoner{n}@example.org", adult="" if n % 2 else "on"))
        assert response.status_code in (200, 302)
        client.logout()
    users = get_user_model().objects.count()

    refused = client.post("/aanmelden/", signup_data(email="nog-een@example.org"))

    assert refused.status_code == 429
    assert LIMITED in text(refused)
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert 'value="nog-een@example.org"' in text(refused)  # what was typed stays, the password does not
    assert "Zaalboek-2027!" not in text(refused)
    assert get_user_model().objects.count() == users
    assert accounts_of("nog-een@example.org") == 0


@pytest.mark.django_db
def test_signup__limited__says_nothing_about_whether_the_address_has_an_account(client, now):
    UserFactory(username="anouk@example.org", email="anouk@example.org")
    for _ in range(5):
        client.post("/aanmelden/", signup_data(adult=""))

    refused = client.post("/aanmelden/", signup_data())

    assert refused.status_code == 429
    assert ALREADY not in text(refused)


@pytest.mark.django_db
def test_signup__limit_is_per_client_address(now):
    first, other = Client(REMOTE_ADDR="192.0.2.1"), Client(REMOTE_ADDR="192.0.2.2")
    for _ in range(5):
        first.post("/aanmelden/", signup_data(adult=""))

    assert first.post("/aanmelden/", signup_data(adult="")).status_code == 429
    assert other.post("/aanmelden/", signup_data()).status_code == 302


@pytest.mark.django_db
def test_signup__a_forged_forwarded_header_is_no_way_around_the_limit(client, now):
    for n in range(5):
        client.post("/aanmelden/", signup_data(adult=""), HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")

    assert client.post("/aanmelden/", signup_data(), HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


@pytest.mark.django_db
def test_signup__behind_a_trusted_proxy__counts_the_address_the_proxy_saw(client, now, settings):
    settings.ZAALBOEK_TRUSTED_PROXIES = 1
    for _ in range(5):
        client.post("/aanmelden/", signup_data(adult=""), HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert client.post("/aanmelden/", signup_data(adult=""), HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429
    assert client.post("/aanmelden/", signup_data(), HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302


@pytest.mark.django_db
def test_signup__next_window__allowed_again(client, now, frozen_now):
    for _ in range(6):
        client.post("/aanmelden/", signup_data(adult=""))
    assert client.post("/aanmelden/", signup_data()).status_code == 429

    frozen_now(now + dt.timedelta(hours=1))

    assert client.post("/aanmelden/", signup_data()).status_code == 302


@pytest.mark.django_db
def test_signup__limit_and_window_are_settings(client, now, settings):
    settings.ZAALBOEK_SIGNUP_LIMIT, settings.ZAALBOEK_SIGNUP_WINDOW = 2, 600
    client.post("/aanmelden/", signup_data(adult=""))
    client.post("/aanmelden/", signup_data(adult=""))

    refused = client.post("/aanmelden/", signup_data())

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) <= 600
    assert accounts_of("anouk@example.org") == 0


@pytest.mark.django_db
def test_signup__looking_at_the_page_is_not_an_attempt(client, now):
    for _ in range(20):
        assert client.get("/aanmelden/").status_code == 200

    assert client.post("/aanmelden/", signup_data()).status_code == 302

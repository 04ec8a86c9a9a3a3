"""Two-factor authentication (issue 17): required for municipality officers and admins, asked at every login, and
by the API's token login."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from boeking.models import Role
from tests.factories import TOTP_SECRET, UserFactory

from .conftest import totp_code

pytestmark = pytest.mark.django_db


def login(client: Client, user, password: str = "demo"):
    return client.post("/inloggen/", {"login": user.email, "password": password})


# --- the website ----------------------------------------------------------------------------------------------


def open_activation(client: Client):
    """The set-up page; allauth asks for the password once more first (a security change)."""
    response = client.get("/account/2fa/totp/activate/")
    assert response.status_code == 302 and response.url.startswith("/account/reauthenticate/"), response
    assert client.post(response.url, {"password": "demo"}).status_code == 302
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    return page


def test_municipality_login__password_then_totp_code__lands_on_gemeente(client):
    officer = UserFactory.municipality()
    response = login(client, officer)
    assert response.status_code == 302 and response.url == "/account/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # not logged in on the password alone
    assert client.get("/gemeente/").status_code == 302
    page = client.get("/account/2fa/authenticate/")
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    response = client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302 and response.url == "/gemeente/"
    assert client.get("/gemeente/").status_code == 200


def test_municipality_login__wrong_code__refused_and_not_logged_in(client):
    officer = UserFactory.municipality()
    login(client, officer)
    response = client.post("/account/2fa/authenticate/", {"code": "000000" if totp_code(TOTP_SECRET) != "000000"
                                                          else "111111"})
    assert response.status_code == 200 and 'id="id_code_error"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_login__needs_the_code_too_and_the_admin_login_page_leads_there(client):
    admin = UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN)
    redirect = client.get("/admin/login/?next=/admin/")
    assert redirect.status_code == 302 and redirect.url == "/inloggen/?next=/admin/"
    response = client.post("/inloggen/?next=/admin/", {"login": admin.email, "password": "demo"})
    assert response.url == "/account/2fa/authenticate/"
    response = client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_resident_with_totp_turned_on__asked_too(client):
    from allauth.mfa.totp.internal.auth import TOTP

    resident = UserFactory.resident()
    TOTP.activate(resident, TOTP_SECRET)
    assert login(client, resident).url == "/account/2fa/authenticate/"
    assert client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)}).url == "/mijn/"


def test_resident_without_totp__no_code_asked(client):
    assert login(client, UserFactory.resident()).url == "/mijn/"


def test_officer_without_totp__every_page_leads_to_setting_it_up(client):
    officer = UserFactory.municipality(totp=False)
    assert login(client, officer).url == "/gemeente/"
    response = client.get("/gemeente/")
    assert response.status_code == 302 and response.url.startswith("/account/2fa/totp/activate/?next=%2Fgemeente%2F")
    assert client.get("/").url.startswith("/account/2fa/totp/activate/")
    assert client.get("/api/v1/usage/").json()["code"] == "mfa_required"
    page = open_activation(client)
    assert 'name="code"' in page.content.decode() and "data:image/svg+xml" in page.content.decode()  # the QR code
    assert client.get("/uitloggen/").status_code == 200  # may always leave


def test_officer_sets_up_totp__then_reaches_gemeente_and_the_next_login_asks_the_code(client):
    officer = UserFactory.municipality(totp=False)
    login(client, officer)
    open_activation(client)
    secret = client.session["mfa.totp.secret"]
    response = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/gemeente/").status_code == 200
    again = Client()
    assert login(again, officer).url == "/account/2fa/authenticate/"
    assert again.post("/account/2fa/authenticate/", {"code": totp_code(secret, step=1)}).url == "/gemeente/"


def test_volunteer_is_offered_but_not_forced(client, room):
    volunteer = UserFactory.volunteer(room.house)
    client.force_login(volunteer)
    assert client.get("/bestuur/").status_code == 200
    assert "Tweestapsverificatie instellen" in client.get("/account/").content.decode()


# --- the API's token login ------------------------------------------------------------------------------------


def token_login(payload: dict):
    return APIClient().post("/api/v1/auth/token/", payload, format="json")


def test_token_login__municipality_without_code__400_mfa_required_no_token():
    officer = UserFactory.municipality()
    response = token_login({"username": officer.email, "password": "demo"})
    assert response.status_code == 400 and response.json()["code"] == "mfa_required"
    assert not officer.api_tokens.exists()


def test_token_login__municipality_with_code__token_that_works():
    officer = UserFactory.municipality()
    response = token_login({"username": officer.email, "password": "demo", "code": totp_code(TOTP_SECRET)})
    assert response.status_code == 200
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["role"] == "municipality"


def test_token_login__a_code_works_once():
    officer = UserFactory.municipality()
    code = totp_code(TOTP_SECRET)
    assert token_login({"username": officer.email, "password": "demo", "code": code}).status_code == 200
    again = token_login({"username": officer.email, "password": "demo", "code": code})
    assert again.status_code == 400 and again.json()["code"] == "invalid_mfa_code"


def test_token_login__a_recovery_code_works_too():
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    officer = UserFactory.municipality()
    codes = RecoveryCodes.activate(officer).get_unused_codes()
    assert token_login({"username": officer.email, "password": "demo", "code": codes[0]}).status_code == 200


def test_token_login__wrong_code__400_invalid_mfa_code():
    officer = UserFactory.municipality()
    wrong = "123456" if totp_code(TOTP_SECRET) != "123456" else "654321"
    response = token_login({"username": officer.email, "password": "demo", "code": wrong})
    assert response.status_code == 400 and response.json()["code"] == "invalid_mfa_code"


def test_token_login__officer_without_totp__400_mfa_setup_required():
    officer = UserFactory.municipality(totp=False)
    response = token_login({"username": officer.email, "password": "demo", "code": "123456"})
    assert response.status_code == 400 and response.json()["code"] == "mfa_setup_required"


def test_token_login__resident_needs_no_code():
    resident = UserFactory.resident()
    assert token_login({"username": resident.email, "password": "demo"}).status_code == 200


def test_openapi__documents_the_code_field_and_mfa_errors(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    props = schema["components"]["schemas"]["AuthTokenRequest"]["properties"]
    assert "code" in props and "two-factor" in props["code"]["description"]
    description = schema["paths"]["/api/v1/auth/token/"]["post"]["description"]
    assert "mfa_required" in description and "invalid_mfa_code" in description

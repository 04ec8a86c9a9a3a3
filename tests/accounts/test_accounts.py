"""Accounts on django-allauth (issue 17): verification before booking, role landing, logout, reset, language."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from boeking.models import AuditEntry, Booking, Profile, RuleSettings
from tests.factories import UserFactory

from .conftest import link_in, signup_data

pytestmark = pytest.mark.django_db

BOOKING = {"kind": "party", "start": "2027-01-23T19:00:00+01:00", "end": "2027-01-23T23:00:00+01:00", "guests": 40,
           "alcohol": False, "title": "Verjaardag"}


def page_booking(**overrides) -> dict:
    data = {"kind": "party", "date": "2027-01-23", "daypart": "", "start_time": "19:00", "end_time": "23:00",
            "guests": "40", "title": "Verjaardag", "notes": ""}
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


def verify(client: Client, message) -> None:
    url = link_in(message, "http://testserver/account/confirm-email/").removeprefix("http://testserver")
    assert client.get(url).status_code == 200  # a page with a button: a mail scanner's GET confirms nothing
    response = client.post(url)
    assert response.status_code == 302, text(response)[:500]


# --- sign-up ---------------------------------------------------------------------------------------------------


def test_signup__makes_a_resident_with_profile_audit_and_one_unverified_address(signed_up):
    user = signed_up["user"]
    profile = Profile.objects.get(user=user)
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "anouk@example.org", "anouk@example.org", "Anouk", "Janssen")
    assert (profile.role, profile.postcode, profile.adult_declared, profile.language) == ("resident", "6221 AB", True, "nl")
    assert AuditEntry.objects.filter(action="account.created", object_id=str(user.pk)).count() == 1
    from allauth.account.models import EmailAddress

    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified", "primary")) == [
        ("anouk@example.org", False, True)]


def test_signup__verification_mail_in_zaalboek_voice(signed_up):
    message = signed_up["mail"]
    assert message.to == ["anouk@example.org"]
    assert message.subject == "Zaalboek: Bevestig uw e-mailadres"
    assert message.body.startswith("Beste Anouk,")
    assert "Klik op de link hieronder om uw e-mailadres te bevestigen." in message.body
    assert "http://testserver/account/confirm-email/" in message.body
    assert "Met vriendelijke groet,\nZaalboek" in message.body


def test_signup__in_english__mail_in_english(db, caps):
    client = Client()
    client.post("/taal/", {"language": "en", "next": "/"})
    mail.outbox.clear()
    assert client.post("/aanmelden/", signup_data()).status_code == 302
    message = mail.outbox[-1]
    assert message.subject == "Zaalboek: Confirm your e-mail address"
    assert message.body.startswith("Dear Anouk,")
    assert Profile.objects.get(user__username="anouk@example.org").language == "en"


def test_signup__postcode_outside_the_municipality__told_at_the_field_nothing_written(client, caps):
    RuleSettings.current()  # 6211-6229
    response = client.post("/aanmelden/", signup_data(postcode="1012 AB"))
    assert response.status_code == 200
    assert re.search(r'id="id_postcode_error">Zaalboek is voor inwoners van de gemeente \(postcodes 6211-6229\)',
                     text(response))
    assert not get_user_model().objects.exists() and not mail.outbox


def test_signup__without_18_plus__refused_at_its_field(client, caps):
    response = client.post("/aanmelden/", signup_data(adult=""))
    assert 'id="id_adult_error">U moet 18 jaar of ouder zijn om een zaal te huren.' in text(response)
    assert not get_user_model().objects.exists()


# --- an unverified resident cannot request a booking ----------------------------------------------------------


def test_unverified__api_refuses_with_email_unverified_and_writes_nothing(signed_up, room, now):
    api = APIClient()
    api.force_authenticate(signed_up["user"])
    response = api.post("/api/v1/bookings/", {**BOOKING, "room": room.pk}, format="json")
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "email_unverified" and "Bevestig eerst uw e-mailadres" in body["detail"]
    assert not Booking.objects.exists()
    assert api.post("/api/v1/bookings/quote/", {**BOOKING, "room": room.pk}, format="json").json()["code"] == \
        "email_unverified"


def test_unverified__room_page_says_why_offers_resend_and_refuses_the_request(signed_up, room, now):
    client = signed_up["client"]
    page = text(client.get(f"/zalen/{room.pk}/"))
    assert 'id="email-unverified"' in page and "Bevestig eerst uw e-mailadres" in page
    assert 'name="action_send"' in page  # resend the mail, one click
    response = client.post(f"/zalen/{room.pk}/", page_booking())
    assert response.status_code == 200 and "Bevestig eerst uw e-mailadres" in text(response)
    assert not Booking.objects.exists()


def test_unverified__resend_sends_a_new_link_at_most_once_per_three_minutes(signed_up):
    from django.core.cache import cache

    client = signed_up["client"]
    mail.outbox.clear()
    client.post("/account/email/", {"email": "anouk@example.org", "action_send": "1"})
    assert mail.outbox == []  # the sign-up mail went out a moment ago (ACCOUNT_RATE_LIMITS confirm_email 1/3m/key)
    cache.clear()  # three minutes later
    response = client.post("/account/email/", {"email": "anouk@example.org", "action_send": "1"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and "/account/confirm-email/" in mail.outbox[0].body


def test_verified__then_the_request_goes_through(signed_up, room, now):
    client = signed_up["client"]
    verify(client, signed_up["mail"])
    response = client.post(f"/zalen/{room.pk}/", page_booking())
    booking = Booking.objects.get()
    assert response.status_code == 302 and response.url == f"/mijn/boekingen/{booking.pk}/"
    assert booking.booker == signed_up["user"]


def test_accounts_made_by_an_administrator_count_as_verified(room, now):
    """Factory, admin and demo accounts have no allauth address rows: nothing to verify (and nothing changes for
    the accounts that existed before issue 17)."""
    api = APIClient()
    api.force_authenticate(UserFactory.resident())
    assert api.post("/api/v1/bookings/", {**BOOKING, "room": room.pk}, format="json").status_code == 201


# --- login, landing, logout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["resident", "volunteer"])
def test_login__each_role_lands_where_it_works(client, room, role):
    user = UserFactory.volunteer(room.house) if role == "volunteer" else UserFactory.resident()
    response = client.post("/inloggen/", {"login": user.email, "password": "demo"})
    assert response.status_code == 302
    assert response.url == {"resident": "/mijn/", "volunteer": "/bestuur/"}[role]


def test_login__a_safe_next_wins_over_the_landing_page(client, room):
    user = UserFactory.resident()
    response = client.post(f"/inloggen/?next=/zalen/{room.pk}/", {"login": user.email, "password": "demo"})
    assert response.url == f"/zalen/{room.pk}/"
    other = Client().post("/inloggen/?next=//evil.example/", {"login": user.email, "password": "demo"})
    assert other.url == "/mijn/"


def test_login__wrong_password__says_so_without_saying_which(client):
    user = UserFactory.resident()
    response = client.post("/inloggen/", {"login": user.email, "password": "fout"})
    assert response.status_code == 200
    assert 'role="alert"' in text(response)
    assert "_auth_user_id" not in client.session


def test_login__page_shows_forgot_password_and_labels(client):
    page = text(client.get("/inloggen/"))
    assert 'href="/account/password/reset/"' in page
    assert '<label class="utrecht-form-label" for="id_login">E-mailadres</label>' in page
    assert "placeholder" not in page


def test_logout__get_shows_a_confirmation_page_post_logs_out(client):
    user = UserFactory.resident()
    client.force_login(user)
    response = client.get("/uitloggen/")
    assert response.status_code == 200
    assert "Wilt u uitloggen?" in text(response) and 'action="/uitloggen/"' in text(response)
    assert client.post("/uitloggen/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_logout_everywhere__ends_other_sessions_and_revokes_every_token(client):
    user = UserFactory.resident()
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    from boeking.accounts import tokens

    key = tokens.issue(user)
    client.post("/uitloggen/", {"overal": "1"})
    assert other_device.get("/mijn/").status_code == 302  # back to the login page
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 401


def test_logout__plain__keeps_other_sessions_and_tokens(client):
    user = UserFactory.resident()
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    client.post("/uitloggen/")
    assert other_device.get("/mijn/").status_code == 200


# --- password reset and change ---------------------------------------------------------------------------------


def test_password_reset__mail_link_new_password_then_login(client):
    user = UserFactory.resident(email="truus@example.org", username="truus@example.org", first_name="Truus")
    mail.outbox.clear()
    response = client.post("/account/password/reset/", {"email": "Truus@Example.org"})
    assert response.status_code == 302
    message = mail.outbox[-1]
    assert message.subject == "Zaalboek: Nieuw wachtwoord instellen" and message.body.startswith("Beste Truus,")
    url = link_in(message, "http://testserver/account/password/reset/key/").removeprefix("http://testserver")
    form_url = client.get(url).url  # allauth moves the key into the session, then shows the form
    response = client.post(form_url, {"password1": "Nieuw-wachtwoord-2027", "password2": "Nieuw-wachtwoord-2027"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nieuw-wachtwoord-2027")
    assert Client().post("/inloggen/", {"login": "truus@example.org", "password": "Nieuw-wachtwoord-2027"}).url == "/mijn/"


def test_password_reset__unknown_address__same_page_no_account_revealed(client):
    response = client.post("/account/password/reset/", {"email": "niemand@example.org"})
    assert response.status_code == 302 and response.url == "/account/password/reset/done/"


def test_password_change__signed_in(client):
    user = UserFactory.resident()
    client.force_login(user)
    response = client.post("/account/password/change/", {"oldpassword": "demo", "password1": "Nieuw-wachtwoord-2027",
                                                          "password2": "Nieuw-wachtwoord-2027"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Nieuw-wachtwoord-2027")


# --- language, account page ------------------------------------------------------------------------------------


def test_language__the_choice_is_stored_in_the_profile(client):
    user = UserFactory.resident()
    client.force_login(user)
    client.post("/taal/", {"language": "en", "next": "/"})
    assert Profile.objects.get(user=user).language == "en"


def test_account_page__lists_tokens_and_revokes_one(client):
    user = UserFactory.resident()
    from boeking.accounts import tokens

    key = tokens.issue(user, name="Agenda-koppeling")
    client.force_login(user)
    page = text(client.get("/account/"))
    assert "Agenda-koppeling" in page and key[:8] in page and key not in page
    token_id = user.api_tokens.get().pk
    assert client.post(f"/account/sleutels/{token_id}/intrekken/").status_code == 302
    assert not user.api_tokens.exists()


def test_email_change__the_new_address_is_verified_before_it_replaces_the_old(client):
    from allauth.account.models import EmailAddress

    user = UserFactory.resident(email="oud@example.org", username="oud@example.org")
    EmailAddress.objects.create(user=user, email="oud@example.org", verified=True, primary=True)
    client.force_login(user)
    mail.outbox.clear()
    response = client.post("/account/email/", {"email": "nieuw@example.org", "action_add": "1"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "oud@example.org"  # not yet
    message = next(m for m in mail.outbox if m.to == ["nieuw@example.org"])
    verify(client, message)
    user.refresh_from_db()
    assert (user.email, user.username) == ("nieuw@example.org", "nieuw@example.org")
    assert not EmailAddress.objects.filter(user=user, email="oud@example.org").exists()

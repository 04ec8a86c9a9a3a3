"""Zaalboek addresses people formally ("u", "uw"), also on the account pages and in the account mails that come from
django-allauth, whose own Dutch catalogue says "je" and "jouw" (boeking/accounts/locale/nl overrides it).

Every account page a person can open — logged out, as a resident (with and without an authenticator app) and as a
municipality officer with TOTP — and the pages after each account action (their messages), plus every account mail,
is rendered in Dutch; none may hold an informal pronoun as a word in its visible text."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tests.factories import TOTP_SECRET, UserFactory
from tests.frontend.test_language_leftovers import visible_text

from .conftest import link_in, signup_data, totp_code

pytestmark = pytest.mark.django_db

INFORMAL = re.compile(r"\b(je|jij|jou|jouw|jezelf)\b", re.I)
PASSWORD = "Nieuw-wachtwoord-2027"


def informal(texts: dict[str, str]) -> dict[str, list[str]]:
    """Per page or mail: the informal words with a little context."""
    found = {}
    for name, text in texts.items():
        hits = [text[max(0, m.start() - 40):m.end() + 40] for m in INFORMAL.finditer(text)]
        if hits:
            found[name] = hits
    return found


def assert_formal(pages: Pages) -> None:
    found = informal(pages.texts)
    assert not found, "\n".join(f"{name}: {' | '.join(hits)}" for name, hits in found.items())


class Pages:
    """Dutch pages (status 200 after redirects) and mails, collected by name."""

    def __init__(self):
        self.texts: dict[str, str] = {}

    def page(self, name: str, response) -> None:
        assert response.status_code == 200, (name, response.status_code)
        assert response.headers.get("Content-Language", "nl") == "nl", name
        self.texts[name] = visible_text(response.content.decode())

    def get(self, client: Client, name: str, url: str) -> None:
        self.page(name, client.get(url, follow=True, headers={"accept-language": "nl"}))

    def post(self, client: Client, name: str, url: str, data: dict) -> None:
        self.page(name, client.post(url, data, follow=True, headers={"accept-language": "nl"}))

    def mails(self) -> None:
        assert mail.outbox
        for number, message in enumerate(mail.outbox):
            bodies = [message.body] + [visible_text(content) for content, kind in
                                       getattr(message, "alternatives", []) if kind == "text/html"]
            self.texts[f"mail {number}: {message.subject}"] = " ".join([message.subject, *bodies])
        mail.outbox.clear()


def login(client: Client, user, pages: Pages | None = None) -> None:
    response = client.post("/inloggen/", {"login": user.email, "password": "demo"})
    assert response.status_code == 302, response.content[:300]
    if response.url == "/account/2fa/authenticate/":
        if pages:
            pages.get(client, "2fa authenticate", response.url)
            pages.post(client, "2fa authenticate, wrong code", response.url, {"code": "12345"})
        response = client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
        assert response.status_code == 302, response.content[:300]


def reauthenticate(client: Client, pages: Pages, password: str = "demo", code: str | None = None) -> None:
    """allauth asks for the password (and the app's code, with two-factor) again before a security change."""
    pages.get(client, "reauthenticate", "/account/reauthenticate/")
    pages.post(client, "reauthenticate, wrong password", "/account/reauthenticate/", {"password": "fout"})
    response = client.post("/account/reauthenticate/", {"password": password})
    assert response.status_code == 302, visible_text(response.content.decode())
    if code:
        pages.get(client, "2fa reauthenticate", "/account/2fa/reauthenticate/")
        assert client.post("/account/2fa/reauthenticate/", {"code": code}).status_code == 302


def test_informal_check__finds_the_pronouns_as_words_only():
    assert informal({"a": "Je wachtwoord is gewijzigd.", "b": "Weet jij het? Jouw account, jezelf."}).keys() == {"a", "b"}
    assert informal({"c": "Jeugdhonk Jekerdal: uw wachtwoord, Jelle en jeugd."}) == {}


def test_logged_out_account_pages_and_mails__formal(caps):
    pages = Pages()
    truus = UserFactory.resident(email="truus@example.org", username="truus@example.org", first_name="Truus")
    client = Client()
    mail.outbox.clear()
    for name, url in [("login", "/inloggen/"), ("allauth login", "/account/login/"), ("signup", "/aanmelden/"),
                      ("allauth signup", "/account/signup/"), ("password reset", "/account/password/reset/"),
                      ("password reset done", "/account/password/reset/done/"),
                      ("reset link invalid", "/account/password/reset/key/zz-bad-key/"),
                      ("reset key done", "/account/password/reset/key/done/"),
                      ("verification sent", "/account/confirm-email/"), ("inactive", "/account/inactive/"),
                      ("confirm link invalid", "/account/confirm-email/bad-key/"), ("logout", "/account/logout/"),
                      ("2fa authenticate without login", "/account/2fa/authenticate/")]:
        pages.get(client, name, url)
    pages.post(client, "login, wrong password", "/inloggen/", {"login": truus.email, "password": "fout"})
    pages.post(client, "allauth login, wrong password", "/account/login/", {"login": truus.email, "password": "x"})
    pages.post(client, "password reset, empty", "/account/password/reset/", {"email": ""})
    pages.post(client, "password reset sent", "/account/password/reset/", {"email": truus.email})
    pages.post(client, "password reset, unknown address", "/account/password/reset/", {"email": "niemand@example.org"})
    reset = link_in(mail.outbox[0], "http://testserver/account/password/reset/key/").removeprefix("http://testserver")
    pages.get(client, "reset link", reset)
    set_password = client.get(reset).url
    pages.post(client, "reset, passwords differ", set_password, {"password1": PASSWORD, "password2": "Anders-2027!"})
    pages.post(client, "reset done", set_password, {"password1": PASSWORD, "password2": PASSWORD})
    pages.post(Client(), "signup, address taken", "/aanmelden/", signup_data(email=truus.email))
    newcomer = Client()
    pages.post(newcomer, "signup done", "/aanmelden/", signup_data())
    confirm = link_in(mail.outbox[-1], "http://testserver/account/confirm-email/").removeprefix("http://testserver")
    pages.get(newcomer, "confirm link", confirm)
    pages.post(newcomer, "confirmed", confirm, {})
    pages.mails()
    assert_formal(pages)


def test_resident_account_pages_actions_and_mails__formal(caps):
    pages = Pages()
    resident = UserFactory.resident(email="bewoner@example.org", username="bewoner@example.org")
    client = Client()
    login(client, resident)
    mail.outbox.clear()
    for name, url in [("my account", "/account/"), ("e-mail addresses", "/account/email/"),
                      ("password change", "/account/password/change/"), ("password set", "/account/password/set/"),
                      ("2fa overview", "/account/2fa/"),
                      ("totp activate", "/account/2fa/totp/activate/"), ("logout", "/account/logout/"),
                      ("signup while logged in", "/account/signup/")]:
        pages.get(client, name, url)
    pages.post(client, "password change, wrong old", "/account/password/change/",
               {"oldpassword": "fout", "password1": PASSWORD, "password2": PASSWORD})
    pages.post(client, "password changed", "/account/password/change/",
               {"oldpassword": "demo", "password1": PASSWORD, "password2": PASSWORD})
    pages.post(client, "e-mail add", "/account/email/", {"action_add": "", "email": "nieuw@example.org"})
    pages.post(client, "e-mail resend", "/account/email/", {"action_send": "", "email": "nieuw@example.org"})
    pages.post(client, "e-mail remove primary", "/account/email/", {"action_remove": "", "email": resident.email})
    (confirmation,) = [m for m in mail.outbox if m.to == ["nieuw@example.org"]][-1:]
    confirm = link_in(confirmation, "http://testserver/account/confirm-email/").removeprefix("http://testserver")
    pages.post(client, "e-mail confirmed", confirm, {})
    reauthenticate(client, pages, PASSWORD)
    page = client.get("/account/2fa/totp/activate/")
    pages.page("totp activate form", page)
    secret = re.search(r"\b([A-Z2-7]{32})\b", page.content.decode()).group(1)
    pages.post(client, "totp activate, wrong code", "/account/2fa/totp/activate/", {"code": "000000x"})
    pages.post(client, "totp activated", "/account/2fa/totp/activate/", {"code": totp_code(secret)})
    for name, url in [("2fa overview with totp", "/account/2fa/"), ("recovery codes", "/account/2fa/recovery-codes/"),
                      ("recovery codes generate", "/account/2fa/recovery-codes/generate/"),
                      ("totp deactivate", "/account/2fa/totp/deactivate/")]:
        pages.get(client, name, url)
    pages.post(client, "recovery codes generated", "/account/2fa/recovery-codes/generate/", {})
    pages.post(client, "totp deactivated", "/account/2fa/totp/deactivate/", {})
    pages.post(client, "logged out", "/account/logout/", {})
    pages.mails()
    assert_formal(pages)


def test_officer_with_totp_account_pages__formal(caps):
    pages = Pages()
    officer = UserFactory.municipality(email="gemeente@example.org", username="gemeente@example.org")
    client = Client()
    login(client, officer, pages)
    mail.outbox.clear()
    reauthenticate(client, pages, code=totp_code(TOTP_SECRET, step=1))
    pages.get(client, "recovery codes generate", "/account/2fa/recovery-codes/generate/")
    pages.post(client, "recovery codes generated", "/account/2fa/recovery-codes/generate/", {})
    for name, url in [("my account", "/account/"), ("2fa overview", "/account/2fa/"),
                      ("recovery codes", "/account/2fa/recovery-codes/"),
                      ("totp deactivate", "/account/2fa/totp/deactivate/"), ("password change", "/account/password/change/"),
                      ("e-mail addresses", "/account/email/"), ("logout", "/account/logout/")]:
        pages.get(client, name, url)
    pages.post(client, "totp deactivate refused or done", "/account/2fa/totp/deactivate/", {})
    if mail.outbox:
        pages.mails()
    assert_formal(pages)


ALLAUTH_MAILS = ["account/email/" + name for name in [
    "account_already_exists", "email_changed", "email_confirm", "email_confirmation", "email_confirmation_signup",
    "email_deleted", "login_code", "password_changed", "password_reset", "password_reset_code", "password_reset_key",
    "password_set", "unknown_account"]] + ["mfa/email/" + name for name in [
        "recovery_codes_generated", "totp_activated", "totp_deactivated"]]


def test_every_account_mail__formal(caps):
    """Each mail allauth can send (also those the flows above do not reach), written the way every account mail is
    (boeking.notifications.account_mail) for a Dutch-speaking resident."""
    from boeking import clock, notifications

    resident = UserFactory.resident(email="bewoner@example.org", username="bewoner@example.org", first_name="Truus")
    context = {"user": resident, "ip": "192.0.2.1", "user_agent": "Firefox", "timestamp": clock.now(),
               "from_email": "oud@example.org", "to_email": resident.email, "deleted_email": "oud@example.org",
               "code": "ABC123", "activate_url": "http://testserver/account/confirm-email/k/",
               "password_reset_url": "http://testserver/account/password/reset/key/1-k/",
               "signup_url": "http://testserver/aanmelden/", "username": resident.username,
               "user_display": resident.email, "site_domain": "testserver", "key": "k"}
    mail.outbox.clear()
    for prefix in ALLAUTH_MAILS:
        notifications.account_mail(prefix, resident.email, context)
    assert len(mail.outbox) == len(ALLAUTH_MAILS)
    pages = Pages()
    pages.mails()
    assert_formal(pages)


def test_allauth_names_in_zaalboeks_spelling():
    """Allauth's Dutch writes "e-mailadres bevestiging" (the admin's model names, the confirmation mail's subject);
    Zaalboek writes one word, as in "bevestigingsmail"."""
    from allauth.account.models import EmailConfirmation
    from django.utils import translation

    with translation.override("nl"):
        assert str(EmailConfirmation._meta.verbose_name) == "e-mailbevestiging"
        assert str(EmailConfirmation._meta.verbose_name_plural) == "e-mailbevestigingen"
        assert translation.gettext("Email Confirmation") == "E-mailbevestiging"

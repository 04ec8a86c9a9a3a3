"""The pages speak the visitor's chosen language at every stage of a login: the account holder's profile language
once the password is right (the two-factor code page, then the landing page), before that the language cookie (the
switcher), then the browser's Accept-Language, then Dutch; a choice made with the switcher during this visit before
logging in is the newest and becomes the profile's. Seen once: a Dutch officer's code page in English in a Dutch
browser — a language cookie left by an earlier English session, and the profile read only for mails."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from boeking.accounts.language import CHOSEN
from boeking.models import Profile
from tests.factories import TOTP_SECRET, UserFactory

from .conftest import totp_code

pytestmark = pytest.mark.django_db

DUTCH_BROWSER = "nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7"
ENGLISH_BROWSER = "en-GB,en;q=0.9"
CODE_PAGE = {"nl": "Tweestapsverificatie", "en": "Two-factor authentication"}
LOGIN_PAGE = {"nl": "Wachtwoord", "en": "Password"}


def speaks(response, language: str) -> bool:
    return response["Content-Language"] == language and f'<html lang="{language}"' in response.content.decode()


def officer(language: str):
    user = UserFactory.municipality()
    Profile.objects.filter(user=user).update(language=language)
    return user


@pytest.mark.parametrize(("browser", "cookie", "expected"), [
    (DUTCH_BROWSER, None, "nl"), (ENGLISH_BROWSER, None, "en"), ("fr-FR,fr;q=0.9", None, "nl"), ("", None, "nl"),
    (DUTCH_BROWSER, "en", "en"), (ENGLISH_BROWSER, "nl", "nl")])
def test_login_page__cookie_then_browser_then_dutch(db, browser, cookie, expected):
    client = Client(HTTP_ACCEPT_LANGUAGE=browser)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    page = client.get("/inloggen/")
    assert speaks(page, expected) and LOGIN_PAGE[expected] in page.content.decode()


@pytest.mark.parametrize("browser", [DUTCH_BROWSER, ENGLISH_BROWSER])
@pytest.mark.parametrize("profile", ["nl", "en"])
@pytest.mark.parametrize("cookie", [None, "nl", "en"])
def test_login__password_then_code__every_stage_in_the_profile_language(browser, profile, cookie):
    user = officer(profile)
    client = Client(HTTP_ACCEPT_LANGUAGE=browser)
    if cookie:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.post("/inloggen/", {"login": user.email, "password": "demo"})
    assert response.status_code == 302 and response.url == "/account/2fa/authenticate/"
    code_page = client.get(response.url)
    assert speaks(code_page, profile), (code_page["Content-Language"], browser, cookie)
    assert CODE_PAGE[profile] in code_page.content.decode()
    wrong = client.post("/account/2fa/authenticate/", {"code": "12"})  # a mistyped code: still the same language
    assert wrong.status_code == 200 and speaks(wrong, profile)
    response = client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    assert response.status_code == 302 and response.url == "/gemeente/"
    assert speaks(client.get("/gemeente/"), profile)


def test_dutch_officer_in_a_dutch_browser_with_an_english_cookie_left__dutch_code_page():
    """The case seen: the demo officer (profile Dutch) after an English session in the same browser."""
    user = officer("nl")
    client = Client(HTTP_ACCEPT_LANGUAGE=DUTCH_BROWSER)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post("/inloggen/", {"login": user.email, "password": "demo"})
    code_page = client.get("/account/2fa/authenticate/")
    assert speaks(code_page, "nl") and "Tweestapsverificatie" in code_page.content.decode()


def test_wrong_password__the_cookie_is_left_alone():
    user = officer("en")
    client = Client(HTTP_ACCEPT_LANGUAGE=DUTCH_BROWSER)
    page = client.post("/inloggen/", {"login": user.email, "password": "fout"})
    assert page.status_code == 200 and speaks(page, "nl")
    assert settings.LANGUAGE_COOKIE_NAME not in page.cookies


@pytest.mark.parametrize(("profile", "chosen"), [("nl", "en"), ("en", "nl")])
def test_language_chosen_before_logging_in__kept_through_the_code_page_and_stored(profile, chosen):
    user = officer(profile)
    client = Client(HTTP_ACCEPT_LANGUAGE=DUTCH_BROWSER)
    client.get("/inloggen/")
    assert client.post("/taal/", {"language": chosen, "next": "/inloggen/"}).status_code == 302
    assert speaks(client.get("/inloggen/"), chosen)
    client.post("/inloggen/", {"login": user.email, "password": "demo"})
    assert speaks(client.get("/account/2fa/authenticate/"), chosen)
    assert Profile.objects.get(user=user).language == chosen  # the newest choice: the mails follow it too
    client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    assert speaks(client.get("/gemeente/"), chosen)


def test_language_chosen_in_an_earlier_visit__the_profile_wins_after_a_logout():
    """The switcher's choice lasts a visit: after a logout the next person's profile decides again."""
    english, dutch = officer("en"), officer("nl")
    client = Client(HTTP_ACCEPT_LANGUAGE=DUTCH_BROWSER)
    client.post("/taal/", {"language": "en", "next": "/inloggen/"})
    client.post("/inloggen/", {"login": english.email, "password": "demo"})
    client.post("/account/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    assert speaks(client.get("/gemeente/"), "en")
    client.post("/uitloggen/")
    assert "_auth_user_id" not in client.session and CHOSEN not in client.session
    assert speaks(client.get("/inloggen/"), "en")  # the cookie stays on this device
    client.post("/inloggen/", {"login": dutch.email, "password": "demo"})
    assert speaks(client.get("/account/2fa/authenticate/"), "nl")
    assert Profile.objects.get(user=dutch).language == "nl"

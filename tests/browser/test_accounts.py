"""Accounts in a real browser (issue 17): sign-up → verification mail → link → a booking request; forgot password →
mail → new password → login; the municipality's login asks for a TOTP code; axe on every account page, NL and EN."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from boeking import clock
from boeking.models import Booking
from tests.accounts.conftest import totp_code
from tests.browser.conftest import AXE
from tests.factories import TOTP_SECRET, RoomFactory, UserFactory, default_caps

pytestmark = pytest.mark.django_db(transaction=True)

NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)  # a Monday morning
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def world(transactional_db, monkeypatch):
    monkeypatch.setattr(clock, "_now", lambda: NOW)
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__name="Buurthuis De Kastanje",
                       location__house__slug="de-kastanje")
    mail.outbox.clear()
    return {"room": room}


def link(message, path: str) -> str:
    found = re.search(rf"(http\S+{re.escape(path)}\S*)", message.body)
    assert found, message.body
    return found.group(1)


def test_signup__verification_mail__link__then_a_booking_request(live_server, page: Page, world, csp_errors):
    base, room = live_server.url, world["room"]
    page.goto(f"{base}/aanmelden/")
    page.get_by_label("Voornaam").fill("Anouk")
    page.get_by_label("Achternaam").fill("Janssen")
    page.get_by_label("E-mailadres").fill("anouk@example.org")
    page.get_by_label("Postcode").fill("6221ab")
    page.get_by_label("Wachtwoord").fill("Zaalboek-2027!")
    page.get_by_label("Ik verklaar dat ik 18 jaar of ouder ben.").check()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", name="Bevestig uw e-mailadres")).to_be_visible()

    # Before verifying: the room page says why the request cannot go out yet, and offers a new mail.
    page.goto(f"{base}/zalen/{room.pk}/")
    expect(page.locator("#email-unverified")).to_contain_text("Bevestig eerst uw e-mailadres")
    expect(page.get_by_role("button", name="Stuur de mail opnieuw")).to_be_visible()

    message = mail.outbox[-1]
    assert message.to == ["anouk@example.org"] and message.subject == "Zaalboek: Bevestig uw e-mailadres"
    page.goto(link(message, "/account/confirm-email/"))
    page.get_by_role("button", name="Bevestigen").click()

    page.goto(f"{base}/zalen/{room.pk}/")
    expect(page.locator("#email-unverified")).to_have_count(0)
    page.get_by_label("Soort bijeenkomst").select_option("party")
    page.get_by_label("Datum", exact=True).fill("2027-01-23")
    page.get_by_label("Begintijd").fill("19:00")
    page.get_by_label("Eindtijd").fill("23:00")
    page.get_by_label("Aantal gasten").fill("40")
    expect(page.locator("#quote [data-total]")).to_be_visible()
    page.get_by_role("button", name="Aanvraag versturen").click()
    expect(page).to_have_url(re.compile(r"/mijn/boekingen/\d+/$"))
    booking = Booking.objects.get()
    assert booking.status == "requested" and booking.booker.username == "anouk@example.org"
    assert csp_errors == []


def test_forgot_password__mail__new_password__login(live_server, page: Page, world):
    base = live_server.url
    UserFactory.resident(username="truus@example.org", email="truus@example.org", first_name="Truus")
    page.goto(f"{base}/inloggen/")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    page.get_by_label(re.compile("E-mail", re.IGNORECASE)).fill("truus@example.org")
    page.locator("form.zb-form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/account/password/reset/done/")

    message = mail.outbox[-1]
    assert message.subject == "Zaalboek: Nieuw wachtwoord instellen" and message.body.startswith("Beste Truus,")
    page.goto(link(message, "/account/password/reset/key/"))
    page.locator("#id_password1").fill("Nieuw-wachtwoord-2027")
    page.locator("#id_password2").fill("Nieuw-wachtwoord-2027")
    page.locator("form.zb-form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/account/password/reset/key/done/")

    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill("truus@example.org")
    page.get_by_label("Wachtwoord").fill("Nieuw-wachtwoord-2027")
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/mijn/")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_municipality_login__asks_for_the_totp_code(live_server, page: Page, world):
    base = live_server.url
    UserFactory.municipality(username="gemeente@example.org", email="gemeente@example.org")
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill("gemeente@example.org")
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(f"{base}/account/2fa/authenticate/")
    page.goto(f"{base}/gemeente/")
    expect(page).not_to_have_url(f"{base}/gemeente/")  # not logged in on the password alone
    page.goto(f"{base}/account/2fa/authenticate/")
    page.locator("#id_code").fill(totp_code(TOTP_SECRET))
    page.locator("form.zb-form button[type=submit]").first.click()
    expect(page).to_have_url(f"{base}/gemeente/")


def test_logout__confirmation_page_then_logged_out(live_server, page: Page, world):
    base = live_server.url
    UserFactory.resident(username="bewoner@example.org")
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill("bewoner@example.org")
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{base}/uitloggen/")
    expect(page.get_by_role("heading", name="Uitloggen")).to_be_visible()
    page.locator("main").get_by_role("button", name="Uitloggen").click()
    expect(page.get_by_role("link", name="Inloggen")).to_be_visible()


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_axe__every_account_page_has_no_wcag21aa_violations(live_server, browser: Browser, world, language):
    base = live_server.url
    UserFactory.resident(username="bewoner@example.org", email="bewoner@example.org")
    UserFactory.municipality(username="gemeente@example.org", email="gemeente@example.org")
    UserFactory.municipality(username="nieuw@example.org", email="nieuw@example.org", totp=False)
    violations, checked = {}, []

    def check(page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("lang") == language, name
        found = _axe(page)
        checked.append(name)
        if found:
            violations[name] = found

    def visit(page, path: str) -> None:
        page.goto(f"{base}{path}")
        check(page, path)

    def new_page():
        context = browser.new_context(bypass_csp=True, locale="nl-NL", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{base}/")
        if language == "en":
            page.get_by_role("button", name="English").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")
        return context, page

    def login(page, email: str) -> None:
        page.goto(f"{base}/inloggen/")
        page.locator("#id_login").fill(email)
        page.locator("#id_password").fill("demo")
        page.locator("main form button[type=submit]").first.click()

    # Anonymous: login (also with its error), sign-up (also with field errors), reset.
    context, page = new_page()
    for path in ["/inloggen/", "/aanmelden/", "/account/password/reset/", "/account/password/reset/done/"]:
        visit(page, path)
    page.goto(f"{base}/inloggen/")
    page.locator("#id_login").fill("bewoner@example.org")
    page.locator("#id_password").fill("fout")
    page.locator("main form button[type=submit]").first.click()
    check(page, "login with error")
    page.goto(f"{base}/aanmelden/")
    page.locator("main form button[type=submit]").click()
    check(page, "signup with errors")
    context.close()

    # A resident: the account pages.
    context, page = new_page()
    login(page, "bewoner@example.org")
    for path in ["/account/", "/account/email/", "/account/password/change/", "/account/2fa/", "/uitloggen/",
                 "/account/confirm-email/", "/account/reauthenticate/"]:
        visit(page, path)
    context.close()

    # The municipality: the code step; an officer without two-factor: setting it up (after the password again).
    context, page = new_page()
    login(page, "gemeente@example.org")
    check(page, "2fa authenticate")
    context.close()
    context, page = new_page()
    login(page, "nieuw@example.org")
    page.goto(f"{base}/account/2fa/totp/activate/")
    check(page, "reauthenticate before activation")
    page.locator("#id_password").fill("demo")
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/account/2fa/totp/activate/"))
    check(page, "2fa totp activate")
    context.close()

    assert len(checked) == 16
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)

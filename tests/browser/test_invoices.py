"""The treasurer's flow in a real browser: preview a month's invoices, issue them, download a PDF, mark it paid; axe
finds no WCAG 2.1 AA violation on the invoice pages, and at 375 px nothing sticks out sideways."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from playwright.sync_api import Browser, Page, expect

from boeking import clock, services
from boeking.invoicing.models import Invoice
from boeking.models import Role
from tests.browser.conftest import AXE
from tests.factories import RoomFactory, UserFactory, default_caps

pytestmark = pytest.mark.django_db(transaction=True)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SETUP = dt.datetime(2027, 3, 1, 10, 0, tzinfo=clock.TZ)
NOW = dt.datetime(2027, 4, 2, 9, 0, tzinfo=clock.TZ)  # the treasurer bills March


@pytest.fixture
def house(transactional_db, monkeypatch):
    """A house whose choir and chess club met weekly in March (approved series: confirmed, settled by invoice)."""
    moment = {"now": SETUP}
    monkeypatch.setattr(clock, "_now", lambda: moment["now"])
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__name="Buurthuis De Kastanje",
                       location__house__slug="de-kastanje", location__house__bank_account="NL91ABNA0417164300",
                       location__street="Kastanjelaan 1", location__postcode="6221 AB")
    treasurer = UserFactory.volunteer(room.house, username="bestuur@example.org", first_name="Marij")
    for username, name, weekday in (("vereniging@example.org", "Zangkoor Harmonie", "TU"),
                                    ("schaak@example.org", "Schaakclub Wyck", "TH")):
        club = UserFactory(username=username, profile__role=Role.ASSOCIATION, profile__organisation=name)
        series = services.series_create(booker=club, room=room, kind="association",
                                        rrule=f"RRULE:FREQ=WEEKLY;BYDAY={weekday}", start_time=dt.time(19),
                                        end_time=dt.time(21), first_date=dt.date(2027, 3, 9),
                                        until=dt.date(2027, 3, 31), guests=20, title="Clubavond")
        services.series_approve(series=series, actor=treasurer)
    moment["now"] = NOW
    return room.house


def login(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/inloggen/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill("demo")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]]


STICKING_OUT = """width => Array.from(document.querySelectorAll('body *'))
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && r.right > width + 0.5; })
  .map(e => `${e.tagName.toLowerCase()}.${e.className} ${Math.round(e.getBoundingClientRect().right)}px`)"""


def test_treasurer__previews_issues_downloads_and_marks_paid__axe_clean__fits_375px(live_server, browser: Browser,
                                                                                     house, tmp_path):
    base = live_server.url
    context = browser.new_context(bypass_csp=True, locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    violations: dict[str, list] = {}

    def check_axe(name: str) -> None:
        if found := axe_violations(page):
            violations[name] = found

    login(page, base, "bestuur@example.org")
    page.goto(f"{base}/bestuur/")
    page.get_by_role("link", name="facturen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Facturen Buurthuis De Kastanje")
    check_axe("board, empty")

    # Preview: last month (March), one invoice per association, nothing written yet.
    page.get_by_role("link", name="Vorige maand").click()
    expect(page.locator("[data-preview-summary]")).to_have_text(re.compile(r"^2 facturen, samen €\s210,00\.$"))
    expect(page.locator("[data-planned-invoice]")).to_have_count(2)
    assert not Invoice.objects.exists()
    check_axe("board, preview")

    # Issue.
    page.get_by_role("button", name="Facturen maken en versturen").click()
    expect(page.get_by_role("status")).to_contain_text("2 facturen gemaakt en verstuurd: KAS-2027-0001, KAS-2027-0002.")
    choir = Invoice.objects.get(debtor_name="Zangkoor Harmonie")
    card = page.locator(f"#factuur-{choir.pk}")
    expect(card).to_contain_text("Zangkoor Harmonie")
    expect(card).to_contain_text("Openstaand")
    check_axe("board, open invoices")

    # Download the PDF.
    with page.expect_download() as download_info:
        card.get_by_role("link", name=re.compile("PDF downloaden")).click()
    download = download_info.value
    assert download.suggested_filename == f"{choir.number}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF") and saved.read_bytes() == bytes(choir.pdf)

    # Mark it paid: a date before the invoice is refused with the reason; the money arrived today.
    card.get_by_label("Betaald op").fill("2027-04-01")
    card.get_by_role("button", name=re.compile("Betaling registreren")).click()
    expect(page.get_by_role("status")).to_contain_text("De betaaldatum ligt tussen de factuurdatum (02-04-2027)")
    card.get_by_label("Betaald op").fill("2027-04-02")
    card.get_by_role("button", name=re.compile("Betaling registreren")).click()
    expect(page.get_by_role("status")).to_contain_text(f"Factuur {choir.number} is betaald.")
    expect(page.locator(f"#factuur-{choir.pk}")).to_have_count(0)
    choir.refresh_from_db()
    assert (choir.status, choir.paid_on) == ("paid", dt.date(2027, 4, 2))
    page.get_by_role("link", name=choir.number).first.click()
    expect(page.locator("[data-invoice-status]")).to_have_text("Betaald")
    check_axe("invoice detail")
    page.goto(f"{base}/bestuur/huizen/{house.slug}/facturen/instellingen/")
    check_axe("settings")
    context.close()

    # The association's side: its invoices under /mijn/.
    association = browser.new_context(bypass_csp=True, locale="nl-NL", viewport={"width": 1280, "height": 900})
    page = association.new_page()
    login(page, base, "vereniging@example.org")
    page.goto(f"{base}/mijn/")
    page.get_by_role("link", name="Mijn facturen").click()
    expect(page.get_by_role("heading", name=f"Factuur {choir.number}")).to_be_visible()
    check_axe("mijn facturen")
    association.close()
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)

    # A phone: nothing reaches beyond 375 px on the treasurer's pages, with a preview and open invoices shown.
    phone = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam", viewport={"width": 375, "height": 812},
                                device_scale_factor=2, is_mobile=True, has_touch=True)
    page = phone.new_page()
    login(page, base, "bestuur@example.org")
    for path in (f"/bestuur/huizen/{house.slug}/facturen/?van=2027-03-01&tot=2027-04-30",
                 f"/bestuur/huizen/{house.slug}/facturen/{choir.pk}/",
                 f"/bestuur/huizen/{house.slug}/facturen/instellingen/"):
        page.goto(f"{base}{path}")
        assert page.evaluate(STICKING_OUT, 375) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    phone.close()

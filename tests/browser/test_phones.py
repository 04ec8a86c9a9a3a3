"""Every page works on a 375 px phone without sideways scrolling, for every role (issue 20).

Measured in a plain 375 px window, not with phone emulation: emulation widens the layout viewport to fit wide
content, so `scrollWidth <= innerWidth` alone would pass a page that sticks out. Here no element may have its right
edge beyond 375 px, unless it sits inside its own scroll region (a wide table in `.zb-scroll`, which shows a cue)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser

from tests.browser import pages as world
from tests.browser.pages import ANONYMOUS, ASSOCIATION, BOARD, MUNICIPALITY, RESIDENT

pytestmark = pytest.mark.django_db(transaction=True)

WIDTH = 375

# Elements whose right edge is beyond the window and that no scrolling region of their own contains.
STICKING_OUT = """(width) => {
  const scrolls = (el) => {
    for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const s = getComputedStyle(p);
      if (["auto", "scroll", "hidden", "clip"].includes(s.overflowX) && p.getBoundingClientRect().right <= width + 0.5) {
        return true;
      }
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).slice(0, 2).join(".") : "");
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1 || r.right <= width + 0.5) { continue; }
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.display === "none") { continue; }
    if (!scrolls(el)) { out.push(name(el) + " right=" + Math.round(r.right) + " «" + (el.innerText || "").slice(0, 40) + "»"); }
  }
  return {overflow: out.slice(0, 8), scrollWidth: document.documentElement.scrollWidth};
}"""


@pytest.fixture
def site(transactional_db, monkeypatch, settings):
    settings.ZAALBOEK_STAFF_MFA_REQUIRED = False  # two-factor has its own tests; here the pages behind it
    return world.build(monkeypatch)


def _measure(browser: Browser, base: str, user, paths: list[str], language: str = "nl") -> dict:
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": WIDTH, "height": 800})
    if language == "en":
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    if user is not None:
        world.sign_in(context, base, user)
    page = context.new_page()
    problems = {}
    for path in paths:
        page.goto(f"{base}{path}")
        world.settle(page)
        assert page.evaluate("window.innerWidth") == WIDTH
        found = page.evaluate(STICKING_OUT, WIDTH)
        if found["overflow"] or found["scrollWidth"] > WIDTH:
            problems[path] = found
    context.close()
    return problems


@pytest.mark.parametrize("role", [ANONYMOUS, RESIDENT, ASSOCIATION, BOARD])
@pytest.mark.parametrize("language", ["nl", "en"])
def test_phone__no_page_sticks_out_of_375px(live_server, browser: Browser, site, role, language):
    user = site["users"].get(role)
    paths = [p for p in site["pages"][role] if not p.startswith("/gemeente/")]
    problems = _measure(browser, live_server.url, user, paths, language)
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_phone__municipality_pages_do_not_stick_out_of_375px(live_server, browser: Browser, site):
    problems = _measure(browser, live_server.url, site["users"][MUNICIPALITY], site["pages"][MUNICIPALITY])
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_phone__board_forms_with_errors_and_confirmation_pages_fit(live_server, browser: Browser, site):
    """Pages after a click: a rejection without a reason, the confirmation before deleting a closure."""
    base = live_server.url
    context = browser.new_context(locale="nl-NL", viewport={"width": WIDTH, "height": 800})
    world.sign_in(context, base, site["users"][BOARD])
    page = context.new_page()
    page.goto(f"{base}/bestuur/boekingen/{site['requested'].pk}/")
    page.get_by_role("button", name="Afwijzen").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#form-errors").count() == 1
    assert page.evaluate(STICKING_OUT, WIDTH)["overflow"] == []
    page.goto(f"{base}/bestuur/huizen/de-kastanje/sluitingen/")
    page.get_by_role("button", name="Verwijderen").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Ja, verwijder deze sluiting").is_visible()
    assert page.evaluate(STICKING_OUT, WIDTH)["overflow"] == []
    context.close()

"""Accessibility beyond the first view (issue 20): what a keyboard user meets after a click. One focus style on every
focusable element of the key pages (Tab through them all); the skip link readable when it appears; axe after the
calendar was switched to each view and moved a week; calendar navigation said aloud; after a form with errors the
focus on an error summary that is announced."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from tests.browser import pages as world
from tests.browser.conftest import AXE
from tests.browser.pages import ANONYMOUS, BOARD, RESIDENT

pytestmark = pytest.mark.django_db(transaction=True)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FOCUS = {"outlineStyle": "solid", "outlineWidth": "3px", "outlineColor": "rgb(11, 42, 74)"}
HALO = "rgb(255, 191, 71)"

# The focused element's focus style, its name for a report, and whether it is on screen.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) { return null; }
  const s = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  const label = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 30);
  return {name: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " «" + label + "»",
          key: el.tagName + "|" + (el.id || "") + "|" + r.x + "|" + r.y + "|" + (el.getAttribute("href") || el.getAttribute("name") || ""),
          outlineStyle: s.outlineStyle, outlineWidth: s.outlineWidth, outlineColor: s.outlineColor, boxShadow: s.boxShadow,
          visible: r.width > 0 && r.height > 0};
}"""

# WCAG contrast of an element's text on its own background.
CONTRAST = """(el) => {
  const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const s = getComputedStyle(el);
  const a = lum(rgb(s.color)), b = lum(rgb(s.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture
def site(transactional_db, monkeypatch, settings):
    settings.ZAALBOEK_STAFF_MFA_REQUIRED = False
    return world.build(monkeypatch)


def _context(browser: Browser, base: str, user=None, *, width: int = 1280):
    context = browser.new_context(bypass_csp=True, locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": width, "height": 900})
    if user is not None:
        world.sign_in(context, base, user)
    return context


def _axe(page) -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [{"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:4]}
            for v in result["violations"]]


def _tab_through(page, limit: int = 250) -> list[dict]:
    """Press Tab until the focus comes round again; the focus style of each element reached."""
    page.locator("body").focus()
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    seen, reached = set(), []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        if focused["key"] in seen:
            break
        seen.add(focused["key"])
        reached.append(focused)
    return reached


KEY_PAGES = {
    ANONYMOUS: ["/", "/?date=2027-01-20&guests=20", "/huizen/de-kastanje/", "room", "/inloggen/", "/aanmelden/"],
    RESIDENT: ["/mijn/", "approved", "cancel"],
    BOARD: ["/bestuur/", "requested", "/bestuur/huizen/de-kastanje/sluitingen/", "/bestuur/huizen/de-kastanje/agenda/"],
}


def _path(site, name: str) -> str:
    return {"room": f"/zalen/{site['room'].pk}/", "approved": f"/mijn/boekingen/{site['approved'].pk}/",
            "cancel": f"/mijn/boekingen/{site['approved'].pk}/annuleren/",
            "requested": f"/bestuur/boekingen/{site['requested'].pk}/"}.get(name, name)


@pytest.mark.parametrize("role", [ANONYMOUS, RESIDENT, BOARD])
def test_focus__every_focusable_element_shows_the_one_focus_style(live_server, browser: Browser, site, role):
    context = _context(browser, live_server.url, site["users"].get(role))
    page = context.new_page()
    wrong, counted = {}, 0
    for name in KEY_PAGES[role]:
        path = _path(site, name)
        page.goto(f"{live_server.url}{path}")
        world.settle(page)
        reached = _tab_through(page)
        assert len(reached) >= 5, path  # the header alone has more; Tab works
        counted += len(reached)
        for f in reached:
            style = {k: f[k] for k in FOCUS}
            if style != FOCUS or HALO not in f["boxShadow"] or not f["visible"]:
                wrong.setdefault(path, []).append({**style, "name": f["name"], "halo": f["boxShadow"],
                                                   "visible": f["visible"]})
    context.close()
    assert counted > 40
    assert wrong == {}, json.dumps(wrong, indent=1, ensure_ascii=False)


def test_skip_link__the_first_tab_shows_a_readable_link(live_server, browser: Browser, site):
    context = _context(browser, live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    skip = page.locator(".zb-skip")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box["y"] >= 0 and box["height"] > 10 and box["width"] > 50  # on screen, not an empty box
    assert skip.evaluate(CONTRAST) >= 4.5
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()
    context.close()


@pytest.mark.parametrize("where", ["room", "board"])
def test_calendar__axe_after_each_view_and_a_move_and_the_move_is_announced(live_server, browser: Browser, site,
                                                                             where):
    user = site["users"][BOARD] if where == "board" else None
    context = _context(browser, live_server.url, user)
    page = context.new_page()
    path = _path(site, "room") + "?datum=2027-01-30" if where == "room" else "/bestuur/huizen/de-kastanje/agenda/"
    page.goto(f"{live_server.url}{path}")
    world.settle(page)
    calendar = page.locator("[data-calendar]")
    live = page.locator("[data-calendar-live]")
    expect(live).to_have_attribute("aria-live", "polite")
    violations = {}
    for view in ("Maand", "Lijst", "Week"):
        calendar.get_by_role("button", name=view, exact=True).click()
        page.wait_for_load_state("networkidle")
        title = calendar.locator(".fc-toolbar-title").inner_text()
        expect(live).to_have_text(title)  # the new view's period, said aloud
        if found := _axe(page):
            violations[view] = found
        calendar.get_by_role("button", name="Volgende ›").click()
        page.wait_for_load_state("networkidle")
        moved = calendar.locator(".fc-toolbar-title").inner_text()
        assert moved != title
        expect(live).to_have_text(moved)
        if found := _axe(page):
            violations[f"{view} + volgende"] = found
    context.close()
    assert violations == {}, json.dumps(violations, indent=1, ensure_ascii=False)


def test_month_view__days_of_neighbouring_months_are_readable(live_server, browser: Browser, site):
    context = _context(browser, live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}{_path(site, 'room')}?datum=2027-01-30")
    world.settle(page)
    page.locator("[data-calendar]").get_by_role("button", name="Maand", exact=True).click()
    other = page.locator(".fc-day-other .fc-daygrid-day-number").first
    expect(other).to_be_visible()
    ratio = other.evaluate("""(el) => {
      const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
      const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
      let opacity = 1; for (let p = el; p; p = p.parentElement) { opacity *= Number(getComputedStyle(p).opacity); }
      const c = rgb(getComputedStyle(el).color).map((v) => 255 - (255 - v) * opacity);  // on white
      return 1.05 / (lum(c) + 0.05);
    }""")
    assert ratio >= 4.5
    context.close()


def test_form_with_errors__focus_lands_on_an_announced_error_summary(live_server, browser: Browser, site):
    context = _context(browser, live_server.url, site["users"][BOARD])
    page = context.new_page()
    page.goto(f"{live_server.url}/bestuur/huizen/de-kastanje/sluitingen/")
    page.fill("#id_date", "2027-02-15")
    page.fill("#id_end_date", "2027-02-10")
    page.fill("#id_reason", "Fout")
    page.get_by_role("button", name="Sluiting toevoegen").click()
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.get_by_role("link")).to_have_count(1)
    # The error also stands next to its field, which the summary's link leads to.
    expect(page.locator("#id_end_date_error")).to_be_visible()
    summary.get_by_role("link").click()
    expect(page.locator("#id_end_date")).to_be_focused()
    context.close()


def test_reject_without_reason__error_next_to_the_field_and_focus_on_the_summary(live_server, browser: Browser, site):
    context = _context(browser, live_server.url, site["users"][BOARD])
    page = context.new_page()
    page.goto(f"{live_server.url}{_path(site, 'requested')}")
    page.get_by_role("button", name="Afwijzen").click()
    expect(page.locator("#form-errors")).to_be_focused()
    reason = page.locator(f"#id_b{site['requested'].pk}-reason")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#id_b{site['requested'].pk}-reason_error")).to_have_text("Geef een reden voor de afwijzing.")
    context.close()

"""The municipality's charts (frontend/charts.py) are readable on a 375 px phone (seen: the house page's month chart
came out 271 px wide with 5 px text). A month chart or a bar list is never drawn narrower than one unit a pixel
(11 px text): it scrolls sideways inside a focusable region named by the chart's title, the page itself does not;
the heat map fits the screen with larger text and its column heads do not run into each other. Measured in
Chromium, every chart of every page that has one."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.pages import MUNICIPALITY, build, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MIN_TEXT_PX = 11  # the height of a text's box: about 9 px type and more (before: 5 px)


@pytest.fixture
def site(transactional_db, monkeypatch):
    return build(monkeypatch)


def test_phone__every_chart_readable_at_375px(live_server, browser: Browser, site):
    house = site["room"].house
    context = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  viewport={"width": 375, "height": 800})
    sign_in(context, live_server.url, site["users"][MUNICIPALITY])
    page = context.new_page()
    seen = []
    for path in ["/gemeente/", f"/gemeente/huizen/{house.pk}/", "/gemeente/inkomsten/", "/gemeente/bezetting/",
                 f"/gemeente/huizen/{house.pk}/bezetting/", "/gemeente/rapport/2026/"]:
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), path
        for chart in page.locator("svg.usage-chart").all():
            found = chart.evaluate("""svg => {
              const region = svg.parentElement.closest('[role=region]');
              const named = region && document.getElementById(region.getAttribute('aria-labelledby'));
              const cells = svg.querySelector('rect') && svg.querySelector('rect').getBoundingClientRect().top;
              const heads = [...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect())
                .filter(box => box.bottom <= cells + 1);
              return {id: svg.id, heat: svg.classList.contains('heat-map'),
                      width: svg.getBoundingClientRect().width,
                      text: Math.min(...[...svg.querySelectorAll('text')].map(t => t.getBoundingClientRect().height)),
                      region: region && {tabindex: region.getAttribute('tabindex'), name: named && named.textContent,
                                         scrolls: region.scrollWidth > region.clientWidth},
                      overlap: heads.some((a, i) => i && a.left < heads[i - 1].right)}; }""")
            seen.append(found)
            assert found["text"] >= MIN_TEXT_PX, (path, found)
            if found["heat"]:
                assert found["width"] <= 375 and not found["overlap"], (path, found)
            else:
                assert found["width"] >= 640, (path, found)
                assert found["region"] and found["region"]["scrolls"] and found["region"]["tabindex"] == "0", found
                assert found["region"]["name"], (path, found)  # the region is named by the chart's own title
    context.close()
    kinds = {("heat" if f["heat"] else f["id"]) for f in seen}
    assert {"chart-city", "chart-house", "chart-income", "chart-occupancy", "heat", "chart-usage-report",
            "chart-occupancy-report", "chart-meldingen", "chart-income-report"} <= kinds, kinds

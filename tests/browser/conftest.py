"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

They skip with a clear message when Chromium is absent (`playwright install` cannot download browsers here; install
Debian's package instead: `apt-get install chromium`). The path can be changed with ZAALBOEK_CHROMIUM.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ZAALBOEK_CHROMIUM", "/usr/bin/chromium")
HERE = Path(__file__).parent
AXE = HERE / "vendor" / "axe.min.js"
SCREENSHOTS = HERE.parent.parent / "docs" / "screenshots"


def _is_browser_test(item) -> bool:
    return Path(str(item.fspath)).is_relative_to(HERE)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    # Browser tests run last: Playwright's event loop lives in the main thread until the session ends, and Django
    # refuses ORM calls next to a running loop (see pytest_runtest_protocol below). `trylast`: after pytest's own
    # reordering by higher-scoped fixture parameters, which otherwise moves them between other tests that share a
    # session-scoped parameter (pytest-playwright's browser_name).
    items.sort(key=_is_browser_test)
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: browser tests skipped "
                                   "(install it with `apt-get install chromium`, or set ZAALBOEK_CHROMIUM)")
    for item in items:
        if _is_browser_test(item):
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """DJANGO_ALLOW_ASYNC_UNSAFE for the browser tests only (setup, call and teardown): the ORM calls here
    (factories, assertions, database flushes) are synchronous and safe next to Playwright's sync API. Not set for
    other tests: `manage.py check --deploy`, which some run in a subprocess, rightly refuses it."""
    if not _is_browser_test(item):
        yield
        return
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--lang=nl-NL"],
        # The browser's own language (Debian's chromium-l10n holds its Dutch): native date and time inputs read
        # dd-mm-jjjj and 24 h as in a Dutch browser; the context's locale alone changes only the page's language.
        "env": {**os.environ, "LANGUAGE": "nl", "LANG": "nl_NL.UTF-8"},
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # Dutch browser: date inputs take dd-mm-jjjj, as a resident here would type them.
    return {**browser_context_args, "locale": "nl-NL", "timezone_id": "Europe/Amsterdam",
            "viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def csp_errors(page):
    """Console messages about Content-Security-Policy violations; tests assert there are none."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors

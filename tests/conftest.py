import datetime as dt

import pytest

from boeking import clock
from tests.factories import RoomFactory, default_caps


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze boeking.clock.now(); returns a setter: `frozen_now(aware_datetime)`."""
    state = {"now": dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ)}
    monkeypatch.setattr(clock, "_now", lambda: state["now"])

    def set_now(moment: dt.datetime) -> dt.datetime:
        state["now"] = moment
        return moment

    set_now.current = lambda: state["now"]
    return set_now


@pytest.fixture
def caps(db):
    default_caps()


@pytest.fixture
def room(db, caps):
    return RoomFactory()


@pytest.fixture
def admin_user(admin_user):
    """pytest-django's superuser, with the authenticator app administrators must have (issue 17: two-factor),
    secret `tests.factories.TOTP_SECRET`, as the factories give one."""
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import TOTP_SECRET

    TOTP.activate(admin_user, TOTP_SECRET)
    return admin_user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and lockout counters live in the cache, keyed by user id or address; ids repeat between tests, so
    no test may inherit another's counts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A page requested in English leaves English active in this thread (LocaleMiddleware does not switch back):
    every test starts and ends in the default language, so no test depends on the order it runs in."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _room_versions_bumped_at_once(request):
    """On PostgreSQL the triggers that bump a room's RoomVersion run at COMMIT (deferred constraint triggers,
    migration 0014). A test runs inside one transaction that never commits: it asks for them at once, so that a
    search after a change in the same test sees it. Tests with real transactions (transaction=True) keep the
    deferral — tests/boeking/test_search.py checks it there."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if names & {"transactional_db", "live_server", "django_db_serialized_rollback"}:
        return
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    if marker is None and "db" not in names:
        return
    request.getfixturevalue("db")
    from django.db import connection

    if connection.vendor == "postgresql":
        from boeking.search import VERSION_TRIGGERS

        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(VERSION_TRIGGERS)} IMMEDIATE")

"""The PostgreSQL backend's health check (config/postgresql, issue 19): a reused connection is checked without a
round trip, and a connection the server ended is still noticed before a request uses it."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection, connections

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="Zaalboek's own PostgreSQL backend")]


@pytest.fixture
def own_connection():
    """A connection of its own (not the test's transaction), as a gunicorn worker holds one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _server_url(wrapper) -> str:
    params = wrapper.get_connection_params()
    return psycopg.conninfo.make_conninfo(**{k: v for k, v in params.items() if k in (
        "dbname", "user", "host", "port", "password")})


def test_is_usable__an_idle_connection_without_a_query(own_connection, monkeypatch):
    def no_query(*args, **kwargs):
        raise AssertionError("the health check ran a query")

    monkeypatch.setattr(own_connection.connection, "cursor", no_query)
    monkeypatch.setattr(own_connection.connection, "execute", no_query)
    assert own_connection.is_usable()


def test_is_usable__a_connection_the_server_ended_is_not(own_connection):
    pid = own_connection.connection.info.backend_pid
    with psycopg.connect(_server_url(own_connection), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 5
    while own_connection.is_usable() and time.monotonic() < deadline:
        time.sleep(0.05)  # the server's goodbye reaches the socket
    assert not own_connection.is_usable()
    # As Django does at a request's start: a failed check closes it, and the next query opens a new connection.
    own_connection.health_check_enabled, own_connection.health_check_done = True, False
    own_connection.close_if_health_check_failed()
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
    assert own_connection.connection.info.backend_pid != pid


def test_is_usable__a_failed_transaction_is_not(own_connection):
    own_connection.connection.autocommit = False
    with pytest.raises(psycopg.errors.DivisionByZero):
        own_connection.connection.execute("SELECT 1/0")
    assert not own_connection.is_usable()
    own_connection.connection.rollback()
    assert own_connection.is_usable()


def test_prepared_cursor__the_availability_statement_is_prepared_once_per_connection(own_connection, settings):
    """The availability endpoint's statement is parsed and planned once per connection (config.postgresql): after
    two calls the connection holds it prepared, once. With ZAALBOEK_PREPARED_STATEMENTS off nothing is prepared."""
    from boeking.availability import _window_sql

    def run():
        with own_connection.prepared_cursor() as cursor:
            cursor.execute(_window_sql("postgresql"), [1, 1, 1, "2027-01-02", "2027-01-01", 1, "2027-01-01", "2027-01-02"])
            cursor.fetchall()

    def prepared() -> int:
        with own_connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    run()
    run()
    assert prepared() == 1
    settings.ZAALBOEK_PREPARED_STATEMENTS = False
    fresh = connections.create_connection("default")
    try:
        with fresh.prepared_cursor() as cursor:
            cursor.execute(_window_sql("postgresql"), [1, 1, 1, "2027-01-02", "2027-01-01", 1, "2027-01-01", "2027-01-02"])
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0
    finally:
        fresh.close()

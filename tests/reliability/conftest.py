"""Helpers for the reliability tests: the WSGI app called from real threads, SQL invariants, table row counts."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrency and connection loss are proven on PostgreSQL (set DATABASE_URL); SQLite serialises writers")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle and lockout counters live in the cache: each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


class Response:
    def __init__(self, status: int, headers: dict, body: bytes):
        self.status_code, self.headers, self.content = status, headers, body

    def json(self):
        return json.loads(self.content)

    def __repr__(self):
        return f"<{self.status_code} {self.content[:200]!r}>"


_app = None


def wsgi(method: str, path: str, body=None, *, token: str | None = None, content_type: str = "application/json",
         extra: dict | None = None) -> Response:
    """One request through Django's real WSGI handler (request_started/finished signals included, so connection
    reuse and health checks behave as under gunicorn). Call it from any thread: each thread has its own connection."""
    global _app
    if _app is None:
        _app = WSGIHandler()
    data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
    headers = dict(extra or {})
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    request = RequestFactory().generic(method, path, data or "", content_type=content_type, **headers)
    captured = {}

    def start_response(status, response_headers, exc_info=None):
        captured["status"] = int(status.split()[0])
        captured["headers"] = dict(response_headers)

    chunks = _app(request.environ, start_response)
    try:
        content = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()  # request_finished: Django closes or keeps the connection as CONN_MAX_AGE says
    return Response(captured["status"], captured["headers"], content)


def row_counts() -> dict[str, int]:
    """Rows in every table of every installed model (sessions and cache excluded: a login writes them)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        if model._meta.db_table in ("django_session",):
            continue
        counts[model._meta.db_table] = model._base_manager.count()
    return counts

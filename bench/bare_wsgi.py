"""The floor for the availability endpoint: a bare WSGI app (no Django) that runs the endpoint's own SQL statement
(`boeking.availability.load_window`, text in $BARE_SQL_FILE) for `/rooms/<id>/?start=YYYY-MM-DD&end=YYYY-MM-DD` over
one persistent psycopg connection per worker and answers the rows as JSON. Served by gunicorn in bench_national.py:

    BARE_SQL_FILE=… BARE_DATABASE_URL=postgres://… gunicorn -w 2 bare_wsgi:application
"""

from __future__ import annotations

import datetime as dt
import json
import os
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import psycopg

TZ = ZoneInfo("Europe/Amsterdam")
SQL = open(os.environ["BARE_SQL_FILE"]).read()  # noqa: SIM115 - read once at import
_conn = None


def _connection():
    global _conn
    if _conn is None or _conn.closed:
        _conn = psycopg.connect(os.environ["BARE_DATABASE_URL"], autocommit=True)
    return _conn


def _text(value):
    return value.isoformat() if isinstance(value, (dt.datetime, dt.time)) else value


def application(environ, start_response):
    try:
        room = int(environ["PATH_INFO"].strip("/").split("/")[1])
        query = parse_qs(environ.get("QUERY_STRING", ""))
        first, last = dt.date.fromisoformat(query["start"][0]), dt.date.fromisoformat(query["end"][0])
    except (IndexError, KeyError, ValueError):
        start_response("400 Bad Request", [("Content-Type", "application/json")])
        return [b'{"code":"bad_request"}']
    start = dt.datetime.combine(first, dt.time(), tzinfo=TZ)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=TZ)
    rows = _connection().execute(SQL, [room, room, room, end, start, room, start, end]).fetchall()
    body = json.dumps({"room": room, "rows": [[_text(v) for v in row] for row in rows]}).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]

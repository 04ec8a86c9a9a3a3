"""Helpers for the account tests (issue 17): a TOTP code from a secret, the link in a mail, a resident who signed up
through the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

from boeking import clock


def totp_code(secret: str, step: int = 0) -> str:
    """The authenticator app's code for `secret` now (RFC 6238 via allauth's HOTP), `step` periods of 30 s away (the
    tolerance allows ±1; a code is accepted only once, so a second login in the same period uses another step)."""
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time

    counters = list(yield_hotp_counters_from_time())
    middle = counters[len(counters) // 2]
    return format_hotp_value(hotp_value(secret, middle + step))


def link_in(message, prefix: str = "http") -> str:
    found = re.search(rf"({re.escape(prefix)}\S+)", message.body)
    assert found, message.body
    return found.group(1)


def signup_data(**changes) -> dict:
    data = {"first_name": "Anouk", "last_name": "Janssen", "email": "anouk@example.org", "postcode": "6221 AB",
            "phone": "", "password1": "Zaalboek-2027!", "adult": "on"}
    data.update(changes)
    return data


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


@pytest.fixture
def signed_up(db, caps):
    """A resident who signed up on the page (not yet verified), logged in on `client`; their verification mail."""
    client = Client()
    mail.outbox.clear()
    response = client.post("/aanmelden/", signup_data())
    assert response.status_code == 302, response.content[:500]
    from django.contrib.auth import get_user_model

    return {"client": client, "user": get_user_model().objects.get(username="anouk@example.org"),
            "mail": mail.outbox[-1]}

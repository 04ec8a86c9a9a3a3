"""allauth's notification mails (password changed, address changed, two-factor on or off…) say when the change was
made: on Maastricht's clock, in the recipient's language, the way the booking mails write a day and a time — not
Django's default "Nov. 30, 2026, 2:01 p.m." in UTC."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from boeking.models import Profile
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CHANGED_AT = dt.datetime(2026, 11, 30, 14, 1, tzinfo=dt.UTC)  # 15:01 in Maastricht (winter time)


@pytest.mark.parametrize(("language", "expected"), [("nl", "ma 30 november 2026 15:01"),
                                                    ("en", "Mon 30 November 2026 15:01")])
def test_password_changed_mail__the_moment_in_local_time_and_the_recipients_language(client, monkeypatch, language,
                                                                                     expected):
    user = UserFactory.resident(first_name="Truus")
    Profile.objects.filter(user=user).update(language=language)
    monkeypatch.setattr(timezone, "now", lambda: CHANGED_AT)  # allauth stamps its notifications with Django's clock
    client.force_login(user)
    mail.outbox.clear()
    response = client.post("/account/password/change/", {"oldpassword": "demo", "password1": "Nieuw-wachtwoord-2027",
                                                          "password2": "Nieuw-wachtwoord-2027"})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert expected in message.body, message.body
    assert "p.m." not in message.body and "14:01" not in message.body

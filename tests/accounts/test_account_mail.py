"""allauth's mails (verification, reset, two-factor and password changes) go the way of every mail
(boeking.notifications.account_mail): a `deliver` job in the request's transaction, the recipient's language, a clean
subject, sent once per job — a second request for a link is a second mail — and a failed send waits for its retry."""

from __future__ import annotations

import json
import socket

import pytest
from django.core import mail
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from boeking import notifications
from boeking.jobs import queue
from boeking.jobs.models import SentMail
from boeking.models import Profile
from tests.factories import UserFactory
from tests.jobs.queue import db_queue, run_queue  # noqa: F401  (db_queue: a fixture, used by name)

from .conftest import link_in

pytestmark = pytest.mark.django_db

RESET = "http://testserver/account/password/reset/key/"


@pytest.fixture
def truus(db):
    return UserFactory.resident(email="truus@example.org", username="truus@example.org", first_name="Truus")


def ask_reset(client, email: str = "truus@example.org"):
    response = client.post("/account/password/reset/", {"email": email})
    assert response.status_code == 302, response.content[:300]


def test_account_mail__the_old_second_mail_door_is_gone():
    import importlib.util

    assert importlib.util.find_spec("boeking.accounts.tasks") is None


def test_reset_link_asked_twice__two_mails_each_with_a_link_and_its_own_sent_mail_key(client, truus):
    mail.outbox.clear()
    ask_reset(client)
    ask_reset(client)
    assert [m.to for m in mail.outbox] == [["truus@example.org"]] * 2
    assert all(link_in(m, RESET) for m in mail.outbox)
    keys = SentMail.objects.filter(event="account.password_reset_key", about=f"user:{truus.pk}")
    assert keys.count() == 2


def test_account_mail__in_the_profile_language_not_the_page(client, truus):
    Profile.objects.filter(user=truus).update(language="en")
    mail.outbox.clear()
    ask_reset(client)  # the page is Dutch
    (message,) = mail.outbox
    assert message.subject == "Zaalboek: Set a new password"
    assert message.body.startswith("Dear Truus,") and "Click the link below to choose a new password:" in message.body


def test_account_mail__from_the_same_address_as_every_mail(client, truus, settings):
    mail.outbox.clear()
    ask_reset(client)
    assert mail.outbox[0].from_email == settings.DEFAULT_FROM_EMAIL


def test_account_mail__notification_subject_is_one_line_prefixed_once(client):
    user = UserFactory.resident()
    client.force_login(user)
    mail.outbox.clear()
    response = client.post("/account/password/change/", {"oldpassword": "demo", "password1": "Nieuw-wachtwoord-2027",
                                                          "password2": "Nieuw-wachtwoord-2027"})
    assert response.status_code == 302
    (message,) = mail.outbox  # allauth's subject template spans four lines
    assert message.to == [user.email]
    assert message.subject.startswith("Zaalboek: ") and message.subject.count("Zaalboek") == 1
    assert "\n" not in message.subject and message.subject == message.subject.strip()
    assert SentMail.objects.filter(event="account.password_changed", about=f"user:{user.pk}").exists()


def test_account_mail__notification_without_user_in_its_context__still_the_profile_language(client):
    user = UserFactory.resident(first_name="Truus")  # allauth's notification context has no `user`: found by address
    Profile.objects.filter(user=user).update(language="en")
    client.force_login(user)
    mail.outbox.clear()
    client.post("/account/password/change/", {"oldpassword": "demo", "password1": "Nieuw-wachtwoord-2027",
                                              "password2": "Nieuw-wachtwoord-2027"})
    (message,) = mail.outbox
    assert message.subject == "Zaalboek: Password Changed" and message.body.startswith("Dear Truus,")


def test_account_subject__control_characters_folded_prefix_not_doubled():
    assert notifications.account_subject("\n Nieuw\twachtwoord\r\n") == "Zaalboek: Nieuw wachtwoord"
    assert notifications.account_subject("Zaalboek: Nieuw wachtwoord\n") == "Zaalboek: Nieuw wachtwoord"


def test_account_mail__unknown_address__the_page_language_and_no_account_in_the_key(client, db):
    client.post("/taal/", {"language": "en", "next": "/"})
    mail.outbox.clear()
    ask_reset(client, "niemand@example.org")
    (message,) = mail.outbox
    assert message.to == ["niemand@example.org"] and "there is no Zaalboek account" in message.body
    assert SentMail.objects.filter(event="account.unknown_account", about="user:-").exists()


@pytest.mark.usefixtures("db_queue")
def test_account_mail__a_deliver_job_that_holds_the_message_sealed(client, truus):
    mail.outbox.clear()
    ask_reset(client)
    assert mail.outbox == []  # nothing sent in the request
    (job,) = DBTaskResult.objects.all()
    assert job.task_path == "boeking.notifications.deliver"
    args = job.args_kwargs["args"]
    assert args[:5] == ["account_message", "truus@example.org", "nl", "account.password_reset_key", f"user:{truus.pk}"]

    assert run_queue() == 1
    (message,) = mail.outbox
    link = link_in(message, RESET)
    key = link.removeprefix(RESET).strip("/")
    stored = json.dumps(job.args_kwargs)
    assert key and key not in stored and "password/reset/key" not in stored and "Truus" not in stored


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.usefixtures("db_queue")
def test_account_mail__smtp_down__the_job_waits_for_its_retry__then_one_mail(client, truus, settings):
    ask_reset(client)
    locmem = settings.MAILERS
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": _unused_port(), "use_tls": False,
                                                "timeout": 2}}}
    mail.outbox.clear()
    run_queue()
    (job,) = DBTaskResult.objects.all()
    assert job.status == TaskResultStatus.READY and "ConnectionRefusedError" in job.exception_class_path  # a retry
    assert not SentMail.objects.exists() and mail.outbox == []

    settings.MAILERS = locmem  # the mail server is back
    queue.rerun(DBTaskResult.objects.all())  # the retry, now
    run_queue()
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL
    (message,) = mail.outbox
    assert link_in(message, RESET)
    assert SentMail.objects.filter(event="account.password_reset_key").count() == 1

    queue.rerun(DBTaskResult.objects.all())  # a job run again (nothing to re-run: it succeeded) sends nothing
    run_queue()
    assert len(mail.outbox) == 1

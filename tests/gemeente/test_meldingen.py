"""Meldingen (SPEC §4): on approval of a party or gathering, a melding in the municipality's list and an e-mail to
the configured address (RuleSettings.melding_email, else settings.ZAALBOEK_MELDING_EMAIL); a cancellation sends
a withdrawal. Koffietafels are exempt. No personal data in any of it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from boeking.models import Melding, RuleSettings
from boeking.services import booking_cancel
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def january(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))


def approve_party(room, **kwargs):
    resident = UserFactory.resident(first_name="Truus", last_name="Vrancken", email="truus@example.org",
                                    username="truus@example.org", profile__phone="06-99887766")
    return BookingFactory.approved(room=room, booker=resident, start=local_dt(2027, 3, 6, 19),
                                   end=local_dt(2027, 3, 6, 23), title="50 jaar Truus", guests=60, **kwargs)


def melding_mails():
    return [m for m in mail.outbox if m.subject.startswith(("Melding", "Intrekking"))]


def assert_no_personal_data(message):
    text = message.subject + message.body
    for value in ("Truus", "Vrancken", "truus@example.org", "06-99887766", "6221"):
        assert value not in text


@override_settings(ZAALBOEK_MELDING_EMAIL="fallback@gemeente.example")
def test_melding__on_party_approval_mailed_to_the_address_in_the_rule_settings(room, django_capture_on_commit_callbacks):
    RuleSettings.objects.update_or_create(pk=RuleSettings.current().pk, defaults={"melding_email": "alcohol@maastricht.example"})
    with django_capture_on_commit_callbacks(execute=True):
        booking = approve_party(room)
    melding = Melding.objects.get(booking=booking)
    assert (melding.house, melding.kind, melding.guests, melding.alcohol, melding.start) == (
        room.house, "party", 60, True, booking.start)
    [message] = melding_mails()
    assert message.to == ["alcohol@maastricht.example"]
    assert room.house.name in message.subject and "za 6 maart 2027, 19:00–23:00" in message.body
    assert "Gasten:   60" in message.body and "Alcohol:  ja" in message.body
    assert_no_personal_data(message)


@override_settings(ZAALBOEK_MELDING_EMAIL="fallback@gemeente.example")
def test_melding__without_an_address_in_the_settings_goes_to_the_installation_address(room,
                                                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        approve_party(room)
    assert [m.to for m in melding_mails()] == [["fallback@gemeente.example"]]


def test_melding__koffietafel_is_exempt(room, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = BookingFactory.approved(room=room, kind="koffietafel", alcohol=False, start=local_dt(2027, 1, 8, 11),
                                          end=local_dt(2027, 1, 8, 14))
    assert booking.status == "approved"
    assert not Melding.objects.exists() and not melding_mails()


def test_melding__cancellation_withdraws_and_mails_a_withdrawal(room, django_capture_on_commit_callbacks):
    booking = approve_party(room)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, actor=booking.booker, reason="Truus is ziek")
    melding = Melding.objects.get(booking=booking)
    assert melding.withdrawn_at is not None
    [message] = melding_mails()
    assert message.subject.startswith("Intrekking melding feest") and "INGETROKKEN" in message.body
    assert_no_personal_data(message)


def test_melding__arrives_at_least_the_notice_period_before_the_event(room):
    booking = approve_party(room)
    melding = Melding.objects.get(booking=booking)
    notice = RuleSettings.current().min_notice_hours("party")
    assert (melding.start - melding.created_at).total_seconds() >= notice * 3600


def test_meldingen_page__lists_them_with_withdrawn_marked_and_no_personal_data(client, room):
    booking = approve_party(room)
    booking_cancel(booking=booking, actor=booking.booker, reason="Truus is ziek")
    client.force_login(UserFactory.municipality())
    body = client.get("/gemeente/meldingen/").content.decode()
    assert room.house.name in body and "Ingetrokken" in body
    assert "06-03-2027 19:00" in body and "Feest" in body
    for value in ("Truus", "Vrancken", "truus@example.org"):
        assert value not in body


def test_meldingen_page__shows_coming_events_by_default_all_with_a_filter(client, room, frozen_now):
    approve_party(room)
    frozen_now(local_dt(2027, 3, 10, 9))
    client.force_login(UserFactory.municipality())
    assert "06-03-2027 19:00" not in client.get("/gemeente/meldingen/").content.decode()
    assert "06-03-2027 19:00" in client.get("/gemeente/meldingen/?start=2027-03-01").content.decode()

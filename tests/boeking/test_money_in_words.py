"""Money in words (issue 20): the approval mail says how to pay (amount, IBAN, reference, deadline); payment
deadlines fall on a full hour; the cancel page says how and when a refund comes back; the offline payment text
uses the page's language for its weekday."""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import translation

from boeking import notifications, services
from boeking.jobs.models import SentMail
from boeking.models import House, Profile, RuleSettings
from boeking.services import payments
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

IBAN = "NL91ABNA0417164300"


@pytest.fixture
def approved(frozen_now, room):
    frozen_now(local_dt(2027, 3, 1, 10, 17))  # approved at 10:17 → due 8 March 11:00, not 10:17
    House.objects.filter(pk=room.house_id).update(bank_account="NL91 ABNA 0417 1643 00")
    resident = UserFactory.resident(first_name="Truus", last_name="Vrancken")
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.requested(room=room, booker=resident, start=local_dt(2027, 4, 3, 19),
                                       end=local_dt(2027, 4, 3, 23))
    booking = services.booking_approve(booking=booking, actor=volunteer)
    mail.outbox.clear()
    SentMail.objects.all().delete()
    return booking


def test_payment_deadline__rounded_up_to_the_next_full_hour(approved):
    assert approved.payment_deadline == local_dt(2027, 3, 8, 11)


def test_payment_deadline__a_full_hour_stays_and_the_start_still_caps_it(approved):
    from boeking.services.bookings import payment_deadline_for

    rules = RuleSettings.current()
    assert rules.payment_days == 7
    assert payment_deadline_for(approved, approved_at=local_dt(2027, 3, 1, 10), settings=rules) == local_dt(
        2027, 3, 8, 10)
    # Rounded up, yet never after the start (Saturday 3 April 19:00).
    assert payment_deadline_for(approved, approved_at=local_dt(2027, 3, 27, 18, 41), settings=rules) == local_dt(
        2027, 4, 3, 19)


def test_approval_mail__says_amount_iban_reference_and_deadline(approved):
    notifications.booking_approved(approved.pk)
    (message,) = mail.outbox
    body = message.body
    assert "Zo betaalt u" in body
    amount = f"€ {approved.total_cents // 100},{approved.total_cents % 100:02d}"
    assert amount.replace(" ", "\u00a0") in body or amount in body
    assert IBAN in body and f"Zaalboek {approved.pk}" in body
    assert "ma 08-03-2027 11:00" in body


def test_approval_mail__in_english_for_an_english_speaking_booker(approved):
    Profile.objects.filter(user=approved.booker).update(language="en")
    notifications.booking_approved(approved.pk)
    body = mail.outbox[0].body
    assert "How to pay" in body and "Transfer to" in body and "Mon 08-03-2027 11:00" in body
    assert "Overmaken" not in body and "Kenmerk" not in body


def test_offline_instructions__weekday_in_the_active_language(approved):
    with translation.override("en"):
        text = payments.offline_instructions(approved, approved.total_cents)
    assert "Mon 08-03-2027 11:00" in text and " ma " not in text
    with translation.override("nl"):
        assert "ma 08-03-2027 11:00" in payments.offline_instructions(approved, approved.total_cents)


def test_cancel_page__says_how_and_when_an_offline_refund_comes_back(client, approved, frozen_now):
    volunteer = UserFactory.volunteer(approved.house)
    services.booking_mark_paid(booking=approved, actor=volunteer)
    client.force_login(approved.booker)
    text = client.get(f"/mijn/boekingen/{approved.pk}/annuleren/").content.decode()
    assert 'id="refund-how"' in text
    assert "maakt het over naar de rekening waarvan u betaalde, meestal binnen een week" in text
    assert "U krijgt een e-mail zodra het is terugbetaald." in text


def test_cancel_page__nothing_paid_says_nothing_comes_back(client, approved):
    client.force_login(approved.booker)
    text = client.get(f"/mijn/boekingen/{approved.pk}/annuleren/").content.decode()
    assert "U heeft nog niets betaald, dus er hoeft niets terug." in text


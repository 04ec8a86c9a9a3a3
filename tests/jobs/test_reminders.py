"""Reminders (Dutch and English, like the other mails), each once per booking, each can be turned off per house:
payment before the deadline, the event two days before, the board before a request expires and after an event whose
deposit is still to settle."""

from __future__ import annotations

import pytest
from django.core import mail

from boeking import services
from boeking.jobs.models import HouseReminderSettings, Reminder
from boeking.jobs.reminders import queue_due
from boeking.models import Booking, House, Location, Profile
from tests.factories import BookingFactory, RoomFactory, UserFactory, default_caps, local_dt

pytestmark = pytest.mark.django_db

SAT = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))


@pytest.fixture
def world(frozen_now):
    default_caps()
    frozen_now(local_dt(2027, 3, 1, 10))
    room = RoomFactory()
    House.objects.filter(pk=room.house_id).update(phone="043-1234599", house_rules="Geen confetti.\nOm 1 uur dicht.")
    Location.objects.filter(pk=room.location_id).update(street="Rechtstraat 1", postcode="6221 EG", city="Maastricht")
    resident = UserFactory.resident(first_name="Truus", last_name="Vrancken")
    volunteer = UserFactory.volunteer(room.house)
    return room, resident, volunteer


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_payment_reminder__before_the_deadline__once__not_after_payment(world, frozen_now):
    room, resident, volunteer = world
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    booking = services.booking_approve(booking=booking, actor=volunteer)  # pay within 7 days: 8 March 10:00
    mail.outbox.clear()

    frozen_now(local_dt(2027, 3, 5, 9))  # 73 hours before: not yet
    assert queue_due()["payment"] == 0
    frozen_now(local_dt(2027, 3, 6, 11))  # 47 hours before
    assert queue_due()["payment"] == 1
    (message,) = _to(resident.email)
    assert message.subject == f"Betaalherinnering: {room}, za 03-04-2027 19:00"
    assert "Betaal € 150,00 vóór ma 08-03-2027 10:00" in message.body and f"/mijn/boekingen/{booking.pk}/" in message.body
    frozen_now(local_dt(2027, 3, 7, 11))
    assert queue_due()["payment"] == 0 and len(mail.outbox) == 1  # once


def test_payment_reminder__in_english(world, frozen_now):
    room, resident, volunteer = world
    Profile.objects.filter(user=resident).update(language="en")
    services.booking_approve(booking=BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1]),
                             actor=volunteer)
    mail.outbox.clear()
    frozen_now(local_dt(2027, 3, 6, 11))
    queue_due()
    (message,) = _to(resident.email)
    assert message.subject == f"Payment reminder: {room}, Sat 03-04-2027 19:00"
    assert "Please pay € 150,00 before Mon 08-03-2027 10:00" in message.body and message.body.startswith("Dear Truus")


def test_event_reminder__two_days_before__date_address_house_rules_whom_to_call(world, frozen_now):
    room, resident, volunteer = world
    booking = BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=SAT[0], end=SAT[1])
    mail.outbox.clear()
    frozen_now(local_dt(2027, 3, 30, 19))
    assert queue_due()["event"] == 0
    frozen_now(local_dt(2027, 4, 1, 20))
    assert queue_due()["event"] == 1
    (message,) = _to(resident.email)
    assert message.subject == f"Tot binnenkort: {room}, za 03-04-2027 19:00"
    body = message.body
    assert "Wanneer:   za 3 april 2027, 19:00–23:00" in body
    assert "Adres:     Rechtstraat 1, 6221 EG Maastricht" in body
    assert f"het bestuur van {booking.house.name}, 043-1234599" in body
    assert "Huisregels:\nGeen confetti.\nOm 1 uur dicht." in body


def test_event_reminder__in_english(world, frozen_now):
    room, resident, volunteer = world
    Profile.objects.filter(user=resident).update(language="en")
    BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=SAT[0], end=SAT[1])
    mail.outbox.clear()
    frozen_now(local_dt(2027, 4, 1, 20))
    queue_due()
    (message,) = _to(resident.email)
    assert message.subject == f"See you soon: {room}, Sat 03-04-2027 19:00"
    assert "Address:" in message.body and "House rules:" in message.body and "the board of" in message.body


def test_decision_reminder__to_the_board_a_day_before_the_request_expires(world, frozen_now):
    room, resident, volunteer = world
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    mail.outbox.clear()
    frozen_now(local_dt(2027, 3, 7, 11))  # expires 8 March 10:00
    assert queue_due()["decision"] == 1
    assert _to(resident.email) == []
    (message,) = _to(volunteer.email)
    assert message.subject == f"Aanvraag verloopt morgen: {room}, za 03-04-2027 19:00"
    assert message.body.startswith(f"Beste bestuur van {booking.house.name},")
    assert "Beslis vóór ma 08-03-2027 10:00" in message.body and f"/bestuur/boekingen/{booking.pk}/" in message.body


def test_deposit_reminder__to_the_board_after_the_event_while_unsettled(world, frozen_now):
    room, resident, volunteer = world
    booking = BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=SAT[0], end=SAT[1])
    Booking.objects.filter(pk=booking.pk).update(deposit_cents=5000)
    mail.outbox.clear()
    frozen_now(local_dt(2027, 4, 4, 12))  # 13 hours after the end: not yet
    assert queue_due()["deposit"] == 0
    frozen_now(local_dt(2027, 4, 5, 0))
    assert queue_due()["deposit"] == 1
    (message,) = _to(volunteer.email)
    assert message.subject == f"Borg nog af te handelen: {room}, za 03-04-2027 19:00"
    assert "Betaal de borg van € 50,00 terug" in message.body


def test_each_reminder_can_be_turned_off_per_house(world, frozen_now):
    room, resident, volunteer = world
    HouseReminderSettings.objects.create(house=room.house, decision=False)
    BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    other_room = RoomFactory()
    BookingFactory.requested(room=other_room, booker=resident, start=SAT[0], end=SAT[1])
    mail.outbox.clear()
    frozen_now(local_dt(2027, 3, 7, 11))
    assert queue_due()["decision"] == 1  # only the other house's
    assert _to(volunteer.email) == []
    assert HouseReminderSettings.sends(room.house_id, "decision") is False
    assert HouseReminderSettings.sends(other_room.house_id, "decision") is True


def test_a_reminder_no_longer_due_when_its_job_runs__is_not_sent(world, frozen_now, db_queue):
    """Queued, then the booking was decided before the worker ran it: the board is not reminded of a decided request."""
    from .queue import run_queue

    room, resident, volunteer = world
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT[0], end=SAT[1])
    frozen_now(local_dt(2027, 3, 7, 11))
    queue_due()
    services.booking_reject(booking=booking, actor=volunteer, reason="Vol")
    run_queue()
    assert not [m for m in mail.outbox if m.subject.startswith("Aanvraag verloopt")]
    assert Reminder.objects.filter(booking=booking, kind="decision").exists()

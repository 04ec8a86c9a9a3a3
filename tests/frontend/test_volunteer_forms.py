"""The board's forms (issue 20): errors next to their field, destructive actions confirmed first (without JavaScript),
the deposit only after the event and in euros, refunds in words, the history in words, plurals by ngettext."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from boeking import clock, services
from boeking.models import Booking, Closure
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def board(client, room, frozen_now):
    frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))
    volunteer = UserFactory.volunteer(room.house)
    client.force_login(volunteer)
    return volunteer


def test_reject_without_reason__the_error_stands_at_the_reason_field_and_nothing_changes(client, room, board):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 19), end=local_dt(2027, 1, 23, 23))
    response = client.post(f"/bestuur/boekingen/{booking.pk}/besluit/", {f"b{booking.pk}-decision": "reject",
                                                                       "next": "/bestuur/"})
    text = body(response)
    assert response.status_code == 200
    assert f'id="id_b{booking.pk}-reason_error">Geef een reden voor de afwijzing.' in text
    assert 'aria-invalid="true"' in text and 'role="alert"' in text
    assert 'name="next" value="/bestuur/"' in text  # sent again, it still goes back where it came from
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_mark_paid__asks_first_then_confirms(client, room, board):
    booking = BookingFactory.approved(room=room, approver=board, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    first = client.post(f"/bestuur/boekingen/{booking.pk}/betaald/")
    text = body(first)
    assert first.status_code == 200 and "Heeft u de betaling ontvangen?" in text
    assert 'name="confirm" value="yes"' in text and f'href="/bestuur/boekingen/{booking.pk}/"' in text
    booking.refresh_from_db()
    assert booking.status == "approved"
    client.post(f"/bestuur/boekingen/{booking.pk}/betaald/", {"confirm": "yes"})
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_cancel_by_the_board__asks_first_with_the_refund_in_words_then_cancels(client, room, board):
    booking = BookingFactory.approved(room=room, approver=board, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    page = body(client.get(f"/bestuur/boekingen/{booking.pk}/"))
    assert "De huurder heeft nog niets betaald; er hoeft niets terug." in page
    assert "(€\u00a00,00)" not in page and "€ 0,00" not in page
    first = client.post(f"/bestuur/boekingen/{booking.pk}/annuleren/", {"reason": "Lekkage"})
    text = body(first)
    assert "Weet u zeker dat u deze boeking wilt annuleren?" in text
    assert 'name="reason" value="Lekkage"' in text and "Reden: Lekkage" in text
    booking.refresh_from_db()
    assert booking.status == "approved"
    client.post(f"/bestuur/boekingen/{booking.pk}/annuleren/", {"reason": "Lekkage", "confirm": "yes"})
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_cancel_of_a_paid_booking__says_the_amount_that_comes_back(client, room, board):
    booking = BookingFactory.confirmed(room=room, approver=board, start=local_dt(2027, 1, 23, 19),
                                       end=local_dt(2027, 1, 23, 23))
    page = body(client.get(f"/bestuur/boekingen/{booking.pk}/"))
    amount = f"{booking.total_cents // 100},{booking.total_cents % 100:02d}"
    assert f"De huurder krijgt alles terug wat betaald is: €\u00a0{amount}." in page


def test_delete_closure__asks_first_then_deletes(client, room, board):
    closure = services.closure_create(actor=board, house=room.house, start=local_dt(2027, 2, 15),
                                      end=local_dt(2027, 2, 20), reason="Krokusvakantie")
    url = f"/bestuur/huizen/{room.house.slug}/sluitingen/{closure.pk}/verwijderen/"
    text = body(client.post(url))
    assert "Weet u zeker dat u deze sluiting wilt verwijderen?" in text and "Krokusvakantie" in text
    assert Closure.objects.filter(pk=closure.pk).exists()
    client.post(url, {"confirm": "yes"})
    assert not Closure.objects.filter(pk=closure.pk).exists()


def test_deposit__no_form_before_the_event_then_errors_in_euros_at_the_field(client, room, board, frozen_now):
    booking = BookingFactory.confirmed(room=room, approver=board, start=local_dt(2027, 1, 23, 19),
                                       end=local_dt(2027, 1, 23, 23))
    form = f'action="/bestuur/boekingen/{booking.pk}/borg/"'
    assert form not in body(client.get(f"/bestuur/boekingen/{booking.pk}/"))
    frozen_now(dt.datetime(2027, 1, 25, 9, 0, tzinfo=clock.TZ))
    assert form in body(client.get(f"/bestuur/boekingen/{booking.pk}/"))
    text = body(client.post(f"/bestuur/boekingen/{booking.pk}/borg/", {"retain": "9999", "reason": "Alles kapot"}))
    deposit = f"€\u00a0{booking.deposit_cents // 100},{booking.deposit_cents % 100:02d}"
    assert f'id="id_retain_error">Houd hoogstens de borg in: {deposit}.' in text
    assert "cent" not in re.sub(r"<[^>]+>", " ", text.split('id="id_retain_error">')[1][:200])
    text = body(client.post(f"/bestuur/boekingen/{booking.pk}/borg/", {"retain": "20", "reason": ""}))
    assert 'id="id_reason_error">Geef een reden als u een deel van de borg inhoudt.' in text
    booking.refresh_from_db()
    assert booking.deposit_settled_at is None


def test_history__in_words_not_codes(client, room, board):
    booking = BookingFactory.approved(room=room, approver=board, start=local_dt(2027, 1, 23, 19),
                                      end=local_dt(2027, 1, 23, 23))
    text = body(client.get(f"/bestuur/boekingen/{booking.pk}/"))
    history = text.split("zb-history")[1].split("</ol>")[0]
    assert "Aangevraagd" in history and "Goedgekeurd" in history
    assert "booking." not in history and "→ requested" not in history
    english = body(client.get(f"/bestuur/boekingen/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en"))
    assert "Requested" in english.split("zb-history")[1].split("</ol>")[0]


def test_closure_over_bookings__plural_by_ngettext(client, room, board):
    BookingFactory.requested(room=room, start=local_dt(2027, 2, 16, 19), end=local_dt(2027, 2, 16, 23))
    response = client.post(f"/bestuur/huizen/{room.house.slug}/sluitingen/", {
        "room": "", "date": "2027-02-15", "start_time": "00:00", "end_date": "2027-02-19", "end_time": "23:59",
        "reason": "Krokusvakantie"}, follow=True)
    text = body(response)
    assert "Let op: 1 boeking valt in deze periode." in text and "boeking(en)" not in text
    assert Booking.objects.count() == 1


def test_cancel_bookings_in_a_closure__asks_first_listing_them(client, room, board):
    booking = BookingFactory.approved(room=room, approver=board, start=local_dt(2027, 2, 16, 19),
                                      end=local_dt(2027, 2, 16, 23))
    closure = services.closure_create(actor=board, house=room.house, start=local_dt(2027, 2, 15),
                                      end=local_dt(2027, 2, 20), reason="Lekkage")
    url = f"/bestuur/huizen/{room.house.slug}/sluitingen/{closure.pk}/boekingen-annuleren/"
    text = body(client.post(url, {"booking": [booking.pk]}))
    assert "Weet u zeker dat u deze boeking wilt annuleren?" in text and f"#{booking.pk} " in text
    assert f'name="booking" value="{booking.pk}"' in text
    booking.refresh_from_db()
    assert booking.status == "approved"
    client.post(url, {"booking": [booking.pk], "confirm": "yes"})
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_closure_refused_by_the_service__error_next_to_its_field(client, room, board, monkeypatch):
    """The form and the domain agree today; should the domain refuse what the form let through, its words stand at
    the field the code is about (and in the error summary), not in a banner."""
    from boeking.errors import InvalidInput

    def refuse(**kwargs):
        raise InvalidInput("end_before_start", "Het einde van de sluiting moet na het begin liggen.")

    monkeypatch.setattr(services, "closure_create", refuse)
    text = body(client.post(f"/bestuur/huizen/{room.house.slug}/sluitingen/", {
        "room": "", "date": "2027-02-15", "start_time": "00:00", "end_date": "2027-02-19", "end_time": "23:59",
        "reason": "Onderhoud"}))
    assert 'id="id_end_date_error">Het einde van de sluiting moet na het begin liggen.' in text
    assert 'id="form-errors"' in text and "zb-messages" not in text
    assert not Closure.objects.exists()

"""Mail from one path (boeking/notifications.py): who gets which text, in which language, with which link; subjects
that survive admin-set names; the money mails."""

from __future__ import annotations

import datetime as dt
import importlib.util

import pytest
from django.core import mail

from boeking import notifications, services
from boeking.jobs.models import SentMail
from boeking.models import Booking, House, Melding, Profile, Room, RuleSettings, Series
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

SAT_EVENING = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))


@pytest.fixture
def march(frozen_now):
    return frozen_now(local_dt(2027, 3, 1, 10))


def speaks(user, language: str):
    Profile.objects.filter(user=user).update(language=language)
    return user


@pytest.fixture
def resident(db):
    return UserFactory.resident(first_name="Truus", last_name="Vrancken")


@pytest.fixture
def volunteer(room):
    return UserFactory.volunteer(room.house, first_name="Bert", last_name="Bestuur")


@pytest.fixture
def booking(march, room, resident, volunteer) -> Booking:
    booking = BookingFactory.requested(room=room, booker=resident, start=SAT_EVENING[0], end=SAT_EVENING[1])
    forget_sent_mail()
    return booking


def forget_sent_mail():
    """Empty the outbox and forget what was sent (mail is sent once per booking and event): each test sends anew."""
    mail.outbox.clear()
    SentMail.objects.all().delete()


def to(address: str):
    (message,) = [m for m in mail.outbox if m.to == [address]]
    return message


# --- booker and board get different texts --------------------------------------------------------------------------


def test_booking_requested__booker_and_board_get_their_own_greeting_text_and_link(booking, resident, volunteer):
    notifications.booking_requested(booking.pk)

    assert [m.to for m in mail.outbox] == [[resident.email], [volunteer.email]]  # booker first
    booker, board = to(resident.email), to(volunteer.email)
    assert booker.subject.startswith("Aanvraag ontvangen: ")
    assert booker.body.startswith("Beste Truus Vrancken,\n")
    assert "We hebben uw aanvraag ontvangen." in booker.body
    assert f"/mijn/boekingen/{booking.pk}/" in booker.body and "/bestuur/" not in booker.body

    assert board.subject.startswith("Nieuwe aanvraag: ")
    assert board.body.startswith(f"Beste bestuur van {booking.house.name},\n")
    assert "Beste Truus" not in board.body
    assert "Er wacht een nieuwe aanvraag op uw besluit. Beslis vóór ma 08-03-2027 10:00" in board.body
    assert "Aanvrager: Truus Vrancken" in board.body
    assert f"/bestuur/boekingen/{booking.pk}/" in board.body and "/mijn/" not in board.body


def test_booking_cancelled__by_the_board__booker_reads_who_and_why_board_reads_the_slot_is_free(booking, resident,
                                                                                              volunteer,
                                                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=volunteer, reason="Lekkage in de zaal")

    booker, board = to(resident.email), to(volunteer.email)
    assert booker.subject == board.subject == f"Geannuleerd: {booking.room}, za 03-04-2027 19:00"
    assert f"Het bestuur van {booking.house.name} heeft uw boeking geannuleerd." in booker.body
    assert "Reden: Lekkage in de zaal" in booker.body
    assert f"/mijn/boekingen/{booking.pk}/" in booker.body
    assert board.body.startswith(f"Beste bestuur van {booking.house.name},")
    assert "De boeking hieronder is door het bestuur geannuleerd. De zaal is op dit tijdstip weer vrij." in board.body
    assert f"/bestuur/boekingen/{booking.pk}/" in board.body and "/mijn/" not in board.body


def test_booking_cancelled__by_the_booker__board_reads_the_applicant_cancelled(booking, resident, volunteer,
                                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=resident)
    assert "Uw boeking is geannuleerd." in to(resident.email).body
    assert "De aanvrager heeft de boeking hieronder geannuleerd." in to(volunteer.email).body


def test_booker_only_mails__do_not_go_to_the_board(booking, resident):
    for send in (notifications.booking_approved, notifications.booking_rejected, notifications.booking_expired):
        send(booking.pk)
    assert {tuple(m.to) for m in mail.outbox} == {(resident.email,)}


def test_confirmed__the_booker_gets_the_calendar_event(booking, resident):
    notifications.booking_confirmed(booking.pk)
    message = to(resident.email)
    assert "Uw boeking is bevestigd." in message.body
    assert [p.get_filename() for p in message.message().walk() if p.get_content_type() == "text/calendar"] == [
        f"boeking-{booking.pk}.ics"]


# --- recipients ----------------------------------------------------------------------------------------------------


def test_recipients__board_is_the_active_members_plus_the_house_address_once(booking, resident, volunteer, room):
    inactive = UserFactory.volunteer(room.house, is_active=False)
    UserFactory.volunteer(room.house, email=volunteer.email.upper(), username="dubbel@example.org")
    House.objects.filter(pk=room.house_id).update(email="info@huis.example")
    booking.house.refresh_from_db()

    found = notifications.recipients(booking, board=True)

    assert [(r.email.lower(), r.audience) for r in found] == [
        (resident.email, "booker"), (volunteer.email, "board"), ("info@huis.example", "board")]
    assert inactive.email not in {r.email for r in found}


def test_recipients__anonymised_booking__nobody_as_booker(booking):
    Booking.objects.filter(pk=booking.pk).update(booker_email="", booker=None)
    booking.refresh_from_db()
    assert notifications.recipients(booking) == []
    notifications.booking_rejected(booking.pk)
    assert mail.outbox == []


# --- language ------------------------------------------------------------------------------------------------------


def test_language__each_recipient_reads_their_own(booking, resident, volunteer):
    speaks(resident, "en")
    notifications.booking_requested(booking.pk)

    booker, board = to(resident.email), to(volunteer.email)
    assert booker.subject == f"Request received: {booking.room}, Sat 03-04-2027 19:00"
    assert booker.body.startswith("Dear Truus Vrancken,\n")
    assert "The board of" in booker.body and "When:      Sat 3 April 2027, 19:00–23:00" in booker.body
    assert "Beste" not in booker.body and "Kind regards," in booker.body
    assert board.subject.startswith("Nieuwe aanvraag: ") and "Met vriendelijke groet," in board.body


def test_language__an_english_board_member_gets_the_board_text_in_english(booking, resident, volunteer):
    speaks(volunteer, "en")
    notifications.booking_requested(booking.pk)
    board = to(volunteer.email)
    assert board.subject.startswith("New request: ")
    assert board.body.startswith(f"Dear board of {booking.house.name},\n")
    assert "A new request awaits your decision. Please decide before Mon 08-03-2027 10:00" in board.body
    assert "Applicant: Truus Vrancken" in board.body and f"/bestuur/boekingen/{booking.pk}/" in board.body
    assert to(resident.email).body.startswith("Beste Truus Vrancken,")


def test_language__unknown_code_falls_back_to_dutch(booking, resident):
    speaks(resident, "de")
    notifications.booking_rejected(booking.pk)
    assert to(resident.email).subject.startswith("Afgewezen: ")


def test_language__the_active_language_of_the_request_does_not_leak_into_the_mail(booking, resident):
    from django.utils import translation

    with translation.override("en"):
        notifications.booking_rejected(booking.pk)
    assert to(resident.email).subject.startswith("Afgewezen: ")


# --- subjects ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Grote\nzaal", "Grote\r\nzaal", "Grote\x00\t\u2028zaal"])
def test_subject__a_room_name_with_a_newline_or_control_characters_sends(booking, resident, volunteer, name):
    from django.db import connection

    if "\x00" in name and connection.vendor == "postgresql":
        name = name.replace("\x00", "")  # PostgreSQL text cannot hold NUL at all; the other characters still can
    Room.objects.filter(pk=booking.room_id).update(name=name)
    notifications.booking_requested(booking.pk)
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 2
    assert all(f"{booking.house.name} – Grote zaal, za 03-04-2027 19:00" in s for s in subjects)
    assert not any(ch in s for s in subjects for ch in "\r\n\x00\t\u2028")


def test_subject__a_house_name_with_a_newline_in_a_melding_sends(booking, volunteer, settings):
    House.objects.filter(pk=booking.house_id).update(name="Huis\nvan de Wijk")
    services.booking_approve(booking=booking, actor=volunteer)
    forget_sent_mail()
    notifications.melding_created(Melding.objects.get(booking=booking).pk)
    (message,) = mail.outbox
    assert message.subject == "Melding feest: Huis van de Wijk, za 03-04-2027 19:00"
    assert message.to == [RuleSettings.current().melding_email or settings.ZAALBOEK_MELDING_EMAIL]


def test_clean_subject__one_line_single_spaces():
    assert notifications.clean_subject(" Zaal\r\n\t1\x1b[31m \u2029 x ") == "Zaal 1 [31m x"


# --- the period of a booking: one helper, one date within a day ---------------------------------------------------


@pytest.mark.parametrize(("language", "same_day", "past_midnight"), [
    ("nl", "za 12 december 2026, 14:00–18:00", "za 12 december 2026 20:00 – zo 13 december 2026 01:00"),
    ("en", "Sat 12 December 2026, 14:00–18:00", "Sat 12 December 2026 20:00 – Sun 13 December 2026 01:00"),
])
def test_format_period__one_date_within_a_day__both_past_midnight(language, same_day, past_midnight):
    from django.utils import translation

    with translation.override(language):
        assert notifications.format_period(local_dt(2026, 12, 12, 14), local_dt(2026, 12, 12, 18)) == same_day
        assert notifications.format_period(local_dt(2026, 12, 12, 20), local_dt(2026, 12, 13, 1)) == past_midnight


@pytest.mark.parametrize(("start", "end", "expected"), [
    # 31 October 2027, 03:00 CEST becomes 02:00 CET: 00:00-03:00 UTC is 02:00 summer time to 04:00 winter time.
    (dt.datetime(2027, 10, 31, 0, tzinfo=dt.UTC), dt.datetime(2027, 10, 31, 3, tzinfo=dt.UTC),
     "zo 31 oktober 2027, 02:00–04:00"),
    # 28 March 2027, 02:00 CET becomes 03:00 CEST.
    (dt.datetime(2027, 3, 27, 23, 30, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, 1, 30, tzinfo=dt.UTC),
     "zo 28 maart 2027, 00:30–03:30"),
    (dt.datetime(2027, 3, 27, 19, tzinfo=dt.UTC), dt.datetime(2027, 3, 28, 1, tzinfo=dt.UTC),
     "za 27 maart 2027 20:00 – zo 28 maart 2027 03:00"),
])
def test_format_period__on_a_dst_day__local_wall_clock_times(start, end, expected):
    from django.utils import translation

    with translation.override("nl"):
        assert notifications.format_period(start, end) == expected


def test_approval_mail__same_day__the_date_once(booking, resident, volunteer):
    services.booking_approve(booking=booking, actor=volunteer)
    forget_sent_mail()
    notifications.booking_approved(booking.pk)
    body = to(resident.email).body
    assert "Wanneer:   za 3 april 2027, 19:00–23:00\n" in body
    assert body.count("3 april 2027") == 1 and "03-04-2027" not in body


def test_approval_mail__past_midnight__both_dates__in_english(march, room, resident, volunteer):
    speaks(resident, "en")
    late = BookingFactory.approved(room=room, booker=resident, start=local_dt(2027, 4, 3, 20),
                                   end=local_dt(2027, 4, 4, 1), approver=volunteer)
    forget_sent_mail()
    notifications.booking_approved(late.pk)
    assert "When:      Sat 3 April 2027 20:00 – Sun 4 April 2027 01:00\n" in to(resident.email).body


def test_approval_mail__on_the_day_summer_time_ends__the_local_times(march, room, resident, volunteer):
    autumn = BookingFactory.approved(room=room, booker=resident, start=local_dt(2027, 10, 31, 19),
                                     end=local_dt(2027, 10, 31, 23), approver=volunteer)
    forget_sent_mail()
    notifications.booking_approved(autumn.pk)
    assert "Wanneer:   zo 31 oktober 2027, 19:00–23:00\n" in to(resident.email).body


def test_every_booking_mail__the_same_period_line(booking, resident, volunteer):
    """Request, payment, melding and reminder mails all write the period with format_period."""
    services.booking_approve(booking=booking, actor=volunteer)
    forget_sent_mail()
    notifications.booking_requested(booking.pk)
    notifications.payment_failed(booking.pk)
    notifications.payment_reminder(booking.pk)
    notifications.melding_created(Melding.objects.get(booking=booking).pk)
    bodies = [m.body for m in mail.outbox]
    assert len(bodies) >= 5  # requested (booker, board), payment failed, payment reminder, melding
    for body in bodies:
        assert "za 3 april 2027, 19:00–23:00\n" in body, body
        assert "03-04-2027 23:00" not in body


# --- payments ------------------------------------------------------------------------------------------------------


def test_payment_module__is_gone_the_money_mails_are_here():
    assert importlib.util.find_spec("boeking.payment_mail") is None


def test_payment_failed__booker_only_with_the_amount_due_and_the_pay_link(booking, resident, volunteer):
    services.booking_approve(booking=booking, actor=volunteer)
    mail.outbox.clear()
    notifications.payment_failed(booking.pk)
    (message,) = mail.outbox
    assert message.to == [resident.email]
    assert message.subject == f"Betaling mislukt: {booking.room}, za 03-04-2027 19:00"
    assert "Uw betaling van € 150,00 voor de boeking hieronder is niet gelukt." in message.body
    assert "vóór ma 08-03-2027 10:00" in message.body and f"/mijn/boekingen/{booking.pk}/" in message.body


def test_payment_refunded__in_english(booking, resident):
    speaks(resident, "en")
    notifications.payment_refunded(booking.pk, 12345)
    message = to(resident.email)
    assert message.subject == f"Payment refunded: {booking.room}, Sat 03-04-2027 19:00"
    assert "We received a payment of € 123,45" in message.body and "(status: Requested)" in message.body


def test_deposit_settled__part_retained_with_the_reason(booking, resident):
    Booking.objects.filter(pk=booking.pk).update(deposit_retained_cents=2000)
    notifications.deposit_settled(booking.pk, 3000, "Vlek op de vloer")
    message = to(resident.email)
    assert message.subject.startswith("Borg afgehandeld: ")
    assert "De borg van uw boeking is afgehandeld: € 30,00 terugbetaald, € 20,00 ingehouden." in message.body
    assert "Reden: Vlek op de vloer" in message.body


# --- series --------------------------------------------------------------------------------------------------------


@pytest.fixture
def series(frozen_now, room, volunteer) -> Series:
    frozen_now(local_dt(2027, 1, 4, 9))
    association = UserFactory.association(first_name="Jo", last_name="Koor")
    created = services.series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                     start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 3, 2),
                                     until=dt.date(2027, 5, 25), guests=20, title="Repetitie zangkoor")
    forget_sent_mail()
    return created


def test_series_requested__association_links_to_its_own_page_board_to_the_houses_series_page(series, volunteer):
    speaks(volunteer, "en")
    notifications.series_requested(series.pk)

    association, board = to(series.booker_email), to(volunteer.email)
    assert association.subject == f"Aanvraag reeks ontvangen: {series.room}"
    assert association.body.startswith("Beste Jo Koor,")
    assert "Geboekt:   13 keer, eerste keer di 02-03-2027 19:00" in association.body
    assert association.body.rstrip().endswith("Zaalboek") and f"/mijn/reeksen/{series.pk}/\n" in association.body
    assert "/bestuur/" not in association.body
    # The recurrence in words, in each recipient's language (issue 18): never RRULE, never just a time.
    assert "Wanneer:   elke dinsdag van 19:00 tot" in association.body and "RRULE" not in association.body
    assert "When:" in board.body and "every Tuesday from 19:00 to" in board.body

    assert board.subject == f"New series request: {series.room}"
    assert board.body.startswith(f"Dear board of {series.house.name},")
    assert "A request for a series from Jo Koor awaits your decision." in board.body
    assert f"/bestuur/huizen/{series.house.slug}/reeksen/" in board.body and "/mijn/" not in board.body


def test_series_cancelled__lists_the_dates_in_the_associations_language(series):
    speaks(series.booker, "en")
    ids = list(series.occurrences.order_by("-start").values_list("pk", flat=True)[:2])
    notifications.series_cancelled(series.pk, ids)
    message = to(series.booker_email)
    assert message.subject == f"Dates cancelled: {series.room}"
    assert "2 dates of your series have been cancelled." in message.body
    assert "  - Tue 18-05-2027 19:00\n  - Tue 25-05-2027 19:00\n" in message.body


def test_series_cancelled__one_date_in_dutch(series):
    notifications.series_cancelled(series.pk, [series.occurrences.order_by("start").first().pk])
    assert "Eén datum van uw reeks is geannuleerd." in to(series.booker_email).body

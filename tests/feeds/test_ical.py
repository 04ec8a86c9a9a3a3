"""iCalendar feeds (issue 5): public busy blocks per room and house, the private feed behind a token, single events
and mail attachments. Every calendar is parsed back with `icalendar` and with an independent parser (`vobject`)."""

from __future__ import annotations

import datetime as dt
import logging
import re

import pytest
import vobject
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from boeking import ical, services
from boeking.clock import UTC
from boeking.models import AuditEntry, Booking, House, Room
from boeking.services.feeds import feed_token_rotate
from tests.factories import BookingFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

SITE = "https://zaalboek.example"


@pytest.fixture(autouse=True)
def site(settings):
    settings.ZAALBOEK_SITE_URL = SITE


@pytest.fixture
def september(frozen_now):
    frozen_now(local_dt(2026, 9, 1, 10))
    return frozen_now


def room_url(room) -> str:
    return f"/ical/rooms/{room.pk}.ics"


def house_url(house) -> str:
    return f"/ical/houses/{house.pk}.ics"


def private_url(user) -> str:
    user.profile.refresh_from_db()
    return f"/ical/private/{user.profile.feed_token}.ics"


def parse(body: bytes) -> dict[str, dict]:
    """Both parsers' view of the events, by UID: summary, status, sequence and the start/end instants in UTC.
    Asserts the two agree, and that every event's times carry TZID=Europe/Amsterdam."""
    ours = Calendar.from_ical(body)
    assert ours.get_missing_tzids() == set(), "a TZID without its VTIMEZONE"
    first = {}
    for event in ours.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
        assert event["DTEND"].params["TZID"] == "Europe/Amsterdam"
        first[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]), "status": str(event.get("STATUS", "")),
            "sequence": int(event.get("SEQUENCE", 0)), "description": str(event.get("DESCRIPTION", "")),
            "start": event.start.astimezone(UTC), "end": event.end.astimezone(UTC),
        }
    other = vobject.readOne(body.decode())
    second = {}
    for event in getattr(other, "vevent_list", []):
        # vobject builds its own tzinfo from our VTIMEZONE: a wrong VTIMEZONE shows up here as a shifted hour.
        second[event.uid.value] = {"start": event.dtstart.value.astimezone(UTC),
                                   "end": event.dtend.value.astimezone(UTC), "summary": event.summary.value}
    assert {uid: (e["start"], e["end"], e["summary"]) for uid, e in first.items()} == {
        uid: (e["start"], e["end"], e["summary"]) for uid, e in second.items()}
    return first


def assert_rfc5545_lines(body: bytes) -> None:
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line  # folded at 75 octets (RFC 5545 §3.1)


# --- public feeds -----------------------------------------------------------------------------------------------


def test_room_feed__busy_blocks_until_the_buffer_ends_and_closures__no_names(client, room, september):
    booking = BookingFactory.confirmed(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23),
                                       title="50 jaar Truus")
    requested = BookingFactory.requested(room=room, start=local_dt(2026, 10, 10, 14), end=local_dt(2026, 10, 10, 17))
    cancelled = BookingFactory.requested(room=room, start=local_dt(2026, 10, 17, 14), end=local_dt(2026, 10, 17, 17))
    services.booking_cancel(booking=cancelled, actor=cancelled.booker)
    other_room = RoomFactory(location=room.location)
    BookingFactory.requested(room=other_room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    volunteer = UserFactory.volunteer(room.house)
    closure = services.closure_create(actor=volunteer, house=room.house, start=local_dt(2026, 12, 24),
                                      end=local_dt(2026, 12, 27), reason="Kerst; gesloten, ook de bar")

    response = client.get(room_url(room))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    body = response.content
    assert_rfc5545_lines(body)
    events = parse(body)
    assert set(events) == {f"booking-{booking.pk}-busy@zaalboek.example",
                           f"booking-{requested.pk}-busy@zaalboek.example", f"closure-{closure.pk}@zaalboek.example"}
    busy = events[f"booking-{booking.pk}-busy@zaalboek.example"]
    assert busy["summary"] == "Bezet"
    assert busy["status"] == "CONFIRMED"
    assert (busy["start"], busy["end"]) == (booking.start, booking.blocked_until)  # the cleaning buffer is busy too
    assert events[f"booking-{requested.pk}-busy@zaalboek.example"]["status"] == "TENTATIVE"
    shut = events[f"closure-{closure.pk}@zaalboek.example"]
    assert shut["summary"] == "Gesloten"
    assert shut["description"] == "Kerst; gesloten, ook de bar"
    assert b"DESCRIPTION:Kerst\\; gesloten\\, ook de bar" in body  # TEXT escaping of ; and ,
    for secret in (booking.booker_name, booking.booker_email, booking.booker_phone, booking.title):
        assert secret.encode() not in body
    calendar = Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == f"Bezet: {room.name} ({room.house.name})"
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar["REFRESH-INTERVAL"].dt == dt.timedelta(hours=1)
    assert b"X-PUBLISHED-TTL:PT1H" in body


def test_house_feed__names_the_room_of_each_busy_block__english_on_request(client, room, september):
    second = RoomFactory(location=room.location, name="Kleine zaal")
    one = BookingFactory.requested(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    two = BookingFactory.requested(room=second, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))

    nl = parse(client.get(house_url(room.house)).content)
    en = parse(client.get(house_url(room.house), {"lang": "en"}).content)

    assert nl[f"booking-{one.pk}-busy@zaalboek.example"]["summary"] == f"Bezet: {room.name}"
    assert nl[f"booking-{two.pk}-busy@zaalboek.example"]["summary"] == "Bezet: Kleine zaal"
    assert en[f"booking-{two.pk}-busy@zaalboek.example"]["summary"] == "Busy: Kleine zaal"


def test_public_feeds__window_from_30_days_back_to_12_months_ahead(client, room, frozen_now):
    frozen_now(local_dt(2026, 9, 1, 10))
    old = BookingFactory.requested(room=room, kind="association", booker=UserFactory.association(),
                                   start=local_dt(2026, 9, 10, 19), end=local_dt(2026, 9, 10, 21))
    recent = BookingFactory.requested(room=room, kind="association", booker=UserFactory.association(),
                                      start=local_dt(2026, 10, 20, 19), end=local_dt(2026, 10, 20, 21))
    frozen_now(local_dt(2026, 11, 1, 10))  # `old` is now 52 days ago, `recent` 12 days

    events = parse(client.get(room_url(room)).content)

    assert f"booking-{recent.pk}-busy@zaalboek.example" in events
    assert f"booking-{old.pk}-busy@zaalboek.example" not in events
    window = ical.Window.current()
    assert window.start == local_dt(2026, 10, 2) and window.end == local_dt(2027, 11, 2)


def test_public_feeds__unknown_or_inactive_room_or_house__404(client, room):
    Room.objects.filter(pk=room.pk).update(active=False)
    assert client.get(room_url(room)).status_code == 404
    assert client.get("/ical/rooms/999999.ics").status_code == 404
    House.objects.filter(pk=room.house_id).update(active=False)
    assert client.get(house_url(room.house)).status_code == 404


def test_public_feeds__contain_no_personal_data_of_the_demo_bookings(client, settings):
    settings.ZAALBOEK_SITE_URL = SITE
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    secrets = set()
    for row in Booking.objects.values("booker_name", "booker_email", "booker_phone", "title", "notes", "organisation"):
        secrets |= {value for value in row.values() if value}
    assert len(secrets) > 30  # names, emails, phones, titles and organisations of the demo
    feeds = [room_url(r) for r in Room.objects.filter(active=True)] + [house_url(h) for h in House.objects.all()]
    busy_blocks = 0
    for url in feeds:
        response = client.get(url)
        assert response.status_code == 200, url
        raw = response.content
        text = raw.replace(b"\r\n ", b"").decode()  # unfolded
        plain = re.sub(r"\\([,;\\])", r"\1", text).replace("\\n", "\n")  # unescaped
        leaked = [s for s in secrets if s.encode() in raw or s in text or s in plain]
        assert leaked == [], f"{url} shows {leaked}"
        busy_blocks += len(parse(raw))
    assert busy_blocks > 50  # the demo's bookings are in these feeds, as busy blocks


# --- times across midnight and DST ------------------------------------------------------------------------------


def test_feeds__party_across_midnight_on_the_night_the_clocks_go_back(client, room, september):
    volunteer = UserFactory.volunteer(room.house)
    party = BookingFactory.confirmed(room=room, start=local_dt(2026, 10, 24, 20), end=local_dt(2026, 10, 25, 1),
                                     approver=volunteer)
    # One week later, in winter time: the same wall-clock hours are an hour later in UTC.
    later = BookingFactory.confirmed(room=room, start=local_dt(2026, 10, 31, 20), end=local_dt(2026, 11, 1, 1),
                                     approver=volunteer)
    uid, later_uid = f"booking-{party.pk}@zaalboek.example", f"booking-{later.pk}@zaalboek.example"

    for body in (client.get(private_url(volunteer)).content, client.get(house_url(room.house)).content,
                 ical.booking_calendar(party, view="booker")):
        events = parse(body)
        event = events.get(uid) or events[f"booking-{party.pk}-busy@zaalboek.example"]
        assert event["start"] == dt.datetime(2026, 10, 24, 18, 0, tzinfo=UTC)  # 20:00 CEST
        if uid in events:
            assert event["end"] == dt.datetime(2026, 10, 24, 23, 0, tzinfo=UTC)  # 01:00 CEST, before 03:00 → 02:00
        assert b"DTSTART;TZID=Europe/Amsterdam:20261024T200000" in body
    events = parse(client.get(private_url(volunteer)).content)
    assert events[later_uid]["start"] == dt.datetime(2026, 10, 31, 19, 0, tzinfo=UTC)  # 20:00 CET
    assert events[later_uid]["end"] == dt.datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    assert b"DTEND;TZID=Europe/Amsterdam:20261101T010000" in client.get(private_url(volunteer)).content


# --- private feeds ----------------------------------------------------------------------------------------------


def test_private_feed__resident_sees_own_bookings_only_with_a_link_to_their_page(client, room, september):
    resident = UserFactory.resident()
    mine = BookingFactory.requested(room=room, booker=resident, title="Verjaardag; 40, Jo",
                                    start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    theirs = BookingFactory.requested(room=room, start=local_dt(2026, 10, 10, 19), end=local_dt(2026, 10, 10, 23))

    response = client.get(private_url(resident))

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    events = parse(response.content)
    assert set(events) == {f"booking-{mine.pk}@zaalboek.example"}
    event = events[f"booking-{mine.pk}@zaalboek.example"]
    assert event["summary"] == "Feest – Verjaardag; 40, Jo (aangevraagd)"
    assert f"{SITE}/mijn/boekingen/{mine.pk}/" in event["description"]
    assert event["status"] == "TENTATIVE"
    assert theirs.booker_name.encode() not in response.content


def test_private_feed__volunteer_sees_every_booking_of_their_houses_with_booker_phone_guests(client, room, september):
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.requested(room=room, guests=35, start=local_dt(2026, 10, 3, 19),
                                       end=local_dt(2026, 10, 3, 23))
    elsewhere = BookingFactory.requested(room=RoomFactory(), start=local_dt(2026, 10, 3, 19),
                                         end=local_dt(2026, 10, 3, 23))
    closure = services.closure_create(actor=volunteer, house=room.house, room=room, start=local_dt(2026, 11, 2),
                                      end=local_dt(2026, 11, 3), reason="Onderhoud")

    events = parse(client.get(private_url(volunteer)).content)

    assert set(events) == {f"booking-{booking.pk}@zaalboek.example", f"closure-{closure.pk}@zaalboek.example"}
    description = events[f"booking-{booking.pk}@zaalboek.example"]["description"]
    for detail in ("Soort: Feest", "Status: Aangevraagd", f"Aanvrager: {booking.booker_name}",
                   f"Telefoon: {booking.booker_phone}", "Gasten: 35", f"{SITE}/bestuur/boekingen/{booking.pk}/"):
        assert detail in description
    assert events[f"closure-{closure.pk}@zaalboek.example"]["summary"] == f"Gesloten: {room.name}"
    assert elsewhere.booker_name not in str(events)


def test_private_feed__association_sees_the_occurrences_of_its_series(client, room, frozen_now):
    frozen_now(local_dt(2027, 2, 1, 10))
    association = UserFactory.association()
    series = services.series_create(booker=association, room=room, kind="association", rrule="FREQ=WEEKLY;BYDAY=TU",
                                    start_time=dt.time(19), end_time=dt.time(21), first_date=dt.date(2027, 3, 2),
                                    until=dt.date(2027, 3, 30), guests=20, title="Repetitie, koor")

    events = parse(client.get(private_url(association)).content)

    assert set(events) == {f"booking-{b.pk}@zaalboek.example" for b in series.occurrences.all()}
    assert len(events) == 5
    # 28 March 2027 the clocks go forward: still 19:00 on the wall clock, an hour earlier in UTC.
    starts = sorted(e["start"] for e in events.values())
    assert starts[3] == dt.datetime(2027, 3, 23, 18, tzinfo=UTC) and starts[4] == dt.datetime(2027, 3, 30, 17, tzinfo=UTC)


def test_private_feed__cancelled_booking_has_status_cancelled_and_a_higher_sequence(client, room, september):
    resident = UserFactory.resident()
    booking = BookingFactory.requested(room=room, booker=resident, start=local_dt(2026, 10, 3, 19),
                                       end=local_dt(2026, 10, 3, 23))
    uid = f"booking-{booking.pk}@zaalboek.example"
    before = parse(client.get(private_url(resident)).content)[uid]

    services.booking_cancel(booking=booking, actor=resident, reason="Gaat niet door")
    after = parse(client.get(private_url(resident)).content)[uid]

    assert before["status"] == "TENTATIVE" and after["status"] == "CANCELLED"
    assert after["sequence"] > before["sequence"]


def test_sequence__grows_with_every_status_change(room, september):
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.requested(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    seen = [booking.sequence]
    booking = services.booking_approve(booking=booking, actor=volunteer)
    seen.append(booking.sequence)
    booking = services.booking_mark_paid(booking=booking, actor=volunteer)
    seen.append(booking.sequence)
    booking = services.booking_cancel(booking=booking, actor=volunteer)
    seen.append(booking.sequence)

    assert seen == [0, 1, 2, 3]
    event = parse(ical.booking_calendar(booking, view="booker"))[f"booking-{booking.pk}@zaalboek.example"]
    assert event["sequence"] == 3 and event["status"] == "CANCELLED"


def test_private_feed__rotated_token__old_url_404_new_url_works(client, room):
    resident = UserFactory.resident()
    old = private_url(resident)
    assert client.get(old).status_code == 200

    feed_token_rotate(user=resident)

    assert client.get(old).status_code == 404
    assert client.get(private_url(resident)).status_code == 200
    entry = AuditEntry.objects.get(action="feed.token_rotated")
    assert entry.actor == resident
    assert resident.profile.feed_token not in str(entry.data) + entry.reason


@pytest.mark.parametrize("token", ["x" * 43, "kort", "a" * 65, "abc$%^&*()" * 5, ""])
def test_private_feed__unknown_or_malformed_token__404_and_not_logged(client, room, caplog, token):
    UserFactory.resident()
    with caplog.at_level(logging.DEBUG):
        response = client.get(f"/ical/private/{token}.ics")
        post = client.post(f"/ical/private/{token}.ics")
        bare = client.get(f"/ical/private/{token}")
    assert response.status_code == 404 and bare.status_code == 404 and post.status_code in (404, 405)
    assert response["Content-Type"].startswith("text/plain")
    if token:
        assert token not in caplog.text
        assert token.encode() not in response.content


def test_private_feed__inactive_user__404(client, room):
    resident = UserFactory.resident()
    url = private_url(resident)
    resident.is_active = False
    resident.save()
    assert client.get(url).status_code == 404


# --- caching ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("feed", ["room", "house", "private"])
def test_feeds__conditional_get__304_without_rendering_until_the_data_change(client, room, september, monkeypatch,
                                                                              feed):
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.requested(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    url = {"room": room_url(room), "house": house_url(room.house), "private": private_url(volunteer)}[feed]
    first = client.get(url)
    etag, modified = first["ETag"], first["Last-Modified"]

    def no_rendering(self, **kwargs):
        raise AssertionError("rendered a feed for a conditional GET that matched")

    with monkeypatch.context() as patched:
        patched.setattr(ical.Feed, "render", no_rendering)
        by_etag = client.get(url, HTTP_IF_NONE_MATCH=etag)
        by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=modified)
    assert (by_etag.status_code, by_date.status_code) == (304, 304)
    assert by_etag.content == b"" and by_etag["ETag"] == etag

    services.booking_approve(booking=booking, actor=volunteer)
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304

    # A closure changes the house's feeds too, also for a client that only sends If-Modified-Since.
    september(local_dt(2026, 9, 1, 12))
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2026, 12, 24), end=local_dt(2026, 12, 27),
                            reason="Kerst")
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"]).status_code == 200


def test_feeds__same_data_same_bytes_and_etag(client, room, september):
    BookingFactory.requested(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    first, second = client.get(house_url(room.house)), client.get(house_url(room.house))
    assert first.content == second.content and first["ETag"] == second["ETag"]


@pytest.mark.parametrize("feed", ["room", "house", "private"])
def test_feeds__query_count_does_not_grow_with_the_number_of_events(client, room, september, feed):
    volunteer = UserFactory.volunteer(room.house)
    other_room = RoomFactory(location=room.location)
    url = {"room": room_url(room), "house": house_url(room.house), "private": private_url(volunteer)}[feed]

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return len(captured)

    BookingFactory.requested(room=room, start=local_dt(2026, 10, 1, 19), end=local_dt(2026, 10, 1, 22))
    few = queries()
    for day in range(2, 22):
        BookingFactory.requested(room=room if day % 2 else other_room, start=local_dt(2026, 10, day, 19),
                                 end=local_dt(2026, 10, day, 22))
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2026, 12, 24), end=local_dt(2026, 12, 27),
                            reason="Kerst")
    many = queries()
    assert len(parse(client.get(url).content)) >= 11
    assert many == few


# --- one booking and the confirmation mail ----------------------------------------------------------------------


def test_confirmation_mail__carries_the_booking_as_text_calendar_method_publish(room, september,
                                                                             django_capture_on_commit_callbacks):
    resident = UserFactory.resident()
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.requested(room=room, booker=resident, start=local_dt(2026, 10, 3, 19),
                                       end=local_dt(2026, 10, 3, 23))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_approve(booking=booking, actor=volunteer)
    approved_mail = [m for m in mail.outbox if resident.email in m.to]
    assert approved_mail and not approved_mail[-1].attachments  # awaiting payment: no calendar event yet
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_mark_paid(booking=booking, actor=volunteer)

    (message,) = [m for m in mail.outbox if resident.email in m.to]
    parsed = message.message()
    parts = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_param("method") == "PUBLISH"
    assert part.get_filename() == f"boeking-{booking.pk}.ics"
    body = part.get_payload(decode=True)
    assert b"METHOD:PUBLISH" in body
    event = parse(body)[f"booking-{booking.pk}@zaalboek.example"]
    assert event["status"] == "CONFIRMED"
    assert event["start"] == booking.start.astimezone(UTC)


def test_confirmation_mail__free_booking_confirmed_at_approval_has_the_event(room, september,
                                                                            django_capture_on_commit_callbacks):
    association = UserFactory.association()
    free = RoomFactory(location=room.location, tariffs=False, deposit_cents=0)
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.requested(room=free, booker=association, kind="association", alcohol=False,
                                       start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 21))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_approve(booking=booking, actor=volunteer)
    assert booking.status == "confirmed"
    (message,) = [m for m in mail.outbox if association.email in m.to]
    assert any(p.get_content_type() == "text/calendar" for p in message.message().walk())


# --- cancellation and change of time: the same event, a higher SEQUENCE (issue 16) --------------------------------


def itip(body: bytes) -> dict:
    """METHOD, UID, SEQUENCE, STATUS and ORGANIZER of a one-event calendar as `icalendar` and `vobject` each read
    them; asserts they agree (and, through `parse`, on the times)."""
    parse(body)
    ours = Calendar.from_ical(body)
    (event,) = ours.walk("VEVENT")
    first = {"method": str(ours["METHOD"]), "uid": str(event["UID"]), "sequence": int(event["SEQUENCE"]),
             "status": str(event["STATUS"]), "organizer": str(event["ORGANIZER"]),
             "start": event.start.astimezone(UTC), "end": event.end.astimezone(UTC)}
    other = vobject.readOne(body.decode())
    second = {"method": other.method.value, "uid": other.vevent.uid.value,
              "sequence": int(other.vevent.sequence.value), "status": other.vevent.status.value,
              "organizer": other.vevent.organizer.value, "start": other.vevent.dtstart.value.astimezone(UTC),
              "end": other.vevent.dtend.value.astimezone(UTC)}
    assert first == second
    return first


def test_attachment__cancelled_booking__method_cancel_same_uid_higher_sequence_status_cancelled(room, september):
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.confirmed(room=room, approver=volunteer, start=local_dt(2026, 10, 3, 19),
                                       end=local_dt(2026, 10, 3, 23))
    confirmation = ical.booking_attachment(booking, lang="nl")
    assert confirmation.get_param("method") == "PUBLISH"
    before = itip(confirmation.get_payload(decode=True))

    booking = services.booking_cancel(booking=booking, actor=volunteer, reason="Lekkage")
    for view in ("booker", "volunteer"):
        part = ical.booking_attachment(booking, lang="nl", view=view)
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "CANCEL"
        assert part.get_filename() == f"boeking-{booking.pk}.ics"
        after = itip(part.get_payload(decode=True))
        assert (after["method"], after["status"]) == ("CANCEL", "CANCELLED")
        assert after["uid"] == before["uid"] == f"booking-{booking.pk}@zaalboek.example"
        assert after["sequence"] > before["sequence"]
        assert after["organizer"] == before["organizer"] == "mailto:noreply@zaalboek.example"
        assert (after["start"], after["end"]) == (before["start"], before["end"])


def test_attachment__change_of_time__publish_same_uid_higher_sequence_new_times(room, september):
    """No service moves a booking in time yet; one that does changes start/end and raises `sequence` (as a status
    change does), and the attachment then carries the new times under the same UID."""
    booking = BookingFactory.confirmed(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    before = itip(ical.booking_attachment(booking).get_payload(decode=True))
    Booking.objects.filter(pk=booking.pk).update(start=local_dt(2026, 10, 3, 20), end=local_dt(2026, 10, 4, 0),
                                                 blocked_until=local_dt(2026, 10, 4, 0, 30),
                                                 sequence=booking.sequence + 1)
    booking.refresh_from_db()
    after = itip(ical.booking_attachment(booking).get_payload(decode=True))
    assert (after["method"], after["status"], after["uid"]) == ("PUBLISH", "CONFIRMED", before["uid"])
    assert after["sequence"] == before["sequence"] + 1
    assert (after["start"], after["end"]) == (local_dt(2026, 10, 3, 20).astimezone(UTC),
                                              local_dt(2026, 10, 4, 0).astimezone(UTC))


def test_download__cancelled_booking__publish_with_status_cancelled(room, september):
    """The API's download stays METHOD:PUBLISH (a file to import); the event in it is the cancelled one."""
    booking = BookingFactory.requested(room=room, start=local_dt(2026, 10, 3, 19), end=local_dt(2026, 10, 3, 23))
    booking = services.booking_cancel(booking=booking, actor=booking.booker)
    event = itip(ical.booking_calendar(booking, view="booker"))
    assert (event["method"], event["status"], event["sequence"]) == ("PUBLISH", "CANCELLED", 1)


def test_cancellation_mail__booker_and_board_get_the_cancel_ics(room, september, django_capture_on_commit_callbacks):
    resident = UserFactory.resident()
    volunteer = UserFactory.volunteer(room.house)
    booking = BookingFactory.confirmed(room=room, booker=resident, approver=volunteer, start=local_dt(2026, 10, 3, 19),
                                       end=local_dt(2026, 10, 3, 23))
    uid = f"booking-{booking.pk}@zaalboek.example"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booking, actor=volunteer, reason="Lekkage")
    for address in (resident.email, volunteer.email):
        # The booker also gets the refund's own mail (its job runs after the cancellation), without a calendar part.
        (message,) = [m for m in mail.outbox if address in m.to and m.subject.startswith("Geannuleerd")]
        parts = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
        assert len(parts) == 1, address
        assert parts[0].get_param("method") == "CANCEL"
        event = itip(parts[0].get_payload(decode=True))
        assert (event["uid"], event["status"], event["method"]) == (uid, "CANCELLED", "CANCEL")
        assert event["sequence"] == 3  # approved, paid, cancelled

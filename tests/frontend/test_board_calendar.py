"""The board's calendar (issue 18): series dates marked as such, and a request's conflicts — a series that wanted
the same slot — shown beside it, in the agenda JSON and in the house calendar's table; the public sees busy only."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import clock, services
from boeking.models import SkipReason
from tests.factories import BookingFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

WEEK = {"start": "2027-01-11", "end": "2027-02-01"}  # three weeks: series dates on 16 and 30 January


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 9, 0, tzinfo=clock.TZ))  # Monday


@pytest.fixture
def setting(caps, now):
    """A party request on Saturday 23 January 14:00–17:00, and a choir's Saturday series 13:00–18:00 that had to
    skip that date because the request holds the slot."""
    room = RoomFactory(name="Grote zaal")
    request = BookingFactory.requested(room=room, start=local_dt(2027, 1, 23, 14), end=local_dt(2027, 1, 23, 17),
                                       title="Verjaardag Anouk")
    series = services.series_create(booker=UserFactory.association(), room=room, kind="association",
                                    rrule="FREQ=WEEKLY;BYDAY=SA", start_time=dt.time(13), end_time=dt.time(18),
                                    first_date=dt.date(2027, 1, 16), until=dt.date(2027, 2, 6), guests=20,
                                    title="Zangkoor")
    assert series.skips.get().reason == SkipReason.CONFLICT
    return room, request, series


def test_house_agenda__board_sees_series_dates_marked_and_the_requests_conflict(client, setting):
    room, request, series = setting
    client.force_login(UserFactory.volunteer(room.house))
    events = client.get(f"/huizen/{room.house.slug}/agenda.json", WEEK).json()
    one_off = next(e for e in events if e.get("id") == f"b{request.pk}")
    assert "zb-event--conflict" in one_off["classNames"] and one_off["title"].startswith("Grote zaal: ⚠")
    assert "Reeks ‘Zangkoor’ (elke zaterdag" in one_off["extendedProps"]["conflicts"][0]
    series_dates = [e for e in events if "zb-event--series" in e["classNames"]]
    assert series_dates and all(e["title"].startswith("Grote zaal: Reeks: ") for e in series_dates)
    assert all("elke zaterdag" in e["extendedProps"]["series"] for e in series_dates)
    wanted = [e for e in events if "zb-event--wanted" in e["classNames"]]
    assert len(wanted) == 1 and wanted[0]["start"] == "2027-01-23T13:00:00+01:00"


def test_house_agenda__the_public_sees_busy_blocks_only(client, setting):
    room, _request, _series = setting
    events = client.get(f"/huizen/{room.house.slug}/agenda.json", WEEK).json()
    assert {e["classNames"][0] for e in events} <= {"zb-event--busy", "zb-event--closed"}
    assert not any("Zangkoor" in e["title"] or "Verjaardag" in e["title"] for e in events)


def test_board_house_calendar__table_marks_series_and_conflicts(client, setting):
    room, _request, _series = setting
    client.force_login(UserFactory.volunteer(room.house))
    text = client.get(f"/bestuur/huizen/{room.house.slug}/agenda/").content.decode()
    assert "Conflict:" in text and "wilde deze tijd ook; die datum is overgeslagen." in text
    assert '<span class="zb-tag zb-tag--series">Reeks</span> elke zaterdag' in text


def test_board_marks__in_english_on_english_pages(client, setting):
    room, request, _series = setting
    client.force_login(UserFactory.volunteer(room.house))
    client.cookies["django_language"] = "en"
    events = client.get(f"/huizen/{room.house.slug}/agenda.json", WEEK, HTTP_ACCEPT_LANGUAGE="en").json()
    one_off = next(e for e in events if e.get("id") == f"b{request.pk}")
    assert "wanted this slot too" in one_off["extendedProps"]["conflicts"][0]

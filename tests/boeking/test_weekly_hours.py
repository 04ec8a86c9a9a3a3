"""`House.weekly_hours`: the text the search selects rooms by (availability.load_answers) always says what the
house's OpeningHours rows say, whichever way they are written — the model, querysets, cascades and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from boeking.availability import parse_weekly_hours
from boeking.models import House, OpeningHours, Room, weekly_hours_text
from tests.factories import HouseFactory, RoomFactory

from .admin.helpers import form_post_data, url

pytestmark = pytest.mark.django_db
NINE, FIVE, TEN = dt.time(9), dt.time(17), dt.time(22)


def _stored(house: House) -> str:
    return House.objects.values_list("weekly_hours", flat=True).get(pk=house.pk)


def _rows(house: House) -> str:
    return weekly_hours_text(OpeningHours.objects.filter(house=house).values_list("weekday", "opens", "closes"))


def test_weekly_hours_text__sorted_iso_and_parsed_back():
    rows = [(5, dt.time(8), dt.time(1)), (0, NINE, FIVE), (0, dt.time(19), TEN)]
    text = weekly_hours_text(rows)
    assert text == "0,09:00:00,17:00:00;0,19:00:00,22:00:00;5,08:00:00,01:00:00"
    assert parse_weekly_hours(text) == tuple(sorted(rows))
    assert weekly_hours_text([]) == "" and parse_weekly_hours("") == ()


def test_factory_house__has_its_hours_text():
    house = HouseFactory()
    assert house.weekly_hours == _stored(house) == _rows(house) != ""
    assert HouseFactory(hours=False).weekly_hours == ""


def test_save_and_delete__keep_the_text():
    house = HouseFactory(hours=False)
    row = OpeningHours.objects.create(house=house, weekday=0, opens=NINE, closes=FIVE)
    assert _stored(house) == house.weekly_hours == "0,09:00:00,17:00:00"  # the caller's object follows too
    row.closes = TEN
    row.save()
    assert _stored(house) == "0,09:00:00,22:00:00"
    row.delete()
    assert _stored(house) == ""


def test_moving_a_row_to_another_house__refreshes_both():
    first, second = HouseFactory(hours=False), HouseFactory(hours=False)
    OpeningHours.objects.create(house=first, weekday=2, opens=NINE, closes=FIVE)
    row = OpeningHours.objects.get(house=first)  # loaded, as the admin does
    row.house = second
    row.save()
    assert (_stored(first), _stored(second)) == ("", "2,09:00:00,17:00:00")


def test_queryset_writes__keep_the_text():
    house, other = HouseFactory(hours=False), HouseFactory()
    OpeningHours.objects.bulk_create([OpeningHours(house=house, weekday=d, opens=NINE, closes=FIVE) for d in range(5)])
    assert _stored(house) == _rows(house) and _stored(house).count(";") == 4
    OpeningHours.objects.filter(house=house, weekday=4).update(closes=TEN)
    assert _stored(house) == _rows(house) and "4,09:00:00,22:00:00" in _stored(house)
    rows = list(OpeningHours.objects.filter(house=house, weekday__lt=2))
    for row in rows:
        row.opens = dt.time(10)
    OpeningHours.objects.bulk_update(rows, ["opens"])
    assert _stored(house) == _rows(house) and _stored(house).startswith("0,10:00:00")
    OpeningHours.objects.filter(house=house, weekday__gte=3).delete()
    assert _stored(house) == _rows(house) and _stored(house).count(";") == 2
    OpeningHours.objects.filter(house=house).update(house=other)  # moved wholesale: both houses follow
    assert (_stored(house), _stored(other)) == ("", _rows(other))


def test_deleting_a_house__cascades_without_error():
    house = HouseFactory()  # a house with rooms cannot be deleted (they protect it); one without can
    house.delete()
    assert not OpeningHours.objects.filter(house_id=house.pk).exists()


def test_admin_inline__changed_hours_change_the_text_and_the_search(admin_client, client):
    """The board's hours, edited in the admin, are what the search judges: closing at 17:00 on Saturday takes the
    house out of Saturday evening's results at once."""
    room = RoomFactory()
    house = room.house
    saturday = dt.date(2027, 1, 23)
    search = {"date": saturday.isoformat(), "daypart": "avond"}
    assert "1 zaal gevonden" in client.get("/", search).content.decode()
    response = admin_client.get(url(House, "change", house.pk))
    data = form_post_data(response)
    saturday_row = next(key for key, value in data.items()
                        if key.startswith("opening_hours-") and key.endswith("-weekday") and str(value) == "5")
    data[saturday_row.replace("-weekday", "-closes")] = "17:00"
    response = admin_client.post(url(House, "change", house.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert "5,08:00:00,17:00:00" in _stored(house) and _stored(house) == _rows(house)
    assert "0 zalen gevonden" in client.get("/", search).content.decode()


def test_room_buffer__bounded_at_every_door():
    room = RoomFactory()
    room.buffer_minutes = 241
    with pytest.raises(ValidationError) as refused:
        room.full_clean()
    assert "buffer_minutes" in refused.value.message_dict
    with transaction.atomic(), pytest.raises(IntegrityError):
        Room.objects.filter(pk=room.pk).update(buffer_minutes=241)
    Room.objects.filter(pk=room.pk).update(buffer_minutes=240)

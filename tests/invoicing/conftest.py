"""A community house with a treasurer and two associations that rent a room every week (a series each): the world
an invoice run works in. The clock stands at 1 March 2027; association rate € 15/hour, so each 2-hour date is € 30."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import services
from boeking.models import Booking, Role
from tests.api.conftest import api, as_user  # noqa: F401  (the API tests' clients)
from tests.factories import RoomFactory, UserFactory, default_caps, local_dt

IBAN = "NL91ABNA0417164300"
MARCH = (dt.date(2027, 3, 1), dt.date(2027, 3, 31))


def weekly(room, booker, approver, *, weekday: str = "TU", first: dt.date = dt.date(2027, 3, 9),
           until: dt.date = dt.date(2027, 4, 27), start: dt.time = dt.time(19), end: dt.time = dt.time(21),
           title: str = "Repetitie") -> list[Booking]:
    """An approved weekly series of `booker` in `room` (confirmed dates: associations settle by invoice)."""
    series = services.series_create(booker=booker, room=room, kind="association",
                                    rrule=f"RRULE:FREQ=WEEKLY;BYDAY={weekday}", start_time=start, end_time=end,
                                    first_date=first, until=until, guests=20, title=title)
    services.series_approve(series=series, actor=approver)
    return list(series.occurrences.order_by("start"))


@pytest.fixture
def world(db, frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))
    default_caps()
    room = RoomFactory(name="Grote zaal", location__house__name="Buurthuis De Kastanje",
                       location__house__slug="de-kastanje", location__house__bank_account=IBAN,
                       location__house__email="penningmeester@kastanje.example", location__street="Kastanjelaan 1",
                       location__postcode="6221 AB")
    house = room.house
    treasurer = UserFactory.volunteer(house, username="penning@example.org", first_name="Marij")
    choir = UserFactory(username="koor@example.org", profile__role=Role.ASSOCIATION,
                        profile__organisation="Zangkoor Harmonie")
    chess = UserFactory(username="schaak@example.org", profile__role=Role.ASSOCIATION,
                        profile__organisation="Schaakclub Wyck", profile__language="en")
    choir_dates = weekly(room, choir, treasurer, weekday="TU")
    chess_dates = weekly(room, chess, treasurer, weekday="TH", first=dt.date(2027, 3, 11), until=dt.date(2027, 4, 29),
                         title="Clubavond")
    return {"room": room, "house": house, "treasurer": treasurer, "choir": choir, "chess": chess,
            "choir_dates": choir_dates, "chess_dates": chess_dates, "frozen_now": frozen_now}

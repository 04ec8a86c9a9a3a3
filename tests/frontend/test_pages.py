import pytest

from tests.factories import FacilityFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_home__lists_houses_with_rooms_in_dutch(client):
    room = RoomFactory(name="Grote zaal", capacity=120)
    room.facilities.add(FacilityFactory(code="keuken", name_nl="Keuken"))
    inactive = RoomFactory(location=room.location, name="Oude kelder", active=False)
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert room.house.name in body
    assert "Grote zaal: tot 120 personen — keuken" in body
    assert inactive.name not in body
    assert '<html lang="nl">' in body


def test_home__empty_state_explains_how_to_load_demo(client):
    body = client.get("/").content.decode()
    assert "seed_demo" in body


def test_health__ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}

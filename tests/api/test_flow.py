"""The demo flow through HTTP, and the error format of SPEC §6."""

import pytest
from rest_framework.authtoken.models import Token

from boeking.models import AuditEntry, Booking
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

BODY = {"kind": "party", "start": "2027-04-03T19:00:00+02:00", "end": "2027-04-03T23:00:00+02:00", "guests": 40,
        "alcohol": True, "title": "50 jaar Truus"}


@pytest.fixture(autouse=True)
def march(frozen_now):
    frozen_now(local_dt(2027, 3, 1, 10))


def token_client(api, user):
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "demo"}, format="json")
    assert response.status_code == 200, response.content
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return api


def test_demo_flow__resident_quotes_requests__volunteer_approves__resident_sees_approved(api, room):
    resident = UserFactory.resident()
    volunteer = UserFactory.volunteer(room.house)
    client = token_client(api, resident)

    quote = client.post("/api/v1/bookings/quote/", {**BODY, "room": room.pk}, format="json")
    assert quote.status_code == 200
    assert quote.json()["ok"] is True
    assert quote.json()["price"]["total_cents"] == 15000
    cap = next(r for r in quote.json()["rules"] if r["rule"] == "cap")
    assert cap["message"] == "Nog 12 van 12 feesten beschikbaar in 2027."
    assert Booking.objects.count() == 0  # a quote writes nothing

    created = client.post("/api/v1/bookings/", {**BODY, "room": room.pk}, format="json")
    assert created.status_code == 201, created.content
    booking = created.json()
    assert booking["status"] == "requested"
    assert booking["start"] == "2027-04-03T19:00:00+02:00"
    assert booking["price"]["total_cents"] == 15000

    board = token_client(type(api)(), volunteer)
    inbox = board.get("/api/v1/bookings/?status=requested").json()
    assert [b["id"] for b in inbox["results"]] == [booking["id"]]
    approved = board.post(f"/api/v1/bookings/{booking['id']}/approve/", {}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"

    mine = client.get(f"/api/v1/bookings/{booking['id']}/")
    assert mine.json()["status"] == "approved"
    assert mine.json()["payment_deadline"] == "2027-03-08T10:00:00+01:00"


def test_token__wrong_password__400_with_code(api):
    user = UserFactory.resident()
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert not Token.objects.exists()


def test_create__slot_taken__409_error_format_and_nothing_written(as_user, room):
    BookingFactory.requested(room=room, start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    before = (Booking.objects.count(), AuditEntry.objects.count())
    response = as_user(UserFactory.resident()).post("/api/v1/bookings/", {**BODY, "room": room.pk}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "slot_taken"
    assert body["detail"]
    assert {"rule": "slot", "outcome": "fail"}.items() <= next(r for r in body["rules"] if r["rule"] == "slot").items()
    assert (Booking.objects.count(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"end": "2027-04-03T18:00:00+02:00"}, 400, "end_before_start"),
        ({"kind": "bruiloft"}, 400, "invalid_input"),
        ({"guests": 0}, 400, "invalid_input"),
        ({"guests": 81}, 400, "guests"),
        ({"start": "2027-03-28T02:30:00", "end": "2027-03-28T04:00:00", "kind": "party"}, 400,
         "nonexistent_local_time"),
        ({"start": "2027-03-05T19:00:00+01:00", "end": "2027-03-05T23:00:00+01:00"}, 400, "min_notice"),
        ({"start": "2027-04-06T20:00:00+02:00", "end": "2027-04-07T01:00:00+02:00"}, 400, "private_end"),
        ({"room": 999999}, 400, "invalid_input"),
        ({"start": "not a date"}, 400, "invalid_input"),
    ],
)
def test_create__bad_input__coded_400_and_nothing_written(as_user, room, change, status, code):
    response = as_user(UserFactory.resident()).post("/api/v1/bookings/", {**BODY, "room": room.pk, **change},
                                                    format="json")
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert Booking.objects.count() == 0


def test_create__naive_local_time_is_read_as_amsterdam(as_user, room):
    body = {**BODY, "room": room.pk, "start": "2027-04-03T19:00:00", "end": "2027-04-03T23:00:00"}
    response = as_user(UserFactory.resident()).post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 201
    assert Booking.objects.get().start == local_dt(2027, 4, 3, 19)


def test_status_is_not_writable(as_user, room):
    response = as_user(UserFactory.resident()).post("/api/v1/bookings/", {**BODY, "room": room.pk,
                                                                          "status": "confirmed"}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "requested"
    booking_id = response.json()["id"]
    patch = as_user(Booking.objects.get().booker).patch(f"/api/v1/bookings/{booking_id}/", {"status": "confirmed"},
                                                         format="json")
    assert patch.status_code == 405
    assert patch.json()["code"] == "method_not_allowed"


def test_approve__cap_reached__409(as_user, room):
    from boeking.models import CapRule

    CapRule.objects.create(kind="party", house=room.house, cap=1, reason="horeca in de buurt")
    first = BookingFactory.requested(room=room, start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    second = BookingFactory.requested(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    board = as_user(UserFactory.volunteer(room.house))
    assert board.post(f"/api/v1/bookings/{first.pk}/approve/").status_code == 200
    response = board.post(f"/api/v1/bookings/{second.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["code"] == "cap_reached"


def test_approve_twice__invalid_transition_409(as_user, room):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    board = as_user(UserFactory.volunteer(room.house))
    board.post(f"/api/v1/bookings/{booking.pk}/approve/")
    response = board.post(f"/api/v1/bookings/{booking.pk}/approve/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_availability__busy_blocks_without_personal_data(api, room):
    booking = BookingFactory.requested(room=room, start=local_dt(2027, 4, 3, 19), end=local_dt(2027, 4, 3, 23))
    response = api.get(f"/api/v1/rooms/{room.pk}/availability/?start=2027-04-03&end=2027-04-03")
    assert response.status_code == 200
    body = response.json()
    assert body["busy"] == [{"start": "2027-04-03T19:00:00+02:00", "end": "2027-04-03T23:30:00+02:00"}]
    assert body["open"] == [{"start": "2027-04-03T00:00:00+02:00", "end": "2027-04-03T01:00:00+02:00"},
                            {"start": "2027-04-03T08:00:00+02:00", "end": "2027-04-03T18:30:00+02:00"},
                            {"start": "2027-04-03T23:30:00+02:00", "end": "2027-04-04T00:00:00+02:00"}]
    text = response.content.decode()
    for personal in (booking.title, booking.booker_name, booking.booker_email):
        assert personal not in text


@pytest.mark.parametrize(
    ("query", "code"),
    [("start=2027-01-01&end=2027-04-03", "range_too_long"), ("start=2027-04-03&end=2027-04-01", "end_before_start"),
     ("start=tomorrow&end=2027-04-01", "invalid_date"), ("", "invalid_date")],
)
def test_availability__bad_range__400_with_code(api, room, query, code):
    response = api.get(f"/api/v1/rooms/{room.pk}/availability/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_availability__92_days_is_allowed(api, room):
    assert api.get(f"/api/v1/rooms/{room.pk}/availability/?start=2027-01-01&end=2027-04-02").status_code == 200

"""The series endpoints of SPEC §6: quote, create, list/detail, approve, reject, cancel, restore a date, split —
and who may call them, as one table (associations see their own series, volunteers their houses'; others get 404;
the municipality 403)."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boeking import services
from boeking.clock import local
from boeking.models import AuditEntry, Booking, BookingStatus, Role, Series, SeriesSkip, SeriesStatus
from tests.factories import HouseFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "resident", "association", "other_association", "volunteer", "other_volunteer",
         "municipality", "admin")
DEFAULT_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
NOT_ALLOWED = (403, "not_allowed")  # refused by the service: who may request depends on the room and kind
INVALID_INPUT = (400, "invalid_input")
INVALID_TRANSITION = (409, "invalid_transition")

SERIES = "/api/v1/series/"

# fmt: off
TABLE = [
    # method  url                                  body         anonymous resident assoc other_assoc volunteer other_vol municipality admin
    ("GET",  "/api/v1/series/",                    None,        401, 200, 200, 200, 200, 200, 403, 200),
    ("GET",  "/api/v1/series/{requested}/",        None,        401, 404, 200, 404, 200, 404, 403, 200),
    ("GET",  "/api/v1/series/{approved}/",         None,        401, 404, 200, 404, 200, 404, 403, 200),
    # A quote answers whoever could request that series; it writes nothing.
    ("POST", "/api/v1/series/quote/",              "series",    401, NOT_ALLOWED, 200, 200, 200, NOT_ALLOWED, 403, 200),
    ("POST", "/api/v1/series/",                    "series",    401, NOT_ALLOWED, 201, 201, 201, NOT_ALLOWED, 403, 201),
    # The house's own activities are the board's.
    ("POST", "/api/v1/series/",                    "community", 401, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, 201, NOT_ALLOWED,
     403, 201),
    ("POST", "/api/v1/series/{requested}/approve/", None,       401, 404, 403, 404, 200, 404, 403, 200),
    ("POST", "/api/v1/series/{requested}/reject/", "reason",    401, 404, 403, 404, 200, 404, 403, 200),
    # Who may act is decided before the body is read: a missing reason is 400 only for those who may reject.
    ("POST", "/api/v1/series/{requested}/reject/", None,        401, 404, 403, 404, INVALID_INPUT, 404, 403, INVALID_INPUT),
    ("POST", "/api/v1/series/{approved}/approve/", None,        401, 404, 403, 404, INVALID_TRANSITION, 404, 403,
     INVALID_TRANSITION),
    ("POST", "/api/v1/series/{approved}/cancel/",  "from_date", 401, 404, 200, 404, 200, 404, 403, 200),
    ("POST", "/api/v1/series/{approved}/cancel/",  None,        401, 404, 200, 404, 200, 404, 403, 200),
    ("POST", "/api/v1/series/{requested}/cancel/", None,        401, 404, 200, 404, 200, 404, 403, 200),
    ("POST", "/api/v1/series/{one_cancelled}/restore/", "restore", 401, 404, 200, 404, 200, 404, 403, 200),
    ("POST", "/api/v1/series/{approved}/split/",   "split",     401, 404, 201, 404, 201, 404, 403, 201),
]
# fmt: on

ROWS = [
    pytest.param(role, method, url, body, expected, id=f"{role}-{method}-{url}" + (f"-{body}" if body else ""))
    for method, url, body, *cells in TABLE
    for role, expected in zip(ROLES, cells, strict=True)
]


@pytest.fixture(autouse=True)
def february(frozen_now):
    frozen_now(local_dt(2027, 2, 1, 10))
    return frozen_now


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def series_body(room, **overrides) -> dict:
    body = {"room": room.pk, "kind": "association", "rrule": "FREQ=WEEKLY;BYDAY=TU", "start_time": "19:00",
            "end_time": "21:00", "first_date": "2027-03-02", "until": "2027-05-25", "guests": 20,
            "title": "Repetitie zangkoor"}
    body.update(overrides)
    return body


class Scene:
    """A house with two rooms and its board, an association with series in them, and people around it."""

    def __init__(self, room):
        self.room = room
        self.house = room.house
        self.second_room = RoomFactory(location=room.location)
        self.other_house = HouseFactory()
        self.association = UserFactory.association()
        self.volunteer = UserFactory.volunteer(self.house)
        self.users = {
            "anonymous": None,
            "resident": UserFactory.resident(),
            "association": self.association,
            "other_association": UserFactory(profile__role=Role.ASSOCIATION, profile__organisation="Kaartclub Klaverjas"),
            "volunteer": self.volunteer,
            "other_volunteer": UserFactory.volunteer(self.other_house),
            "municipality": UserFactory.municipality(),
            "admin": UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN),
        }

    def _series(self, room) -> Series:
        return services.series_create(booker=self.association, room=room, kind="association",
                                      rrule="FREQ=WEEKLY;BYDAY=TH", start_time=dt.time(19), end_time=dt.time(21),
                                      first_date=dt.date(2027, 3, 4), until=dt.date(2027, 5, 27), guests=20)

    def value(self, name: str) -> int:
        if name == "requested":
            return self._series(self.room).pk
        if name == "approved":
            return services.series_approve(series=self._series(self.second_room), actor=self.volunteer).pk
        if name == "one_cancelled":
            series = services.series_approve(series=self._series(self.second_room), actor=self.volunteer)
            services.booking_cancel(booking=series.occurrences.get(start=local_dt(2027, 4, 8, 19)),
                                    actor=self.association)
            return series.pk
        raise KeyError(name)

    def url(self, template: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format(**{name: self.value(name) for name in names})

    def body(self, name: str | None) -> dict | None:
        return {
            None: None,
            "series": series_body(self.room),
            "community": series_body(self.room, kind="community", title="Buurtsoep"),
            "reason": {"reason": "De zaal is op dinsdag al voor de buurtraad"},
            "from_date": {"from_date": "2027-04-22", "reason": "Seizoen eerder klaar"},
            "restore": {"date": "2027-04-08"},
            "split": {"from_date": "2027-04-15", "start_time": "20:00", "end_time": "22:00"},
        }[name]


def written() -> dict:
    return {
        "series": list(Series.objects.order_by("pk").values()),
        "bookings": list(Booking.objects.order_by("pk").values()),
        "skips": SeriesSkip.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def assert_error_body(response, code: str) -> None:
    body = response.json()
    assert {"code", "detail", "rules"} <= set(body), body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROWS)
def test_series_permission_table(as_user, room, role, method, url, body, expected):
    scene = Scene(room)
    client = as_user(scene.users[role])
    path, payload = scene.url(url), scene.body(body)
    status, code = expected if isinstance(expected, tuple) else (expected, DEFAULT_CODES.get(expected))
    before = written()

    response = getattr(client, method.lower())(path, payload, format="json")

    assert response.status_code == status, response.content[:500]
    if status >= 400:
        assert_error_body(response, code)
        if status == 401:
            assert response["WWW-Authenticate"] == "Token"
        if method == "POST":
            assert written() == before, "a refused write changed something"
    elif url.endswith("/quote/"):
        assert written() == before, "a quote wrote something"
    elif method == "POST":
        assert AuditEntry.objects.count() > before["audit"], "a state change without an audit entry"


@pytest.mark.parametrize(
    ("role", "sees"),
    [("resident", set()), ("association", {"requested", "approved"}), ("other_association", set()),
     ("volunteer", {"requested", "approved"}), ("other_volunteer", set()), ("admin", {"requested", "approved"})],
)
def test_series_list__shows_exactly_what_the_detail_endpoint_would(as_user, room, role, sees):
    scene = Scene(room)
    ids = {"requested": scene.value("requested"), "approved": scene.value("approved")}
    response = as_user(scene.users[role]).get(SERIES)
    assert response.status_code == 200
    assert {s["id"] for s in response.json()["results"]} == {ids[name] for name in sees}


# --- quote ------------------------------------------------------------------------------------------------------


def test_series_quote__dates_with_offsets_and_rejected_dates_with_reasons__writes_nothing(as_user, room):
    association = UserFactory.association()
    volunteer = UserFactory.volunteer(room.house)
    services.booking_request(booker=UserFactory.association(), room=room, kind="association",
                             start=local_dt(2027, 3, 16, 19), end=local_dt(2027, 3, 16, 21), guests=10)
    services.closure_create(actor=volunteer, house=room.house, start=local_dt(2027, 4, 5), end=local_dt(2027, 4, 7),
                            reason="Pasen")
    before = written()

    response = as_user(association).post("/api/v1/series/quote/", series_body(room), format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert written() == before
    assert body["count"] == 11
    assert body["total_cents"] == 11 * 3000
    assert body["rejected_dates"] == [
        {"date": "2027-03-16", "reason": "conflict", "reason_label": "Al bezet",
         "detail": "De zaal is dan al bezet (inclusief 30 minuten schoonmaaktijd)."},
        {"date": "2027-04-06", "reason": "closure", "reason_label": "Gesloten", "detail": "Gesloten: Pasen"},
    ]
    first, last = body["occurrences"][0], body["occurrences"][-1]
    assert first == {"date": "2027-03-02", "start": "2027-03-02T19:00:00+01:00", "end": "2027-03-02T21:00:00+01:00"}
    # After the clocks went forward (28 March): still 19:00–21:00 on the wall clock.
    assert last == {"date": "2027-05-25", "start": "2027-05-25T19:00:00+02:00", "end": "2027-05-25T21:00:00+02:00"}


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"rrule": "FREQ=DAILY"}, "invalid_rrule"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=XY"}, "invalid_rrule"),
        ({"rrule": "FREQ=WEEKLY;UNTIL=20271231T000000Z"}, "invalid_rrule"),
        ({"until": None}, "until_required"),
        ({"until": "2028-12-31"}, "horizon_too_long"),
        ({"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=150", "until": None}, "horizon_too_long"),
        ({"until": "2027-03-01"}, "end_before_start"),
        ({"guests": 500}, "guests"),
        ({"kind": "party"}, "invalid_input"),
        ({"start_time": "25:00"}, "invalid_input"),
        ({"first_date": "volgende week"}, "invalid_input"),
    ],
)
@pytest.mark.parametrize("endpoint", ["/api/v1/series/quote/", SERIES])
def test_series_quote_and_create__bad_input__400_with_code_and_nothing_written(as_user, room, endpoint, overrides,
                                                                               code):
    before = written()
    response = as_user(UserFactory.association()).post(endpoint, series_body(room, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert_error_body(response, code)
    assert written() == before


# --- create, list, detail ---------------------------------------------------------------------------------------


def test_series_create__association__201_requested_with_occurrences_and_rejected_dates(as_user, room):
    association = UserFactory.association()
    blocker = services.booking_request(booker=UserFactory.association(), room=room, kind="association",
                                       start=local_dt(2027, 4, 13, 18), end=local_dt(2027, 4, 13, 19), guests=10)

    response = as_user(association).post(SERIES, series_body(room), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    series = Series.objects.get(pk=body["id"])
    assert series.booker == association
    assert body["status"] == "requested"
    assert (body["room"], body["house"], body["kind"], body["rrule"]) == (room.pk, room.house_id, "association",
                                                                          "FREQ=WEEKLY;BYDAY=TU")
    assert (body["start_time"], body["end_time"], body["first_date"], body["until"]) == (
        "19:00:00", "21:00:00", "2027-03-02", "2027-05-25")
    assert (body["organisation"], body["booker_email"], body["parent"]) == ("Zangkoor Harmonie", association.email,
                                                                            None)
    assert len(body["occurrences"]) == 12
    assert {o["status"] for o in body["occurrences"]} == {"requested"}
    assert body["occurrences"][0]["start"] == "2027-03-02T19:00:00+01:00"
    assert body["occurrences"][-1]["end"] == "2027-05-25T21:00:00+02:00"
    assert [o["start"] for o in body["occurrences"]] == sorted(o["start"] for o in body["occurrences"])
    assert body["rejected_dates"] == [{"date": "2027-04-13", "reason": "conflict", "reason_label": "Al bezet",
                                       "detail": "De zaal is dan al bezet (inclusief 30 minuten schoonmaaktijd)."}]
    assert blocker.pk not in {o["id"] for o in body["occurrences"]}


def test_series_create__volunteer__201_approved_and_confirmed(as_user, room):
    volunteer = UserFactory.volunteer(room.house)
    response = as_user(volunteer).post(SERIES, series_body(room, kind="community", rrule="FREQ=MONTHLY;BYDAY=+1MO",
                                                           first_date="2027-03-01", until="2027-12-31"),
                                       format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "approved"
    assert [o["start"][:10] for o in body["occurrences"]] == [
        "2027-03-01", "2027-04-05", "2027-05-03", "2027-06-07", "2027-07-05", "2027-08-02", "2027-09-06",
        "2027-10-04", "2027-11-01", "2027-12-06"]
    assert {o["status"] for o in body["occurrences"]} == {"confirmed"}


def test_series_create__nothing_bookable__400_no_dates_with_the_reasons(as_user, room, admin_user):
    services.closure_create(actor=admin_user, house=room.house, start=local_dt(2027, 3, 1), end=local_dt(2027, 6, 1),
                            reason="Verbouwing")
    response = as_user(UserFactory.association()).post(SERIES, series_body(room), format="json")
    assert response.status_code == 400
    assert_error_body(response, "no_dates")
    assert len(response.json()["rules"]) == 13
    assert not Series.objects.exists()


def test_series_create__taken_by_an_existing_series__dates_rejected_as_conflict(as_user, room):
    as_user(UserFactory.association()).post(SERIES, series_body(room), format="json")
    response = as_user(UserFactory.association()).post(SERIES, series_body(room, start_time="20:00",
                                                                           end_time="22:00"), format="json")
    assert response.status_code == 400
    assert_error_body(response, "no_dates")
    assert {r["reason"] for r in response.json()["rules"]} == {"conflict"}


def test_series_list__query_count_does_not_grow_with_the_number_of_series(as_user, room):
    volunteer = UserFactory.volunteer(room.house)
    client = as_user(volunteer)
    rooms = [room] + [RoomFactory(location=room.location) for _ in range(4)]
    client.post(SERIES, series_body(rooms[0]), format="json")
    client.get(SERIES)  # warm up
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(SERIES).json()["results"]) == 1
    for extra in rooms[1:]:
        assert client.post(SERIES, series_body(extra), format="json").status_code == 201
    with CaptureQueriesContext(connection) as five:
        results = client.get(SERIES).json()["results"]
    assert len(results) == 5
    assert all(len(s["occurrences"]) == 13 for s in results)
    assert len(five.captured_queries) == len(one.captured_queries)


def test_series_list__filter_by_status(as_user, room):
    scene = Scene(room)
    requested, approved = scene.value("requested"), scene.value("approved")
    client = as_user(scene.volunteer)
    assert [s["id"] for s in client.get(SERIES, {"status": "requested"}).json()["results"]] == [requested]
    assert [s["id"] for s in client.get(SERIES, {"status": "approved"}).json()["results"]] == [approved]


# --- decide -----------------------------------------------------------------------------------------------------


def test_series_approve__200_occurrences_confirmed(as_user, room):
    scene = Scene(room)
    series_id = scene.value("requested")
    response = as_user(scene.volunteer).post(f"{SERIES}{series_id}/approve/", {"reason": "Veel plezier"},
                                             format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decision_reason"]) == ("approved", "Veel plezier")
    assert {o["status"] for o in body["occurrences"]} == {"confirmed"}
    assert len(body["occurrences"]) == 13


def test_series_reject__reason_required_then_200_rejected(as_user, room):
    scene = Scene(room)
    series_id = scene.value("requested")
    client = as_user(scene.volunteer)
    refused = client.post(f"{SERIES}{series_id}/reject/", {"reason": ""}, format="json")
    assert refused.status_code == 400
    assert Series.objects.get(pk=series_id).status == SeriesStatus.REQUESTED
    response = client.post(f"{SERIES}{series_id}/reject/", {"reason": "Dubbel met de fanfare"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decision_reason"]) == ("rejected", "Dubbel met de fanfare")
    assert {o["status"] for o in body["occurrences"]} == {"rejected"}


# --- cancel -----------------------------------------------------------------------------------------------------


def test_series_cancel__from_date__later_dates_cancelled_and_until_truncated(as_user, room, february):
    scene = Scene(room)
    series_id = scene.value("approved")
    february(local_dt(2027, 4, 1, 12))  # mid-series
    response = as_user(scene.association).post(f"{SERIES}{series_id}/cancel/", {"from_date": "2027-04-22"},
                                               format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["until"]) == ("approved", "2027-04-21")
    by_date = {o["start"][:10]: o["status"] for o in body["occurrences"]}
    assert {d: s for d, s in by_date.items() if d < "2027-04-22"} == {d: "confirmed" for d in by_date if d < "2027-04-22"}
    assert {s for d, s in by_date.items() if d >= "2027-04-22"} == {"cancelled"}
    assert len([d for d in by_date if d >= "2027-04-22"]) == 6


def test_series_cancel__without_body__every_future_date_and_the_series(as_user, room, february):
    scene = Scene(room)
    series_id = scene.value("approved")
    february(local_dt(2027, 4, 1, 12))
    response = as_user(scene.volunteer).post(f"{SERIES}{series_id}/cancel/", format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "cancelled"
    past = [o for o in body["occurrences"] if o["start"] < "2027-04-01"]
    assert past and {o["status"] for o in past} == {"confirmed"}
    assert {o["status"] for o in body["occurrences"] if o["start"] > "2027-04-02"} == {"cancelled"}
    again = as_user(scene.volunteer).post(f"{SERIES}{series_id}/cancel/", format="json")
    assert again.status_code == 409
    assert_error_body(again, "invalid_transition")


def test_cancel_one_occurrence__via_the_booking_endpoint__series_shows_it(as_user, room):
    scene = Scene(room)
    series_id = scene.value("approved")
    target = Booking.objects.get(series_id=series_id, start=local_dt(2027, 4, 8, 19))
    response = as_user(scene.association).post(f"/api/v1/bookings/{target.pk}/cancel/", {"reason": "Uitvoering"},
                                               format="json")
    assert response.status_code == 200, response.content
    body = as_user(scene.association).get(f"{SERIES}{series_id}/").json()
    assert body["status"] == "approved"
    statuses = {o["id"]: o["status"] for o in body["occurrences"]}
    assert statuses.pop(target.pk) == "cancelled"
    assert set(statuses.values()) == {"confirmed"}


# --- restore ----------------------------------------------------------------------------------------------------


def test_series_restore__by_the_board__cancelled_date_booked_again(as_user, room):
    scene = Scene(room)
    series_id = scene.value("one_cancelled")
    response = as_user(scene.volunteer).post(f"{SERIES}{series_id}/restore/", {"date": "2027-04-08"},
                                             format="json")
    assert response.status_code == 200, response.content
    on_that_day = [o for o in response.json()["occurrences"] if o["start"].startswith("2027-04-08")]
    assert sorted(o["status"] for o in on_that_day) == ["cancelled", "confirmed"]


def test_series_restore__by_the_association_on_an_approved_series__a_request_for_the_board(as_user, room):
    # Issue 13, case 5: restoring adds to what the board approved, so the board decides the restored date.
    scene = Scene(room)
    series_id = scene.value("one_cancelled")
    response = as_user(scene.association).post(f"{SERIES}{series_id}/restore/", {"date": "2027-04-08"},
                                               format="json")
    assert response.status_code == 200, response.content
    on_that_day = [o for o in response.json()["occurrences"] if o["start"].startswith("2027-04-08")]
    assert sorted(o["status"] for o in on_that_day) == ["cancelled", "requested"]
    restored = Booking.objects.get(series_id=series_id, status="requested")
    assert as_user(scene.volunteer).post(f"/api/v1/bookings/{restored.pk}/approve/", {}, format="json").status_code == 200
    restored.refresh_from_db()
    assert restored.status == "confirmed"  # a date of a series: settled by invoice, no payment step


def test_series_restore__someone_booked_it_meanwhile__409_slot_taken(as_user, room):
    scene = Scene(room)
    series_id = scene.value("one_cancelled")
    services.booking_request(booker=scene.users["other_association"], room=scene.second_room, kind="association",
                             start=local_dt(2027, 4, 8, 19, 30), end=local_dt(2027, 4, 8, 22), guests=12)
    before = written()
    response = as_user(scene.association).post(f"{SERIES}{series_id}/restore/", {"date": "2027-04-08"},
                                               format="json")
    assert response.status_code == 409
    assert_error_body(response, "slot_taken")
    assert written() == before


@pytest.mark.parametrize(("date", "status", "code"), [
    ("2027-04-09", 400, "not_in_series"),  # a Friday
    ("2027-04-15", 409, "invalid_transition"),  # still booked
    ("9 april", 400, "invalid_input"),
])
def test_series_restore__refusals(as_user, room, date, status, code):
    scene = Scene(room)
    series_id = scene.value("one_cancelled")
    response = as_user(scene.association).post(f"{SERIES}{series_id}/restore/", {"date": date}, format="json")
    assert response.status_code == status, response.content
    assert_error_body(response, code)


# --- split ------------------------------------------------------------------------------------------------------


def test_series_split__narrower_times_by_the_association__approved_at_once(as_user, room, february):
    scene = Scene(room)
    series_id = scene.value("approved")
    february(local_dt(2027, 3, 20, 12))
    response = as_user(scene.association).post(
        f"{SERIES}{series_id}/split/", {"from_date": "2027-04-15", "start_time": "19:30", "end_time": "21:00"},
        format="json")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "approved"
    assert {o["status"] for o in response.json()["occurrences"]} == {"confirmed"}


def test_series_split__201_new_series_with_parent_and_new_times(as_user, room, february):
    scene = Scene(room)
    series_id = scene.value("approved")
    february(local_dt(2027, 3, 20, 12))
    response = as_user(scene.association).post(
        f"{SERIES}{series_id}/split/", {"from_date": "2027-04-15", "start_time": "20:00", "end_time": "22:00",
                                        "reason": "Nieuwe dirigent"}, format="json")
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["id"] != series_id
    assert (new["parent"], new["first_date"], new["until"], new["start_time"], new["end_time"]) == (
        series_id, "2027-04-15", "2027-05-27", "20:00:00", "22:00:00")
    # Issue 13, case 5: a later end widens what the board approved, so it goes back to the board as a request.
    assert new["status"] == "requested"
    assert [o["start"] for o in new["occurrences"]][:2] == ["2027-04-15T20:00:00+02:00", "2027-04-22T20:00:00+02:00"]
    assert {o["status"] for o in new["occurrences"]} == {"requested"}
    created = AuditEntry.objects.get(action="series.created", object_id=str(new["id"]))
    assert created.actor == scene.association and created.to_status == "requested"
    assert Series.objects.get(pk=new["id"]).decided_by is None
    old = as_user(scene.association).get(f"{SERIES}{series_id}/").json()
    assert old["until"] == "2027-04-14"
    kept = [o for o in old["occurrences"] if o["status"] == "confirmed"]
    assert [o["start"][:10] for o in kept] == ["2027-03-04", "2027-03-11", "2027-03-18", "2027-03-25", "2027-04-01",
                                               "2027-04-08"]
    assert {o["start"][11:16] for o in kept} == {"19:00"}
    # The association sees both series in its list.
    listed = {s["id"] for s in as_user(scene.association).get(SERIES).json()["results"]}
    assert {series_id, new["id"]} <= listed


def test_series_split__past_date__400_date_in_past(as_user, room, february):
    scene = Scene(room)
    series_id = scene.value("approved")
    february(local_dt(2027, 4, 1, 12))
    response = as_user(scene.association).post(
        f"{SERIES}{series_id}/split/", {"from_date": "2027-03-25", "start_time": "20:00", "end_time": "22:00"},
        format="json")
    assert response.status_code == 400
    assert_error_body(response, "date_in_past")


def test_series_detail__stored_times_stay_local_wall_clock(as_user, room):
    """What the API shows is what the database holds: UTC instants that read 19:00 in Amsterdam."""
    scene = Scene(room)
    series_id = scene.value("approved")
    body = as_user(scene.volunteer).get(f"{SERIES}{series_id}/").json()
    for occurrence in body["occurrences"]:
        booking = Booking.objects.get(pk=occurrence["id"])
        assert local(booking.start).time() == dt.time(19)
        assert booking.status == BookingStatus.CONFIRMED
        assert occurrence["start"].endswith(("T19:00:00+01:00", "T19:00:00+02:00"))

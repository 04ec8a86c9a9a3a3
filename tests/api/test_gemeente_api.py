"""The municipality's endpoints (SPEC §6): usage, open-data exports, cap rules, rule settings, meldingen, and a
user's own data — who may call them, as one table, and what they answer."""

from __future__ import annotations

import csv
import io
import string

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boeking.models import AuditEntry, Booking, CapRule, Melding, Role, RuleSettings
from tests.factories import BookingFactory, HouseFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "resident", "association", "other_association", "volunteer", "other_volunteer",
         "municipality", "admin")
DEFAULT_CODES = {401: "not_authenticated", 403: "permission_denied", 404: "not_found"}
INVALID = (400, "invalid_input")
REASON_REQUIRED = (400, "reason_required")
INVALID_SETTING = (400, "invalid_setting")
WRONG_PASSWORD = (400, "invalid_password")
ADMIN_ACCOUNT = (403, "admin_account")

# fmt: off
TABLE = [
    # method url                                          body              anon resident assoc o_assoc vol o_vol municipality admin
    ("GET",  "/api/v1/usage/",                            None,             401, 403, 403, 403, 200, 200, 200, 200),
    ("GET",  "/api/v1/usage/?year=2027&house={house}",    None,             401, 403, 403, 403, 200, 200, 200, 200),
    ("GET",  "/api/v1/usage/?year=twintig",               None,             401, 403, 403, 403, INVALID, INVALID, INVALID, INVALID),
    # Open data: counts per house, kind and year with the cap; no personal data, so public.
    ("GET",  "/api/v1/usage/export.csv",                  None,             200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/api/v1/usage/export.json?year=2027",       None,             200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/api/v1/usage/export.json?year=1",          None,             INVALID, INVALID, INVALID, INVALID, INVALID, INVALID,
     INVALID, INVALID),
    ("GET",  "/api/v1/accessibility/export.csv",          None,             200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/api/v1/accessibility/export.json",         None,             200, 200, 200, 200, 200, 200, 200, 200),
    ("GET",  "/api/v1/cap-rules/",                        None,             200, 200, 200, 200, 200, 200, 200, 200),
    ("PUT",  "/api/v1/cap-rules/",                        "default",        401, 403, 403, 403, 403, 403, 200, 200),
    ("PUT",  "/api/v1/cap-rules/",                        "overrides",      401, 403, 403, 403, 403, 403, 200, 200),
    ("PUT",  "/api/v1/cap-rules/",                        "no_reason",      401, 403, 403, 403, 403, 403, REASON_REQUIRED,
     REASON_REQUIRED),
    ("GET",  "/api/v1/rule-settings/",                    None,             200, 200, 200, 200, 200, 200, 200, 200),
    ("PUT",  "/api/v1/rule-settings/",                    "settings",       401, 403, 403, 403, 403, 403, 200, 200),
    ("PUT",  "/api/v1/rule-settings/",                    "bad_settings",   401, 403, 403, 403, 403, 403, INVALID_SETTING,
     INVALID_SETTING),
    ("GET",  "/api/v1/meldingen/",                        None,             401, 403, 403, 403, 403, 403, 200, 200),
    # Occupancy, own income, automatic approval (issue 21): aggregates; volunteers see their own houses only.
    ("GET",  "/api/v1/occupancy/?year=2027&month=2",      None,             401, 403, 403, 403, 200, 200, 200, 200),
    ("GET",  "/api/v1/occupancy/?month=13",               None,             401, 403, 403, 403, INVALID, INVALID, INVALID, INVALID),
    ("GET",  "/api/v1/income/?year=2027",                 None,             401, 403, 403, 403, 200, 200, 200, 200),
    ("GET",  "/api/v1/auto-approval/",                    None,             401, 403, 403, 403, 200, 200, 200, 200),
    ("GET",  "/api/v1/meldingen/?from=2027-01-01&to=2027-12-31T23:00", None, 401, 403, 403, 403, 403, 403, 200, 200),
    ("GET",  "/api/v1/meldingen/?from=gisteren",          None,             401, 403, 403, 403, 403, 403, INVALID, INVALID),
    # Everyone's own data; deleting an account takes the password (administrators are deleted by another admin).
    ("GET",  "/api/v1/me/data/",                          None,             401, 200, 200, 200, 200, 200, 200, 200),
    ("POST", "/api/v1/me/delete/",                        "delete",         401, 200, 200, 200, 200, 200, 200, ADMIN_ACCOUNT),
    ("POST", "/api/v1/me/delete/",                        "wrong_password", 401, WRONG_PASSWORD, WRONG_PASSWORD, WRONG_PASSWORD,
     WRONG_PASSWORD, WRONG_PASSWORD, WRONG_PASSWORD, WRONG_PASSWORD),
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


class Scene:
    """Two houses with their boards, bookings of a resident in one of them (a party approved: a melding)."""

    def __init__(self, room):
        self.room = room
        self.house = room.house
        self.other_room = RoomFactory()
        self.volunteer = UserFactory.volunteer(self.house)
        self.resident = UserFactory.resident(first_name="Truus", last_name="Vrancken")
        self.users = {
            "anonymous": None,
            "resident": self.resident,
            "association": UserFactory.association(),
            "other_association": UserFactory(profile__role=Role.ASSOCIATION, profile__organisation="Kaartclub"),
            "volunteer": self.volunteer,
            "other_volunteer": UserFactory.volunteer(self.other_room.house),
            "municipality": UserFactory.municipality(),
            "admin": UserFactory(is_superuser=True, is_staff=True, profile__role=Role.ADMIN),
        }
        self.party = BookingFactory.approved(room=room, booker=self.resident, approver=self.volunteer,
                                             start=local_dt(2027, 3, 6, 19), end=local_dt(2027, 3, 6, 23),
                                             title="50 jaar Truus")
        BookingFactory.requested(room=room, booker=self.resident, start=local_dt(2027, 3, 13, 19),
                                 end=local_dt(2027, 3, 13, 23))

    def url(self, template: str) -> str:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        return template.format(**{"house": self.house.pk} if "house" in names else {})

    def body(self, name: str | None):
        return {
            None: None,
            "default": {"kind": "party", "house": None, "cap": 10, "reason": "Minder overlast"},
            "overrides": [{"kind": "party", "house": self.house.pk, "cap": 6, "reason": "horeca in de buurt"},
                          {"kind": "gathering", "house": self.house.pk, "cap": 4, "reason": "horeca in de buurt"}],
            "no_reason": {"kind": "party", "house": self.house.pk, "cap": 6},
            "settings": {"min_notice_party_hours": 21 * 24, "private_end_weekend": "00:30"},
            "bad_settings": {"koffietafel_earliest": "18:00", "koffietafel_latest": "09:00"},
            "delete": {"password": "demo", "confirm": True},
            "wrong_password": {"password": "niet-demo", "confirm": True},
        }[name]


def written() -> dict:
    return {
        "caps": list(CapRule.objects.order_by("pk").values()),
        "settings": list(RuleSettings.objects.values()),
        "bookings": list(Booking.objects.order_by("pk").values()),
        "users": get_user_model().objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def assert_error_body(response, code: str) -> None:
    body = response.json()
    assert {"code", "detail", "rules"} <= set(body), body
    assert body["code"] == code, body
    assert isinstance(body["detail"], str) and body["detail"], body


@pytest.mark.parametrize(("role", "method", "url", "body", "expected"), ROWS)
def test_gemeente_permission_table(as_user, room, role, method, url, body, expected):
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
        if method in ("POST", "PUT"):
            assert written() == before, "a refused write changed something"
    elif method in ("POST", "PUT"):
        assert AuditEntry.objects.count() > before["audit"], "a change without an audit entry"


# --- usage -----------------------------------------------------------------------------------------------------


def test_usage__counts_approved_shows_pending_with_cap_and_percent(as_user, room):
    scene = Scene(room)
    rows = as_user(scene.users["municipality"]).get("/api/v1/usage/?year=2027&kind=party&page_size=200").json()["results"]
    mine = next(r for r in rows if r["house"] == scene.house.pk)
    assert mine == {"house": scene.house.pk, "house_name": scene.house.name, "house_type": "gemeenschapshuis",
                    "district": scene.house.neighbourhood.district.name, "neighbourhood": scene.house.neighbourhood.name,
                    "kind": "party", "year": 2027, "count": 1, "pending": 1, "cap": 12, "cap_source": "default",
                    "cap_reason": "", "cap_from": "2000-01-01", "cap_on": "2027-02-01", "percent": 8, "level": "ok",
                    "remaining": 11}


def test_usage__volunteer_sees_only_own_houses(as_user, room):
    scene = Scene(room)
    mine = as_user(scene.volunteer).get("/api/v1/usage/?page_size=200").json()["results"]
    assert {r["house"] for r in mine} == {scene.house.pk}
    theirs = as_user(scene.users["other_volunteer"]).get(f"/api/v1/usage/?house={scene.house.pk}").json()
    assert theirs["results"] == []


def test_usage__default_year_is_the_current_local_year(as_user, room, frozen_now):
    scene = Scene(room)
    frozen_now(local_dt(2027, 12, 31, 23, 30))
    rows = as_user(scene.users["municipality"]).get("/api/v1/usage/").json()["results"]
    assert {r["year"] for r in rows} == {2027}


# --- exports ---------------------------------------------------------------------------------------------------


def test_usage_export_csv__open_data_columns_one_row_per_house_kind_year(api, room):
    scene = Scene(room)
    response = api.get("/api/v1/usage/export.csv?year=2027")
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="zaalboek-gebruik-2027.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["house", "house_name", "district", "year", "kind", "count", "cap"]
    assert len(rows) == 2 * 3  # two houses, three private kinds
    party = next(r for r in rows if r["house"] == str(scene.house.pk) and r["kind"] == "party")
    assert (party["count"], party["cap"], party["year"]) == ("1", "12", "2027")
    assert "Truus" not in response.content.decode()


def test_usage_export_json__same_figures_as_csv(api, room):
    Scene(room)
    as_json = api.get("/api/v1/usage/export.json?year=2027").json()
    as_csv = list(csv.DictReader(io.StringIO(api.get("/api/v1/usage/export.csv?year=2027").content.decode())))
    assert [(r["house"], r["kind"], r["count"], r["cap"]) for r in as_json] == [
        (int(r["house"]), r["kind"], int(r["count"]), int(r["cap"])) for r in as_csv]


def test_accessibility_export__screening_status_per_location(api, room):
    room.location.screening_status = "partial"
    room.location.save()
    rows = api.get("/api/v1/accessibility/export.json").json()
    mine = next(r for r in rows if r["house"] == room.house_id)
    assert mine["screening_status"] == "partial" and mine["location"] == room.location.name
    text = api.get("/api/v1/accessibility/export.csv").content.decode()
    assert text.splitlines()[0].startswith("house,house_name,district,location,street,postcode,screening_status")


# --- caps -------------------------------------------------------------------------------------------------------


def test_cap_rules_put__override_with_reason_is_set_audited_and_shown_in_usage(as_user, room):
    scene = Scene(room)
    officer = scene.users["municipality"]
    response = as_user(officer).put("/api/v1/cap-rules/", scene.body("overrides"), format="json")
    assert response.status_code == 200
    rule = CapRule.objects.get(house=scene.house, kind="party")
    assert (rule.cap, rule.reason) == (6, "horeca in de buurt")
    entry = AuditEntry.objects.filter(action="cap_rule.set", object_id=str(rule.pk)).get()
    assert entry.actor == officer and entry.data["to"] == 6
    usage = as_user(officer).get(f"/api/v1/usage/?year=2027&house={scene.house.pk}&kind=party").json()["results"][0]
    assert (usage["cap"], usage["cap_source"], usage["cap_reason"]) == (6, "house", "horeca in de buurt")


def test_cap_rules_put__all_or_nothing(as_user, room):
    scene = Scene(room)
    before = written()
    body = [{"kind": "party", "house": None, "cap": 3}, {"kind": "gathering", "house": scene.house.pk, "cap": 2}]
    response = as_user(scene.users["municipality"]).put("/api/v1/cap-rules/", body, format="json")
    assert response.status_code == 400 and response.json()["code"] == "reason_required"
    assert written() == before


def test_cap_rules_put__null_cap_removes_override_but_never_the_default(as_user, room):
    scene = Scene(room)
    client = as_user(scene.users["municipality"])
    client.put("/api/v1/cap-rules/", scene.body("overrides"), format="json")
    response = client.put("/api/v1/cap-rules/", {"kind": "party", "house": scene.house.pk, "cap": None,
                                                 "reason": "horeca gesloten"}, format="json")
    assert response.status_code == 200
    assert not CapRule.objects.filter(house=scene.house, kind="party").exists()
    assert AuditEntry.objects.filter(action="cap_rule.removed", reason="horeca gesloten").exists()
    refused = client.put("/api/v1/cap-rules/", {"kind": "party", "house": None, "cap": None}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "default_cap_required"
    assert CapRule.objects.filter(house=None, kind="party").exists()


def test_cap_lowered_below_use__approved_bookings_stay_new_requests_refused(as_user, room):
    scene = Scene(room)
    officer = scene.users["municipality"]
    as_user(officer).put("/api/v1/cap-rules/", {"kind": "party", "house": scene.house.pk, "cap": 0,
                                                "reason": "horeca in de buurt"}, format="json")
    scene.party.refresh_from_db()
    assert scene.party.status == "approved"
    usage = as_user(officer).get(f"/api/v1/usage/?year=2027&house={scene.house.pk}&kind=party").json()["results"][0]
    assert (usage["count"], usage["cap"], usage["level"]) == (1, 0, "full")
    response = as_user(UserFactory.resident()).post("/api/v1/bookings/", {
        "room": room.pk, "kind": "party", "start": "2027-04-03T19:00:00+02:00", "end": "2027-04-03T23:00:00+02:00",
        "guests": 20, "alcohol": True, "title": "Feest"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "cap_reached"


# --- rule settings ----------------------------------------------------------------------------------------------


def test_rule_settings_put__changes_audited_and_apply_to_new_requests(as_user, room):
    scene = Scene(room)
    response = as_user(scene.users["municipality"]).put("/api/v1/rule-settings/", scene.body("settings"), format="json")
    assert response.status_code == 200
    assert response.json()["min_notice_party_hours"] == 504 and response.json()["private_end_weekend"] == "00:30:00"
    entry = AuditEntry.objects.get(action="rule_settings.updated")
    assert entry.data["from"] == {"min_notice_party_hours": "336", "private_end_weekend": "01:00:00"}
    quote = as_user(UserFactory.resident()).post("/api/v1/bookings/quote/", {
        "room": room.pk, "kind": "party", "start": "2027-02-17T19:00:00+01:00", "end": "2027-02-17T23:00:00+01:00",
        "guests": 20}, format="json").json()
    notice = next(r for r in quote["rules"] if r["rule"] == "min_notice")
    assert notice["outcome"] == "fail" and "21 dagen" in notice["message"]


def test_rule_settings__melding_address_only_shown_to_the_municipality(as_user, api, room):
    scene = Scene(room)
    as_user(scene.users["municipality"]).put("/api/v1/rule-settings/", {"melding_email": "alcoholwet@maastricht.example"},
                                             format="json")
    assert as_user(scene.users["municipality"]).get("/api/v1/rule-settings/").json()["melding_email"] == \
        "alcoholwet@maastricht.example"
    assert api.get("/api/v1/rule-settings/").json()["melding_email"] == ""
    assert as_user(scene.volunteer).get("/api/v1/rule-settings/").json()["melding_email"] == ""


@pytest.mark.parametrize("body", [{"resident_postcodes": "62xx"}, {"private_min_minutes": 800},
                                  {"anonymise_after_months": 0}, {"decision_days": -1}, {"unknown": 1}])
def test_rule_settings_put__bad_values_refused_nothing_written(as_user, room, body):
    scene = Scene(room)
    before = written()
    response = as_user(scene.users["municipality"]).put("/api/v1/rule-settings/", body, format="json")
    assert response.status_code == 400, response.json()
    if "unknown" in body:  # a misspelt setting is refused, not silently ignored
        assert response.json()["code"] == "unknown_setting"
    assert written() == before


# --- meldingen --------------------------------------------------------------------------------------------------


def test_meldingen__filtered_by_event_date_with_notice_and_no_personal_data(as_user, room):
    scene = Scene(room)
    client = as_user(scene.users["municipality"])
    body = client.get("/api/v1/meldingen/?from=2027-03-01&to=2027-03-31").json()
    assert body["count"] == 1
    melding = body["results"][0]
    assert (melding["house"], melding["kind"], melding["guests"], melding["alcohol"], melding["status"]) == (
        scene.house.pk, "party", 40, True, "active")
    assert melding["start"] == "2027-03-06T19:00:00+01:00"
    assert melding["notice_days"] == 33 and melding["late"] is False
    assert "Truus" not in str(body)
    assert client.get("/api/v1/meldingen/?from=2027-04-01").json()["count"] == 0


def test_me_data__download_of_own_bookings_and_profile(as_user, room):
    scene = Scene(room)
    response = as_user(scene.resident).get("/api/v1/me/data/")
    assert 'attachment; filename="zaalboek-mijn-gegevens.json"' == response["Content-Disposition"]
    data = response.json()
    assert data["account"]["last_name"] == "Vrancken" and data["profile"]["phone"] == "06-12345678"
    assert {b["title"] for b in data["bookings"]} == {"50 jaar Truus", "Verjaardag"}


def test_me_delete__cancels_future_bookings_anonymises_and_removes_the_account(as_user, room):
    scene = Scene(room)
    mail.outbox.clear()
    response = as_user(scene.resident).post("/api/v1/me/delete/", {"password": "demo", "confirm": True}, format="json")
    assert response.status_code == 200
    assert {c["id"] for c in response.json()["cancelled"]} == {scene.party.pk, scene.party.pk + 1}
    assert not get_user_model().objects.filter(pk=scene.resident.pk).exists()
    party = Booking.objects.get(pk=scene.party.pk)
    assert party.status == "cancelled" and party.booker_id is None and party.title == ""
    assert party.booker_email == "" and party.anonymised_at is not None
    assert Melding.objects.get(booking=party).withdrawn_at is not None


def test_me_delete__confirm_false_refused(as_user, room):
    scene = Scene(room)
    response = as_user(scene.resident).post("/api/v1/me/delete/", {"password": "demo", "confirm": False}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "confirmation_required"
    assert get_user_model().objects.filter(pk=scene.resident.pk).exists()


def test_other_house_is_listed_in_usage(as_user, room):
    HouseFactory(active=False)  # inactive without bookings: not listed
    scene = Scene(room)
    houses = {r["house"] for r in as_user(scene.users["admin"]).get("/api/v1/usage/?page_size=200").json()["results"]}
    assert houses == {scene.house.pk, scene.other_room.house_id}


def test_usage__query_count_does_not_grow_with_houses(as_user, room):
    scene = Scene(room)
    client = as_user(scene.users["municipality"])
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/usage/?page_size=200").status_code == 200
    for _ in range(8):
        BookingFactory.approved(room=RoomFactory(), start=local_dt(2027, 3, 20, 19), end=local_dt(2027, 3, 20, 23))
    with CaptureQueriesContext(connection) as many:
        rows = client.get("/api/v1/usage/?page_size=200").json()["results"]
    assert len(rows) == 10 * 3
    assert len(many) == len(few)

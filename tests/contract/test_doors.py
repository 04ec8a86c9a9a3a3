"""Contract: the same invalid input through every door refuses it the same way, and writes nothing.

A door is a way in: the API (`/api/v1/…`), the web pages (posted as a signed-in user of the right role) and the
admin (as a superuser). For each object (bookings, series, closures, the municipality's rule settings and caps) a
table of invalid inputs runs through every door that can express it, and each row asserts:

(a) every door refuses it: the API with a 4xx and the row's stable `code`; a page or admin form re-renders with an
    error (200 or 400, no redirect to success);
(b) it is the same rule: `MESSAGE` — the API's `detail` is shown on the page and in the admin (the domain's words
    reached the form); `CODE` — the form error carries the API's code; `FIELD` — a shape check of each door (a
    number's range, a text's length, a choice) refuses it on the same field;
(c) nothing is written: no table gains or loses a row (audit trail and admin log included) and the rule settings
    keep their values.

Doors that do not exist are stated as such (`test_doors_that_do_not_exist`): bookings and series have no admin add
form, series have no web form. A baseline row shows each door accepts the valid input at the bound (so a refusal
below is the rule's, not a broken fixture's).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.forms.models import model_to_dict
from django.test import Client
from django.utils.html import escape
from rest_framework.test import APIClient

from boeking.bounds import TEXT_LIMITS
from boeking.models import Booking, CapRule, Closure, RuleSettings, Series
from tests.boeking.admin.helpers import form_post_data, url
from tests.factories import RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

MESSAGE, CODE, FIELD = "message", "code", "field"
MB = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Row:
    """One invalid input. `api`, `page`, `admin` are changes to that door's valid body (None: the door cannot express
    the input; `why` says so). `code` is the API's. `same` says how (b) is checked (per door when a tuple
    `(page, admin)`); `field` names the field (per door when a tuple `(api, page, admin)`) for FIELD and CODE rows."""

    id: str
    api: dict[str, Any]
    page: dict[str, Any] | None
    admin: dict[str, Any] | None
    code: str
    same: str | tuple[str, str] = MESSAGE
    field: str | tuple[str | None, str | None, str | None] | None = None
    why: str = ""

    def field_at(self, door: int) -> str | None:
        return self.field[door] if isinstance(self.field, tuple) else self.field

    def same_at(self, door: int) -> str:
        return self.same[door - 1] if isinstance(self.same, tuple) else self.same


def rows(*items: Row):
    return [pytest.param(row, id=row.id) for row in items]


# --- what "nothing is written" means ----------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Row counts of every table of the domain and the admin log, and the rule settings' values."""
    counts = {model._meta.label: model.objects.count() for model in apps.get_app_config("boeking").get_models()}
    counts[LogEntry._meta.label] = LogEntry.objects.count()
    settings = RuleSettings.objects.order_by("pk").first()
    counts["rule_settings"] = model_to_dict(settings) if settings else None
    counts["cap_rules"] = sorted(CapRule.objects.values_list("kind", "house_id", "cap", "reason"))
    return counts


# --- the doors ---------------------------------------------------------------------------------------------------


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_refused(response, row: Row) -> dict:
    assert 400 <= response.status_code < 500, f"API answered {response.status_code}: {response.content[:300]!r}"
    body = response.json()
    assert body["code"] == row.code, body
    return body


def form_refused(response, form_key: str = "form"):
    """A form re-rendered with an error: 200 or 400, not a redirect to the success page."""
    assert response.status_code in (200, 400), f"the door answered {response.status_code}"
    context = response.context
    form = context["adminform"].form if form_key == "adminform" else context[form_key]
    assert form.errors, "the form was re-rendered without an error"
    return form


def api_errors(body: dict) -> dict:
    """The API's per-field errors; for a list body (caps) those of its only item."""
    errors = body.get("errors") or {}
    return errors.get("0", errors) if isinstance(errors, dict) else {}


def api_words(body: dict) -> str:
    """What the API says, without the field name it puts before a field's message."""
    for messages in api_errors(body).values():
        return str(messages[0])
    return body["detail"]


def same_rule(row: Row, door: int, api_body: dict, response, form) -> None:
    """(b): the refusal at `door` (1 page, 2 admin) is the rule the API named."""
    same = row.same_at(door)
    if same == MESSAGE:
        words = api_words(api_body)
        assert escape(words) in response.content.decode(), (
            f"door {door} does not show the API's words {words!r}; it says {dict(form.errors)}")
    elif same == CODE:
        codes = {e.code for e in form.errors.as_data().get(row.field_at(door), [])}
        assert row.code in codes, f"form errors {form.errors.as_data()} lack the code {row.code}"
    else:
        if row.field_at(0):
            assert row.field_at(0) in api_errors(api_body), api_body
        assert row.field_at(door) in form.errors, dict(form.errors)


# --- people and places -------------------------------------------------------------------------------------------


@pytest.fixture
def clock(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    return frozen_now


@pytest.fixture
def room(db, caps, clock):
    RuleSettings.current()  # the settings row exists (it is made on first use, which is not the input's doing)
    return RoomFactory()


@pytest.fixture
def resident(db):
    return UserFactory.resident()


@pytest.fixture
def volunteer(room):
    return UserFactory.volunteer(room.house)


@pytest.fixture
def association(db):
    return UserFactory.association()


@pytest.fixture
def officer(db):
    return UserFactory.municipality()


# === bookings: API and the room page (the admin has no add form) ================================================

# A Saturday evening party well within notice and advance of the frozen clock (4 January 2027).
BOOKING_API = {"kind": "party", "start": "2027-04-03T19:00:00", "end": "2027-04-03T23:00:00", "guests": 30,
               "alcohol": False, "title": "Verjaardag", "notes": ""}
BOOKING_PAGE = {"kind": "party", "date": "2027-04-03", "daypart": "", "start_time": "19:00", "end_time": "23:00",
                "guests": "30", "title": "Verjaardag", "notes": ""}


def api_period(start: str, end: str) -> dict:
    return {"start": start, "end": end}


def page_period(day: str, start: str, end: str) -> dict:
    return {"date": day, "start_time": start, "end_time": end}


NOTES = TEXT_LIMITS["notes"]

BOOKING_ROWS = rows(
    Row("year-9999", api_period("9999-12-31T19:00:00+01:00", "9999-12-31T22:00:00+01:00"),
        page_period("9999-12-31", "19:00", "22:00"), None, "invalid_date"),
    Row("year-9999-past-midnight", api_period("9999-12-31T23:00:00-14:00", "9999-12-31T23:30:00-14:00"),
        page_period("9999-12-31", "23:00", "01:00"), None, "invalid_date"),
    Row("year-1", api_period("0001-01-01T19:00:00+00:00", "0001-01-01T22:00:00+00:00"),
        page_period("0001-01-01", "19:00", "22:00"), None, "invalid_date"),
    Row("year-1-first-hour", api_period("0001-01-01T00:10:00", "0001-01-01T02:00:00"),
        page_period("0001-01-01", "00:10", "02:00"), None, "invalid_date"),
    Row("year-2101", api_period("2101-04-02T19:00:00", "2101-04-02T23:00:00"),
        page_period("2101-04-02", "19:00", "23:00"), None, "invalid_date"),
    Row("year-2100-into-2101", api_period("2100-12-31T23:00:00", "2101-01-01T01:00:00"),
        page_period("2100-12-31", "23:00", "01:00"), None, "invalid_date"),
    # The page reads an end at or before the start as the next day: the end can only "not be after" the start
    # when both times are equal.
    Row("end-before-start", api_period("2027-04-03T23:00:00", "2027-04-03T19:00:00"),
        page_period("2027-04-03", "23:00", "23:00"), None, "end_before_start", CODE, (None, "end_time", None)),
    Row("dst-spring-gap", api_period("2027-03-28T02:30:00", "2027-03-28T05:00:00"),
        page_period("2027-03-28", "02:30", "05:00"), None, "nonexistent_local_time"),
    Row("dst-autumn-repeated-hour", api_period("2027-10-31T02:30:00+01:00", "2027-10-31T05:00:00+01:00"),
        page_period("2027-10-31", "02:30", "05:00"), None, "ambiguous_local_time"),
    Row("guests-0", {"guests": 0}, {"guests": "0"}, None, "invalid_input", FIELD, "guests"),
    Row("guests-over-10000", {"guests": 10_001}, {"guests": "10001"}, None, "invalid_guests"),
    Row("notes-1MB", {"notes": "x" * MB}, {"notes": "x" * MB}, None, "text_too_long"),
    Row("notes-2001", {"notes": "x" * (NOTES + 1)}, {"notes": "x" * (NOTES + 1)}, None, "text_too_long"),
    Row("kind-unknown", {"kind": "rave"}, {"kind": "rave"}, None, "invalid_input", FIELD, "kind"),
)


def test_booking__valid_input_at_the_bounds_is_accepted_at_every_door(room, resident):
    """Notes of exactly 2,000 characters are taken by both doors, so the rows below fail for their rule."""
    api = api_as(resident).post("/api/v1/bookings/", {**BOOKING_API, "room": room.pk, "notes": "x" * NOTES},
                                format="json")
    assert api.status_code == 201, api.content
    page = page_as(UserFactory.resident()).post(f"/zalen/{room.pk}/", {
        **BOOKING_PAGE, **page_period("2027-04-10", "19:00", "23:00"), "notes": "x" * NOTES})
    assert page.status_code == 302, page.context["form"].errors if page.context else page
    assert [len(b.notes) for b in Booking.objects.order_by("pk")] == [NOTES, NOTES]


@pytest.mark.parametrize("row", BOOKING_ROWS)
def test_booking__invalid_input_is_refused_by_every_door_and_nothing_is_written(row, room, resident):
    before = snapshot()

    api_body = api_refused(api_as(resident).post("/api/v1/bookings/", {**BOOKING_API, "room": room.pk, **row.api},
                                                 format="json"), row)
    page = page_as(resident).post(f"/zalen/{room.pk}/", {**BOOKING_PAGE, **row.page})
    same_rule(row, 1, api_body, page, form_refused(page))

    if "notes" not in row.api:  # a quote prices the booking and shows its rules; it does not read the notes
        quote = api_as(resident).post("/api/v1/bookings/quote/", {**BOOKING_API, "room": room.pk, **row.api},
                                      format="json")
        assert api_refused(quote, row) == api_body
        live = page_as(resident).post(f"/zalen/{room.pk}/prijs/", {**BOOKING_PAGE, **row.page})  # the form's htmx
        assert live.status_code == 200 and live.context["quote"] is None
        assert live.context["form"].errors or live.context["error"]
        same_rule(row, 1, api_body, live, live.context["form"])

    assert snapshot() == before


# === series: the API only (no page makes a series; the admin decides series, it does not add them) ==============

SERIES_API = {"kind": "association", "rrule": "FREQ=WEEKLY;BYDAY=WE", "start_time": "19:00", "end_time": "21:00",
              "first_date": "2027-02-03", "until": "2027-03-31", "guests": 20, "title": "Koorrepetitie"}
NO_SERIES_PAGE = "no web page creates a series; the admin has no add form for series"


def api_only(name: str, api: dict, code: str) -> Row:
    return Row(name, api, None, None, code, why=NO_SERIES_PAGE)


SERIES_ROWS = rows(
    api_only("first-date-9999", {"first_date": "9999-12-01", "until": None, "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=3"},
             "invalid_date"),
    api_only("first-date-year-1", {"first_date": "0001-01-03", "until": "0001-02-28"}, "invalid_date"),
    api_only("until-2101", {"first_date": "2027-02-03", "until": "2101-01-05"}, "invalid_date"),
    api_only("until-before-first-date", {"until": "2027-01-27"}, "end_before_start"),
    api_only("end-time-equals-start", {"end_time": "19:00"}, "end_before_start"),
    # A series keeps its wall-clock time: a date whose time does not exist (or exists twice) is a skip with that
    # reason; a series with no other date cannot be booked at all.
    api_only("dst-spring-gap", {"rrule": "FREQ=WEEKLY;BYDAY=SU;COUNT=1", "first_date": "2027-03-28", "until": None,
                                "start_time": "02:30", "end_time": "04:00"}, "no_dates"),
    api_only("dst-autumn-repeated-hour", {"rrule": "FREQ=WEEKLY;BYDAY=SU;COUNT=1", "first_date": "2027-10-31",
                                          "until": None, "start_time": "02:30", "end_time": "04:00"}, "no_dates"),
    api_only("guests-0", {"guests": 0}, "invalid_input"),
    api_only("guests-over-10000", {"guests": 10_001}, "invalid_guests"),  # the same bound as one booking
    api_only("kind-unknown", {"kind": "rave"}, "invalid_input"),
    api_only("kind-private", {"kind": "party"}, "invalid_input"),
    api_only("rrule-byhour", {"rrule": "FREQ=WEEKLY;BYDAY=WE;BYHOUR=1,2"}, "invalid_rrule"),
    api_only("rrule-bymonthday-32", {"rrule": "FREQ=MONTHLY;BYMONTHDAY=32"}, "invalid_rrule"),
    api_only("rrule-bysetpos-0", {"rrule": "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0"}, "invalid_rrule"),
    api_only("rrule-byday-plus-53", {"rrule": "FREQ=WEEKLY;BYDAY=+53MO"}, "invalid_rrule"),
    api_only("rrule-count-5000", {"rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=5000", "until": None}, "invalid_rrule"),
    api_only("title-201", {"title": "x" * 201}, "invalid_input"),
)


def test_series__valid_input_is_accepted(room, association):
    response = api_as(association).post("/api/v1/series/", {**SERIES_API, "room": room.pk, "title": "x" * 200},
                                        format="json")
    assert response.status_code == 201, response.content
    assert Series.objects.get().title == "x" * 200


@pytest.mark.parametrize("row", SERIES_ROWS)
def test_series__invalid_input_is_refused_and_nothing_is_written(row, room, association, volunteer):
    before = snapshot()
    body = {**SERIES_API, "room": room.pk, **row.api}
    for user in (association, volunteer):  # a request, and a series the board makes directly
        quote = api_as(user).post("/api/v1/series/quote/", body, format="json")
        if row.code == "no_dates":  # the plan shows the date it cannot get, and why
            assert quote.status_code == 200, quote.content
            assert (quote.json()["count"], [d["reason"] for d in quote.json()["rejected_dates"]]) == (
                0, ["nonexistent_local_time"])
        else:
            assert api_refused(quote, row)["code"] == row.code
        body_refused = api_refused(api_as(user).post("/api/v1/series/", body, format="json"), row)
        if row.code == "no_dates":
            assert [d["reason"] for d in body_refused["rules"]] == ["nonexistent_local_time"]
    assert snapshot() == before


# === closures: API, the board's page and the admin ==============================================================

CLOSURE_API = {"start": "2027-02-01T08:00:00", "end": "2027-02-03T18:00:00", "reason": "Schilderwerk"}
CLOSURE_PAGE = {"date": "2027-02-01", "start_time": "08:00", "end_date": "2027-02-03", "end_time": "18:00",
                "reason": "Schilderwerk"}
CLOSURE_ADMIN = {"start_0": "2027-02-01", "start_1": "08:00", "end_0": "2027-02-03", "end_1": "18:00",
                 "reason": "Schilderwerk"}
REASON = TEXT_LIMITS["closure_reason"]

CLOSURE_ROWS = rows(
    # The issue: the board's form took an end in 9999, and then GET /api/v1/closures/ answered 400 to everyone.
    Row("end-9999", {"end": "9999-12-31T23:59:00"}, {"end_date": "9999-12-31", "end_time": "23:59"},
        {"end_0": "9999-12-31", "end_1": "23:59"}, "invalid_date"),
    Row("end-9999-west-of-utc", {"end": "9999-12-31T23:59:59-14:00"}, {"end_date": "9999-12-31", "end_time": "23:59"},
        {"end_0": "9999-12-31", "end_1": "23:59"}, "invalid_date"),
    Row("start-year-1", {"start": "0001-01-01T00:00:00"}, {"date": "0001-01-01", "start_time": "00:00"},
        {"start_0": "0001-01-01", "start_1": "00:00"}, "invalid_date"),
    Row("end-2101", {"end": "2101-01-01T00:00:00"}, {"end_date": "2101-01-01", "end_time": "00:00"},
        {"end_0": "2101-01-01", "end_1": "00:00"}, "invalid_date"),
    Row("end-before-start", {"end": "2027-01-31T18:00:00"}, {"end_date": "2027-01-31"}, {"end_0": "2027-01-31"},
        "end_before_start"),
    Row("dst-spring-gap", {"start": "2027-03-28T02:30:00", "end": "2027-03-29T18:00:00"},
        {"date": "2027-03-28", "start_time": "02:30", "end_date": "2027-03-29"},
        {"start_0": "2027-03-28", "start_1": "02:30", "end_0": "2027-03-29"}, "nonexistent_local_time"),
    Row("dst-autumn-repeated-hour", {"start": "2027-10-31T02:30:00+01:00", "end": "2027-11-01T18:00:00"},
        {"date": "2027-10-31", "start_time": "02:30", "end_date": "2027-11-01"},
        {"start_0": "2027-10-31", "start_1": "02:30", "end_0": "2027-11-01"}, "ambiguous_local_time"),
    Row("reason-201", {"reason": "x" * (REASON + 1)}, {"reason": "x" * (REASON + 1)},
        {"reason": "x" * (REASON + 1)}, "invalid_input", FIELD, "reason"),
    Row("reason-empty", {"reason": ""}, {"reason": ""}, {"reason": ""}, "invalid_input", FIELD, "reason"),
    Row("reason-blank", {"reason": "   "}, {"reason": "   "}, {"reason": "   "}, "invalid_input", FIELD, "reason"),
)


def closure_bodies(room) -> tuple[dict, dict, dict]:
    return ({**CLOSURE_API, "house": room.house.pk, "room": room.pk}, {**CLOSURE_PAGE, "room": room.pk},
            {**CLOSURE_ADMIN, "house": room.house.pk, "room": room.pk})


def test_closure__valid_input_at_the_bound_is_accepted_at_every_door(room, volunteer, admin_client):
    api, page, admin = closure_bodies(room)
    reason = "x" * REASON
    assert api_as(volunteer).post("/api/v1/closures/", {**api, "reason": reason}, format="json").status_code == 201
    response = page_as(volunteer).post(f"/bestuur/huizen/{room.house.slug}/sluitingen/", {**page, "reason": reason})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    response = admin_client.post(url(Closure, "add"), {**admin, "reason": reason})
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    assert list(Closure.objects.values_list("reason", flat=True)) == [reason] * 3


@pytest.mark.parametrize("row", CLOSURE_ROWS)
def test_closure__invalid_input_is_refused_by_every_door_and_nothing_is_written(row, room, volunteer, admin_client):
    api, page, admin = closure_bodies(room)
    before = snapshot()

    api_body = api_refused(api_as(volunteer).post("/api/v1/closures/", {**api, **row.api}, format="json"), row)

    response = page_as(volunteer).post(f"/bestuur/huizen/{room.house.slug}/sluitingen/", {**page, **row.page})
    same_rule(row, 1, api_body, response, form_refused(response))

    response = admin_client.post(url(Closure, "add"), {**admin, **row.admin})
    same_rule(row, 2, api_body, response, form_refused(response, "adminform"))

    assert snapshot() == before
    # Whatever was refused, the public list keeps working for everyone.
    assert APIClient().get("/api/v1/closures/").status_code == 200


def test_closure__public_list_answers_after_every_far_date_was_refused(room, volunteer, admin_client):
    api, page, admin = closure_bodies(room)
    for row in (p.values[0] for p in CLOSURE_ROWS if p.values[0].code == "invalid_date"):
        api_as(volunteer).post("/api/v1/closures/", {**api, **row.api}, format="json")
        page_as(volunteer).post(f"/bestuur/huizen/{room.house.slug}/sluitingen/", {**page, **row.page})
        admin_client.post(url(Closure, "add"), {**admin, **row.admin})
    assert not Closure.objects.exists()
    for query in ("", f"?house={room.house.pk}", "?from=2027-01-01", "?to=2100-12-31"):
        assert APIClient().get(f"/api/v1/closures/{query}").status_code == 200, query


# === the municipality's rule settings: API, /gemeente/regels/ and the admin change form =========================

SETTINGS_ROWS = rows(
    # The issue: the page saved max_advance_days=1000000000, and then every quote was a 500.
    Row("max-advance-1000000000", {"max_advance_days": 1_000_000_000}, {"max_advance_days": "1000000000"},
        {"max_advance_days": "1000000000"}, "invalid_input", FIELD, "max_advance_days"),
    Row("max-advance-731", {"max_advance_days": 731}, {"max_advance_days": "731"}, {"max_advance_days": "731"},
        "invalid_input", FIELD, "max_advance_days"),
    Row("free-cancellation-100000", {"free_cancellation_days": 100_000}, {"free_cancellation_days": "100000"},
        {"free_cancellation_days": "100000"}, "invalid_input", FIELD, "free_cancellation_days"),
    Row("decision-days-0", {"decision_days": 0}, {"decision_days": "0"}, {"decision_days": "0"}, "invalid_input",
        FIELD, "decision_days"),
    Row("decision-days-61", {"decision_days": 61}, {"decision_days": "61"}, {"decision_days": "61"},
        "invalid_input", FIELD, "decision_days"),
    Row("koffietafel-window-reversed", {"koffietafel_earliest": "18:00", "koffietafel_latest": "09:00"},
        {"koffietafel_earliest": "18:00", "koffietafel_latest": "09:00"},
        {"koffietafel_earliest": "18:00", "koffietafel_latest": "09:00"}, "invalid_setting"),
    Row("postcodes-garbage", {"resident_postcodes": "62xx"}, {"resident_postcodes": "62xx"},
        {"resident_postcodes": "62xx"}, "invalid_postcodes"),
)


def settings_form_data(response, key: str) -> dict:
    """What a browser posts back for the unchanged settings form (page: `form`; admin: `adminform`)."""
    if key == "adminform":
        return form_post_data(response)
    form = response.context[key]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else (value.strftime("%H:%M") if isinstance(value, dt.time)
                                                            else value)
    return data


def test_rule_settings__valid_values_at_the_bounds_are_accepted_at_every_door(officer, admin_client):
    settings = RuleSettings.current()
    assert api_as(officer).put("/api/v1/rule-settings/", {"max_advance_days": 730}, format="json").status_code == 200
    page = page_as(officer)
    data = settings_form_data(page.get("/gemeente/regels/"), "form")
    assert page.post("/gemeente/regels/", {**data, "decision_days": "60"}).status_code == 302
    change = url(RuleSettings, "change", settings.pk)
    data = settings_form_data(admin_client.get(change), "adminform")
    assert admin_client.post(change, {**data, "free_cancellation_days": "365"}).status_code == 302
    settings.refresh_from_db()
    assert (settings.max_advance_days, settings.decision_days, settings.free_cancellation_days) == (730, 60, 365)


@pytest.mark.parametrize("row", SETTINGS_ROWS)
def test_rule_settings__invalid_values_are_refused_by_every_door_and_nothing_is_written(row, officer, admin_client,
                                                                                         room, resident):
    settings = RuleSettings.current()
    page = page_as(officer)
    page_data = settings_form_data(page.get("/gemeente/regels/"), "form")
    change = url(RuleSettings, "change", settings.pk)
    admin_data = settings_form_data(admin_client.get(change), "adminform")
    before = snapshot()

    api_body = api_refused(api_as(officer).put("/api/v1/rule-settings/", row.api, format="json"), row)

    response = page.post("/gemeente/regels/", {**page_data, **row.page})
    same_rule(row, 1, api_body, response, form_refused(response))

    response = admin_client.post(change, {**admin_data, **row.admin})
    same_rule(row, 2, api_body, response, form_refused(response, "adminform"))

    assert snapshot() == before
    # The rules still work: a quote is answered.
    quote = api_as(resident).post("/api/v1/bookings/quote/", {**BOOKING_API, "room": room.pk}, format="json")
    assert quote.status_code == 200, quote.content


# === the municipality's caps: API, /gemeente/maxima/ and the admin ==============================================

CAP_ROWS = rows(
    Row("kind-unknown", {"kind": "rave", "cap": 3}, {"kind": "rave", "cap": "3"}, {"kind": "rave", "cap": "3"},
        "invalid_input", FIELD, "kind"),
    Row("cap-1001", {"kind": "party", "cap": 1001}, {"kind": "party", "cap": "1001"}, {"kind": "party", "cap": "1001"},
        "invalid_input", FIELD, "cap"),
    Row("cap-negative", {"kind": "party", "cap": -1}, {"kind": "party", "cap": "-1"}, {"kind": "party", "cap": "-1"},
        "invalid_input", FIELD, "cap"),
    Row("override-without-reason", {"kind": "party", "cap": 3, "reason": "", "house": "{house}"},
        {"kind": "party", "cap": "3", "reason": "", "house": "{house}"},
        {"kind": "party", "cap": "3", "reason": "", "house": "{house}"}, "reason_required", (FIELD, MESSAGE),
        (None, "reason", None), why="the page's form requires the reason itself; the admin shows the service's words"),
)


def _with_house(body: dict, house) -> dict:
    return {k: (house.pk if v == "{house}" else v) for k, v in body.items()}


@pytest.mark.parametrize("row", CAP_ROWS)
def test_caps__invalid_input_is_refused_by_every_door_and_nothing_is_written(row, room, officer, admin_client):
    house = room.house
    before = snapshot()

    api_body = api_refused(api_as(officer).put("/api/v1/cap-rules/", _with_house(row.api, house), format="json"), row)

    page_body = {"action": "override", "house": house.pk, "reason": "Horeca in de straat",
                 **_with_house(row.page, house)}
    response = page_as(officer).post("/gemeente/maxima/", page_body)
    same_rule(row, 1, api_body, response, form_refused(response, "override_form"))

    admin_body = {"house": house.pk, "reason": "Horeca in de straat", **_with_house(row.admin, house)}
    response = admin_client.post(url(CapRule, "add"), admin_body)
    same_rule(row, 2, api_body, response, form_refused(response, "adminform"))

    assert snapshot() == before


# === doors that do not exist ====================================================================================


def test_doors_that_do_not_exist(admin_client, room, association):
    """Bookings are made on the site and through the API, never added in the admin; series are requested through the
    API only (the board's series page decides them), and the admin decides series with actions but adds none."""
    assert admin_client.get(url(Booking, "add")).status_code == 403
    assert admin_client.get(url(Series, "add")).status_code == 403
    page = page_as(UserFactory.volunteer(room.house)).get(f"/bestuur/huizen/{room.house.slug}/reeksen/")
    assert page.status_code == 200 and b'name="rrule"' not in page.content

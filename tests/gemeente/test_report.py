"""The yearly report and the other new municipality pages (issue 21, issue 20's municipality bullets): the report's
numbers equal the API's, every new page costs the same number of queries with few or many houses, the exports
open in Dutch Excel (typed .xlsx cells, `;` CSV with a BOM), earlier years, messages shown once."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from boeking.models import AutoApproval, BookingStatus, Closure, LedgerKind, Melding, PaymentEntry, ScreeningStatus
from boeking.pricing import euro
from tests.factories import HouseFactory, LocationFactory, RoomFactory, UserFactory, local_dt
from tests.gemeente.test_occupancy import make_booking

pytestmark = pytest.mark.django_db

NEW_PAGES = ["/gemeente/bezetting/", "/gemeente/bezetting/?month=10", "/gemeente/huizen/{house}/bezetting/",
             "/gemeente/inkomsten/", "/gemeente/toegankelijkheid/", "/gemeente/toegankelijkheid/?screened=yes&toilet=on",
             "/gemeente/automatisch-goedkeuren/", "/gemeente/rapport/2026/", "/gemeente/export/gebruik.xlsx",
             "/gemeente/export/toegankelijkheid.csv", "/gemeente/", "/gemeente/huizen/{house}/"]


@pytest.fixture(autouse=True)
def december(frozen_now):
    frozen_now(local_dt(2026, 12, 1, 9))


@pytest.fixture
def officer(client):
    user = UserFactory.municipality()
    client.force_login(user)
    return user


def a_house(n: int):
    """A house with two rooms, bookings of each group, a closure, ledger lines, a melding and an auto-approval."""
    house = HouseFactory(name=f"Huis {n:02d}")
    location = LocationFactory(house=house, accessible_toilet=n % 2 == 0, step_free_entrance=True,
                               screening_status=ScreeningStatus.COMPLIANT if n % 3 else ScreeningStatus.NOT_SCREENED,
                               screening_date=dt.date(2026, 3, n % 28 + 1) if n % 3 else None, door_width_cm=90)
    room, other = RoomFactory(location=location), RoomFactory(location=location)
    party = make_booking(room, "party", local_dt(2026, 10, 3, 20), local_dt(2026, 10, 4, 0, 30))
    make_booking(room, "association", local_dt(2026, 3, 3, 19), local_dt(2026, 3, 3, 19 + n % 3 + 1))
    make_booking(other, "community", local_dt(2025, 6, 3, 14), local_dt(2025, 6, 3, 16))
    make_booking(other, "koffietafel", local_dt(2026, 5, 5, 10), local_dt(2026, 5, 5, 12), BookingStatus.APPROVED)
    Closure.objects.create(house=house, start=local_dt(2026, 12, 24, 0), end=local_dt(2026, 12, 27, 0), reason="Kerst")
    PaymentEntry.objects.create(booking=party, kind=LedgerKind.CHARGE, method="offline", amount_cents=10000 + n * 7,
                                at=local_dt(2026, 9, 1, 12))
    PaymentEntry.objects.create(booking=party, kind=LedgerKind.DEPOSIT_REFUND, method="offline", amount_cents=2500,
                                at=local_dt(2026, 10, 6, 12))
    Melding.objects.create(booking=party, house=house, kind="party", start=party.start, end=party.end, guests=40,
                           alcohol=True, created_at=local_dt(2026, 9, 1, 12))
    AutoApproval.objects.create(house=house, kind="koffietafel", created_at=local_dt(2026, 1, 1, 9))
    return house


def test_report__numbers_equal_the_apis(client, officer, caps):
    houses = [a_house(n) for n in range(1, 4)]
    response = client.get("/gemeente/rapport/2026/")
    assert response.status_code == 200
    body, ctx = response.content.decode(), response.context
    occupancy = client.get("/api/v1/occupancy/", {"year": 2026}).json()
    income = client.get("/api/v1/income/", {"year": 2026}).json()
    usage_rows = client.get("/api/v1/usage/", {"year": 2026, "page_size": 500}).json()["results"]

    # Occupancy: the city's and each house's rate, hours and order.
    assert ctx["city"].rate == occupancy["city"]["rate"] and ctx["city"].booked_hours == occupancy["city"]["booked_hours"]
    assert [r["house"].house for r in ctx["ranking"]] == [h["house"] for h in occupancy["results"]]
    for row, api in zip(ctx["ranking"], occupancy["results"], strict=True):
        assert (row["cell"].rate, row["cell"].open_hours, row["cell"].booked_hours) == (
            api["rate"], api["open_hours"], api["booked_hours"])
        assert f"{round(api['rate'] * 100)} %" in body
    # Own income: each house's net, and the city's.
    for row, api in zip(ctx["incomes"], income["results"], strict=True):
        assert (row["name"], row["net"], row["received"]) == (api["house_name"], euro(api["net_cents"]),
                                                              euro(api["received_cents"]))
        assert euro(api["net_cents"]) in body
    assert ctx["money"].net_cents == income["city"]["net_cents"]
    # Usage against the caps: counts and caps per house and kind.
    mine = {(r["house"], r["kind"]): (r["count"], r["cap"]) for r in usage_rows}
    assert {(c.house, c.kind): (c.count, c.cap) for c in ctx["usage_rows"]} == mine
    assert [t["t"].count for t in ctx["totals"]] == [sum(r["count"] for r in usage_rows if r["kind"] == k)
                                                    for k in ("party", "gathering", "koffietafel")]
    # Meldingen per month, accessibility and automatic approval; the change against 2025; nothing about who.
    assert ctx["meldingen"]["party"][9] == 3 and sum(map(sum, ctx["meldingen_before"].values())) == 0
    assert ctx["status_counts"][ScreeningStatus.COMPLIANT] == 2
    assert [r["house"] for r in ctx["auto"]] == [h.pk for h in houses]
    assert "Niets over wie" in body and "Jaarverslag gemeenschapshuizen 2026" in body
    for forbidden in ("Test Gebruiker", "Verjaardag", "@example.org", "06-12345678"):
        assert forbidden not in body


def test_report__print_stylesheet_and_charts_with_tables(client, officer, caps):
    a_house(1)
    body = client.get("/gemeente/rapport/2026/").content.decode()
    assert "/static/frontend/gemeente.css" in body
    assert body.count('<svg class="usage-chart') == 4 and body.count("<table") >= 8
    assert client.get("/gemeente/rapport/").status_code == 302
    client.force_login(UserFactory.volunteer(HouseFactory()))
    assert client.get("/gemeente/rapport/2026/").status_code == 403


@pytest.mark.parametrize("url", NEW_PAGES)
def test_new_pages__query_count_does_not_grow_with_the_number_of_houses(client, officer, caps, url):
    first = a_house(1)
    a_house(2)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url.format(house=first.pk))
        assert response.status_code == 200, url
        return len(queries)

    few = count()
    for n in range(3, 9):
        a_house(n)
    assert count() == few


def test_exports__xlsx_has_dutch_headers_and_typed_cells_csv_opens_in_dutch_excel(client, officer, caps):
    a_house(1)
    response = client.get("/gemeente/export/gebruik.xlsx", {"year": 2026})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:8] == ["Huisnummer", "Huis", "Wijk", "Jaar", "Soort", "Geteld", "Aangevraagd", "Maximum"]
    party = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[4] == "Feest")
    assert isinstance(party[0], int) and party[3] == 2026 and party[5] == 1 and party[7] == 12
    assert isinstance(party[8], dt.datetime) and party[8].date() == dt.date(2000, 1, 1)  # a real date cell

    access = load_workbook(io.BytesIO(client.get("/gemeente/export/toegankelijkheid.xlsx").content)).active
    row = next(access.iter_rows(min_row=2, values_only=True))
    assert [c.value for c in access[1]][6:8] == ["Schouwstatus (NEN 9120)", "Schouwdatum"]
    assert row[6] == "Voldoet" and isinstance(row[7], dt.datetime) and row[8] == "ja" and row[10] == 90

    raw = client.get("/gemeente/export/toegankelijkheid.csv", {"screened": "yes"}).content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Huisnummer", "Huis", "Wijk"] and rows[1][7] == "02-03-2026"
    assert client.get("/gemeente/export/niets.xlsx").status_code == 404


def test_house_page__earlier_years_list_only_years_before_this_one(client, officer, caps):
    house = a_house(1)
    room = house.rooms.first()
    make_booking(room, "party", local_dt(2025, 2, 8, 20), local_dt(2025, 2, 8, 23))
    make_booking(room, "party", local_dt(2027, 2, 6, 20), local_dt(2027, 2, 6, 23), BookingStatus.REQUESTED)
    history = client.get(f"/gemeente/huizen/{house.pk}/").context["history"]
    assert {r.year for r in history} == {2025}


def test_caps_page__success_message_shown_once_and_a_planned_change_listed(client, officer, caps):
    data = {"action": "defaults", "party": 10, "koffietafel": 24, "gathering": 12, "reason": "",
            "effective_from": "2027-01-01"}
    body = client.post("/gemeente/maxima/", data, follow=True).content.decode()
    assert body.count("De maxima voor de hele gemeente zijn vastgelegd.") == 1
    assert "Geplande wijzigingen" in body and "01-01-2027" in body

"""Caps keep their history (issue 21): a cap lowered in a later year leaves the earlier year's usage and "cap reached"
unchanged; overrides start and end on their dates; changes cannot be backdated; the API and pages say which cap
applied and from when."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import rules, usage
from boeking.errors import InvalidInput
from boeking.models import Booking, CapRule
from boeking.services.config import cap_rule_remove, cap_rule_set, cap_rules_apply
from tests.factories import BookingFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db


def approved_parties(room, days: list[dt.date]) -> list[Booking]:
    volunteer = UserFactory.volunteer(room.house)
    return [BookingFactory.approved(room=room, approver=volunteer, start=local_dt(d.year, d.month, d.day, 19),
                                    end=local_dt(d.year, d.month, d.day, 23)) for d in days]


def row(rows, house, kind="party"):
    return next(r for r in rows if r.house == house.pk and r.kind == kind)


def saturdays(year: int, month: int, n: int) -> list[dt.date]:
    day = dt.date(year, month, 1)
    day += dt.timedelta(days=(5 - day.weekday()) % 7)
    return [day + dt.timedelta(weeks=k) for k in range(n)]


def test_cap_lowered_in_a_later_year__the_earlier_year_keeps_its_cap_and_its_cap_reached(room, frozen_now):
    officer = UserFactory.municipality()
    frozen_now(local_dt(2026, 3, 1, 9))
    cap_rule_set(actor=officer, kind="party", cap=3, house=room.house, reason="horeca om de hoek")
    approved_parties(room, saturdays(2026, 4, 3))  # 3 of 3: full in 2026
    before = row(usage.usage(2026), room.house)
    assert (before.count, before.cap, before.level, before.cap_source) == (3, 3, "full", "house")

    # In December the municipality lowers the house's cap to 1 from 2027 on, then raises the city default.
    frozen_now(local_dt(2026, 12, 10, 9))
    cap_rule_set(actor=officer, kind="party", cap=1, house=room.house, reason="klachten",
                 effective_from=dt.date(2027, 1, 1))
    cap_rule_set(actor=officer, kind="party", cap=20, effective_from=dt.date(2027, 1, 1))
    frozen_now(local_dt(2027, 2, 1, 9))

    past = row(usage.usage(2026), room.house)
    assert (past.count, past.cap, past.level, past.percent, past.cap_source, past.cap_reason) == (
        3, 3, "full", 100, "house", "horeca om de hoek")
    assert (past.cap_from, past.cap_on) == ("2026-03-01", "2026-12-31")
    now_row = row(usage.usage(2027), room.house)
    assert (now_row.count, now_row.cap, now_row.cap_from, now_row.cap_reason) == (0, 1, "2027-01-01", "klachten")
    # The rules judge an event by the cap in force on its date.
    assert rules.cap_status(room.house, "party", 2026, on=dt.date(2026, 6, 1)).cap == 3
    assert rules.cap_status(room.house, "party", 2027).cap == 1
    # Both versions are kept.
    assert list(CapRule.objects.filter(house=room.house).order_by("effective_from").values_list("cap", flat=True)) \
        == [3, 1]


def test_city_default_lowered_later__earlier_years_are_judged_against_the_old_default(room, frozen_now):
    officer = UserFactory.municipality()
    frozen_now(local_dt(2026, 1, 5, 9))
    approved_parties(room, saturdays(2026, 2, 10))  # 10 of the default 12: near
    assert row(usage.usage(2026), room.house).level == "near"
    frozen_now(local_dt(2026, 11, 1, 9))
    cap_rule_set(actor=officer, kind="party", cap=8, effective_from=dt.date(2027, 1, 1))
    frozen_now(local_dt(2027, 3, 1, 9))
    past = row(usage.usage(2026), room.house)
    assert (past.cap, past.level, past.remaining) == (12, "near", 2)
    assert row(usage.usage(2027), room.house).cap == 8


def test_override_ended__applies_before_its_end_date_and_the_default_after(room, frozen_now):
    officer = UserFactory.municipality()
    frozen_now(local_dt(2026, 1, 5, 9))
    rule = cap_rule_set(actor=officer, kind="party", cap=2, house=room.house, reason="horeca om de hoek")
    frozen_now(local_dt(2026, 6, 1, 9))
    cap_rule_remove(actor=officer, rule=rule, reason="horeca gesloten")
    table = rules.CapTable.load()
    assert table.in_force(room.house.pk, "party", dt.date(2026, 5, 31)) == (2, "house", "horeca om de hoek")
    assert table.in_force(room.house.pk, "party", dt.date(2026, 6, 1))[:2] == (12, "default")
    # Set and removed on the same day: nothing remains of it.
    other = cap_rule_set(actor=officer, kind="koffietafel", cap=4, house=room.house, reason="klein huis")
    cap_rule_remove(actor=officer, rule=other)
    assert not CapRule.objects.filter(house=room.house, kind="koffietafel").exists()


def test_cap_change__cannot_be_backdated_and_nothing_is_written(room, frozen_now):
    frozen_now(local_dt(2027, 3, 1, 9))
    before = list(CapRule.objects.values_list("pk", "cap", "effective_from"))
    with pytest.raises(InvalidInput) as exc:
        cap_rules_apply(actor=UserFactory.municipality(), changes=[
            {"kind": "party", "house": None, "cap": 5, "effective_from": dt.date(2027, 3, 1)},
            {"kind": "gathering", "house": None, "cap": 5, "effective_from": dt.date(2026, 12, 31)}])
    assert exc.value.code == "invalid_effective_date"
    assert list(CapRule.objects.values_list("pk", "cap", "effective_from")) == before


def test_cap_rules_api__planned_change_listed_in_history_and_in_force_from_its_date(client, room, frozen_now):
    frozen_now(local_dt(2026, 12, 1, 9))
    client.force_login(UserFactory.municipality())
    response = client.put("/api/v1/cap-rules/", {"kind": "party", "house": None, "cap": 9,
                                                 "effective_from": "2027-01-01"}, content_type="application/json")
    assert response.status_code == 200
    today = {r["kind"]: r for r in response.json()["results"] if r["house"] is None}
    assert (today["party"]["cap"], today["party"]["effective_from"]) == (12, "2000-01-01")
    later = client.get("/api/v1/cap-rules/", {"on": "2027-01-01", "kind": "party"}).json()["results"]
    assert [(r["cap"], r["effective_from"]) for r in later] == [(9, "2027-01-01")]
    history = client.get("/api/v1/cap-rules/", {"history": "true", "kind": "party"}).json()["results"]
    assert [(r["cap"], r["effective_from"]) for r in history] == [(12, "2000-01-01"), (9, "2027-01-01")]
    assert client.put("/api/v1/cap-rules/", {"kind": "party", "cap": 9, "effective_from": "2026-11-30"},
                      content_type="application/json").json()["code"] == "invalid_effective_date"


def test_usage_api__says_which_cap_applied_and_from_when(client, room, frozen_now):
    frozen_now(local_dt(2026, 12, 1, 9))
    cap_rule_set(actor=UserFactory.municipality(), kind="party", cap=9, effective_from=dt.date(2027, 1, 1))
    frozen_now(local_dt(2027, 1, 10, 9))
    client.force_login(UserFactory.municipality())
    rows = client.get("/api/v1/usage/", {"year": 2026, "kind": "party", "house": room.house.pk}).json()["results"]
    assert [(r["cap"], r["cap_from"], r["cap_on"]) for r in rows] == [(12, "2000-01-01", "2026-12-31")]
    rows = client.get("/api/v1/usage/", {"year": 2027, "kind": "party", "house": room.house.pk}).json()["results"]
    assert [(r["cap"], r["cap_from"]) for r in rows] == [(9, "2027-01-01")]


@pytest.mark.parametrize(("count", "cap", "percent", "level"), [
    (5, 24, 21, "ok"), (1, 8, 13, "ok"), (19, 24, 79, "ok"), (20, 25, 80, "near"), (0, 0, 0, "full"),
    (2, 3, 67, "ok"), (12, 12, 100, "full")])
def test_percent__rounded_half_up_and_level_on_the_exact_fraction(count, cap, percent, level):
    r = usage.UsageRow(house=1, house_name="", house_slug="", house_type="", district="", district_slug="",
                       neighbourhood="", kind="party", year=2027, count=count, pending=0, cap=cap,
                       cap_source="default", cap_reason="")
    assert (r.percent, r.level) == (percent, level)



def test_house_page__says_which_cap_applied_and_since_when_in_dutch_dates(client, room, frozen_now):
    officer = UserFactory.municipality()
    frozen_now(local_dt(2026, 3, 1, 9))
    cap_rule_set(actor=officer, kind="party", cap=3, house=room.house, reason="horeca om de hoek")
    client.force_login(officer)
    body = client.get(f"/gemeente/huizen/{room.house.pk}/?year=2026").content.decode()
    assert "geldt sinds 01-03-2026" in body and "horeca om de hoek" in body

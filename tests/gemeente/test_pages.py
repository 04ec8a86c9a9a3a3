"""The municipality's pages (/gemeente/): who may see them, what they show, and that forms write through the
services (audited, all or nothing)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from boeking.models import AuditEntry, CapRule, HouseType, RuleSettings
from tests.factories import BookingFactory, HouseFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

PAGES = ["/gemeente/", "/gemeente/maxima/", "/gemeente/regels/", "/gemeente/meldingen/", "/gemeente/export/"]


@pytest.fixture(autouse=True)
def january(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))


@pytest.fixture
def officer(client):
    user = UserFactory.municipality()
    client.force_login(user)
    return user


def approved_parties(room, n: int):
    volunteer = UserFactory.volunteer(room.house)
    first = dt.date(2027, 2, 6)
    for k in range(n):
        day = first + dt.timedelta(weeks=k)
        BookingFactory.approved(room=room, approver=volunteer, start=local_dt(day.year, day.month, day.day, 19),
                                end=local_dt(day.year, day.month, day.day, 23))


@pytest.mark.parametrize("url", PAGES)
def test_pages__anonymous_goes_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ["resident", "association"])
def test_pages__residents_and_associations_get_403(client, url, who, caps):
    client.force_login(UserFactory.resident() if who == "resident" else UserFactory.association())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", PAGES)
def test_pages__officer_sees_them_in_dutch(client, officer, url, room):
    response = client.get(url)
    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()


def test_dashboard__highlights_houses_near_and_at_the_cap(client, officer, room):
    CapRule.objects.create(kind="party", house=room.house, cap=2, reason="horeca in de buurt")
    approved_parties(room, 2)
    quiet = HouseFactory(name="Huis De Stilte")
    body = client.get("/gemeente/?year=2027").content.decode()
    row = re.search(rf'<tr class="utrecht-table__row usage-row usage-row--(\w+)">\s*<th[^>]*><a[^>]*>{room.house.name}<',
                    body)
    assert row and row.group(1) == "full"
    assert "Maximum bereikt" in body and "2/2 = 100 %" in body and "eigen maximum" in body
    assert 'usage-cell usage-cell--full' in body  # marked visually too (gemeente.css), not by the word alone
    assert quiet.name in body
    assert '<svg class="usage-chart"' in body and "<caption" in body  # the chart and its table alternative


def test_dashboard__filters_by_district_and_house_type(client, officer, caps):
    kleinschalig = HouseFactory(name="Het Kamerke", house_type=HouseType.KLEINSCHALIG)
    other = HouseFactory(name="De Grote Wei")
    body = client.get("/gemeente/?house_type=kleinschalig").content.decode()
    assert kleinschalig.name in body and other.name not in body
    district = other.neighbourhood.district
    body = client.get(f"/gemeente/?district={district.slug}").content.decode()
    assert other.name in body


def test_dashboard__volunteer_sees_only_own_houses_without_officer_menu(client, room):
    other = HouseFactory(name="Ander Huis")
    volunteer = UserFactory.volunteer(room.house)
    client.force_login(volunteer)
    body = client.get("/gemeente/").content.decode()
    assert room.house.name in body and other.name not in body
    assert "/gemeente/maxima/" not in body
    assert client.get(f"/gemeente/huizen/{other.pk}/").status_code == 404
    assert client.get(f"/gemeente/huizen/{room.house_id}/").status_code == 200
    assert client.post(f"/gemeente/huizen/{room.house_id}/", {"action": "set", "kind": "party", "cap": 1,
                                                              "reason": "x"}).status_code == 403
    assert client.get("/gemeente/maxima/").status_code == 403


def test_house_page__override_needs_a_reason_and_is_audited(client, officer, room):
    url = f"/gemeente/huizen/{room.house_id}/"
    body = client.get(url).content.decode()
    assert 'name="csrfmiddlewaretoken"' in body and '<svg class="usage-chart"' in body
    response = client.post(url, {"action": "set", "kind": "party", "cap": 4, "reason": ""})
    assert response.status_code == 200 and not CapRule.objects.filter(house=room.house).exists()
    response = client.post(url, {"action": "set", "kind": "party", "cap": 4, "reason": "horeca in de buurt"})
    assert response.status_code == 302
    rule = CapRule.objects.get(house=room.house, kind="party")
    assert (rule.cap, rule.reason) == (4, "horeca in de buurt")
    assert AuditEntry.objects.filter(action="cap_rule.set", actor=officer, object_id=str(rule.pk)).exists()
    assert "horeca in de buurt" in client.get(url).content.decode()
    client.post(url, {"action": "remove", "kind": "party", "confirm": "yes"})  # asked first: test_gemeente_confirm
    assert not CapRule.objects.filter(house=room.house).exists()


def test_caps_page__sets_city_defaults_and_overrides(client, officer, room):
    response = client.post("/gemeente/maxima/", {"action": "defaults", "party": 10, "gathering": 8, "koffietafel": 20,
                                                 "reason": "Nieuw beleid"})
    assert response.status_code == 302
    assert dict(CapRule.objects.filter(house=None).values_list("kind", "cap")) == {
        "party": 10, "gathering": 8, "koffietafel": 20}
    assert AuditEntry.objects.filter(action="cap_rule.set", reason="Nieuw beleid").count() == 3
    client.post("/gemeente/maxima/", {"action": "override", "house": room.house_id, "kind": "gathering", "cap": 3,
                                      "reason": "horeca in de buurt"})
    rule = CapRule.objects.get(house=room.house)
    body = client.get("/gemeente/maxima/").content.decode()
    assert "horeca in de buurt" in body
    # Two forms on one page (city defaults, a house's own cap): every id once, so each label names its own field.
    import re
    from collections import Counter

    assert [i for i, n in Counter(re.findall(r'\bid="([^"]+)"', body)).items() if n > 1] == []
    client.post("/gemeente/maxima/", {"action": "remove", "rule": rule.pk, "confirm": "yes"})
    assert not CapRule.objects.filter(house=room.house).exists()


def test_rules_page__saves_changes_audited_and_refuses_bad_combinations(client, officer, caps):
    form = client.get("/gemeente/regels/").context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    # Notice periods are typed in days (issue 20): 21 days is stored as 504 hours.
    assert data["min_notice_party_hours"] == 14 and data["min_notice_koffietafel_hours"] == 1
    data.update({"min_notice_party_hours": 21, "melding_email": "alcohol@maastricht.example"})
    for name in ("private_end_weeknight", "private_end_weekend", "koffietafel_earliest", "koffietafel_latest"):
        data[name] = data[name].strftime("%H:%M") if hasattr(data[name], "strftime") else data[name]
    assert client.post("/gemeente/regels/", data).status_code == 302
    settings = RuleSettings.current()
    assert (settings.min_notice_party_hours, settings.melding_email) == (504, "alcohol@maastricht.example")
    entry = AuditEntry.objects.get(action="rule_settings.updated")
    assert set(entry.data["to"]) == {"min_notice_party_hours", "melding_email"}

    data.update({"koffietafel_earliest": "18:00", "koffietafel_latest": "09:00"})
    response = client.post("/gemeente/regels/", data)
    assert response.status_code == 200 and "koffietafel" in response.content.decode()
    assert RuleSettings.current().koffietafel_earliest == dt.time(9)
    assert AuditEntry.objects.filter(action="rule_settings.updated").count() == 1


def test_exports_page__links_to_open_data_and_accessibility(client, officer, caps):
    body = client.get("/gemeente/export/").content.decode()
    assert "/api/v1/usage/export.csv" in body and "/api/v1/accessibility/export.csv" in body

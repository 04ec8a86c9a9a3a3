"""Removing a house's own cap on the municipality's pages asks first (as the board's destructive actions do): the
first POST shows a confirmation page that says what will happen and writes nothing; the POST from its button
removes the cap, audited once; "terug" changes nothing."""

from __future__ import annotations

import re

import pytest

from boeking.models import AuditEntry, CapRule
from boeking.rules import cap_for
from boeking.services.config import cap_rule_set
from tests.factories import UserFactory, local_dt

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def january(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))


@pytest.fixture
def officer(client):
    user = UserFactory.municipality()
    client.force_login(user)
    return user


@pytest.fixture
def own_cap(room, officer):
    return cap_rule_set(actor=officer, kind="party", cap=4, house=room.house, reason="horeca in de buurt")


def hidden_fields(body: str) -> dict[str, str]:
    form = body[body.index('<form method="post"', body.index('id="confirm-question"')):]
    form = form[:form.index("</form>")]
    return {name: value for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def removals() -> int:
    return AuditEntry.objects.filter(action="cap_rule.removed").count()


@pytest.mark.parametrize("page", ["caps", "house"])
def test_remove_own_cap__first_post_asks_and_writes_nothing_then_the_confirmed_post_removes_once(
        client, room, own_cap, page):
    url, data = (("/gemeente/maxima/", {"action": "remove", "rule": own_cap.pk}) if page == "caps" else
                 (f"/gemeente/huizen/{room.house_id}/?year=2027", {"action": "remove", "kind": "party"}))
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Weet u zeker dat u het eigen maximum" in body
    assert room.house.name in body and "4 per jaar" in body and "horeca in de buurt" in body
    assert "Daarna geldt het maximum van de gemeente: 12 per jaar." in body
    assert cap_for(room.house, "party") == (4, "house", "horeca in de buurt")  # nothing written
    assert removals() == 0
    # The page's button posts the same action again, with confirm=yes, to the same address.
    fields = hidden_fields(body)
    assert fields["confirm"] == "yes" and fields["action"] == "remove"
    assert f'action="{url}"' in body.replace("&amp;", "&")
    confirmed = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    response = client.post(url, confirmed)
    assert response.status_code == 302
    assert cap_for(room.house, "party") == (12, "default", "")
    assert removals() == 1
    # Sent again (a double click, the back button): nothing more to remove, no second audit entry.
    client.post(url, confirmed)
    assert removals() == 1


def test_remove_own_cap__the_way_back_changes_nothing(client, room, own_cap):
    body = client.post("/gemeente/maxima/", {"action": "remove", "rule": own_cap.pk}).content.decode()
    back = re.search(r'<a class="utrecht-link" href="([^"]+)">Nee, terug', body).group(1)
    assert back == "/gemeente/maxima/"
    assert client.get(back).status_code == 200
    assert CapRule.objects.filter(house=room.house, cap=4).exists() and removals() == 0


def test_remove_own_cap__house_without_one__says_so_and_asks_nothing(client, room, officer):
    response = client.post(f"/gemeente/huizen/{room.house_id}/", {"action": "remove", "kind": "party"}, follow=True)
    body = response.content.decode()
    assert "geen eigen maximum" in body and "Weet u zeker" not in body
    assert removals() == 0


def test_remove_own_cap__volunteer_cannot_even_ask(client, room, own_cap):
    client.force_login(UserFactory.volunteer(room.house))
    assert client.post(f"/gemeente/huizen/{room.house_id}/", {"action": "remove", "kind": "party"}).status_code == 403
    assert client.post("/gemeente/maxima/", {"action": "remove", "rule": own_cap.pk}).status_code == 403
    assert removals() == 0

"""API tokens with a lifetime (issue 17): idle expiry, revocation, the list, logging out everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from boeking import clock
from boeking.accounts.models import ApiToken, digest_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(frozen_now):
    return frozen_now(dt.datetime(2027, 1, 4, 10, 0, tzinfo=clock.TZ))  # no change to summer time within 60 days


def login(user) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": user.email, "password": "demo", "name": "Script"},
                                format="json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_token__only_its_digest_is_stored(now):
    user = UserFactory.resident()
    key = login(user)
    token = ApiToken.objects.get(user=user)
    assert token.digest == digest_of(key) and token.prefix == key[:8] and key not in str(token.__dict__)


def test_token__works_and_each_use_moves_the_expiry_on(now, frozen_now, settings):
    settings.ZAALBOEK_TOKEN_IDLE_DAYS = 30
    user = UserFactory.resident()
    key = login(user)
    frozen_now(now + dt.timedelta(days=29))
    assert with_token(key).get("/api/v1/me/").status_code == 200
    frozen_now(now + dt.timedelta(days=58))  # 29 days after the last use
    assert with_token(key).get("/api/v1/me/").status_code == 200


def test_token__unused_for_the_lifetime__401(now, frozen_now, settings):
    settings.ZAALBOEK_TOKEN_IDLE_DAYS = 30
    key = login(UserFactory.resident())
    frozen_now(now + dt.timedelta(days=30))
    response = with_token(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed" and response["WWW-Authenticate"] == "Token"


def test_token__lifetime_is_a_setting(now, frozen_now, settings):
    settings.ZAALBOEK_TOKEN_IDLE_DAYS = 2
    key = login(UserFactory.resident())
    frozen_now(now + dt.timedelta(days=2, seconds=1))
    assert with_token(key).get("/api/v1/me/").status_code == 401


def test_tokens__list_shows_mine_without_keys_and_marks_the_current(now):
    user = UserFactory.resident()
    first, second = login(user), login(user)
    login(UserFactory.resident())  # someone else's
    response = with_token(second).get("/api/v1/me/tokens/")
    assert response.status_code == 200
    rows = response.json()
    assert sorted(r["prefix"] for r in rows) == sorted([first[:8], second[:8]])
    assert [r["current"] for r in rows if r["prefix"] == second[:8]] == [True]
    assert all(set(r) == {"id", "name", "prefix", "created_at", "last_used_at", "expires_at", "current"} for r in rows)
    assert first not in response.content.decode() and second not in response.content.decode()
    assert rows[0]["expires_at"] == "2027-02-03T10:00:00+01:00"  # 30 days after its last use, Amsterdam time


def test_tokens__revoke_one__it_gets_401_the_other_still_works(now):
    user = UserFactory.resident()
    first, second = login(user), login(user)
    first_id = ApiToken.objects.get(digest=digest_of(first)).pk
    assert with_token(second).delete(f"/api/v1/me/tokens/{first_id}/").status_code == 204
    assert with_token(first).get("/api/v1/me/").status_code == 401
    assert with_token(second).get("/api/v1/me/").status_code == 200


def test_tokens__someone_elses__404_and_still_working(now):
    mine, theirs = login(UserFactory.resident()), login(UserFactory.resident())
    their_id = ApiToken.objects.get(digest=digest_of(theirs)).pk
    response = with_token(mine).delete(f"/api/v1/me/tokens/{their_id}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert with_token(theirs).get("/api/v1/me/").status_code == 200


def test_tokens__delete_all__every_token_401(now):
    user = UserFactory.resident()
    first, second = login(user), login(user)
    assert with_token(first).delete("/api/v1/me/tokens/").status_code == 204
    assert with_token(first).get("/api/v1/me/").status_code == 401
    assert with_token(second).get("/api/v1/me/").status_code == 401


def test_tokens__anonymous__401():
    assert APIClient().get("/api/v1/me/tokens/").status_code == 401


def test_legacy_drf_token__works_with_a_lifetime_and_is_revoked_with_the_rest(now, frozen_now):
    """Tokens of rest_framework.authtoken (before issue 17; still made by older scripts) keep working, now expiring
    and revocable like the others."""
    user = UserFactory.resident()
    legacy = Token.objects.create(user=user)
    assert with_token(legacy.key).get("/api/v1/me/").status_code == 200
    assert with_token(legacy.key).delete("/api/v1/me/tokens/").status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert with_token(legacy.key).get("/api/v1/me/").status_code == 401


def test_inactive_account__token_401(now):
    user = UserFactory.resident()
    key = login(user)
    user.is_active = False
    user.save()
    assert with_token(key).get("/api/v1/me/").status_code == 401

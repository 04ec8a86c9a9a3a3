"""API tokens: issue, authenticate, list, revoke (audited: `token.revoked`, `token.revoked_all`). The one place that
touches `ApiToken` rows."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from rest_framework.authtoken.models import Token

from boeking.clock import now
from boeking.services.audit import audit

from .models import ApiToken, digest_of

# Touch `last_used_at` at most this often: a busy client does not write a row on every request.
TOUCH_EVERY = dt.timedelta(minutes=5)


def issue(user, *, name: str = "") -> str:
    """A new token for `user`; returns the key (shown once)."""
    return ApiToken.issue(user, name=name)[1]


def authenticate(key: str):
    """The token for `key`, when it exists and has not expired; else None (401). A use moves its expiry on."""
    token = ApiToken.objects.select_related("user__profile").filter(digest=digest_of(key)).first()
    if token is None:
        token = _adopt_legacy(key)
    if token is None:
        return None
    moment = now()
    if token.expired(moment):
        return None
    if moment - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
        token.last_used_at = moment
    return token


def _adopt_legacy(key: str) -> ApiToken | None:
    """A DRF `Token` row written without the ORM (a bulk load): it becomes an `ApiToken`, its idle time counted
    from now."""
    legacy = Token.objects.select_related("user").filter(key=key).first()
    if legacy is None:
        return None
    token, _ = ApiToken.issue(legacy.user, name="API", key=key)
    return token


def active(user) -> list[ApiToken]:
    """`user`'s tokens that still work, most recently used first."""
    moment = now()
    return [t for t in ApiToken.objects.filter(user=user).order_by("-last_used_at", "-pk") if not t.expired(moment)]


def revoke(user, token_id: int) -> bool:
    """Revoke one of `user`'s tokens; False when it is not theirs (or gone)."""
    with transaction.atomic():
        token = ApiToken.objects.filter(user=user, pk=token_id).first()
        if token is None:
            return False
        _drop_legacy(user, {token.digest})
        audit(actor=user, action="token.revoked", obj=token, data={"prefix": token.prefix})
        token.delete()
    return True


def revoke_all(user) -> int:
    """Revoke every token of `user` (log out everywhere); returns how many."""
    with transaction.atomic():
        digests = set(ApiToken.objects.filter(user=user).values_list("digest", flat=True))
        _drop_legacy(user, digests, everything=True)
        deleted, _ = ApiToken.objects.filter(user=user).delete()
        audit(actor=user, action="token.revoked_all", obj=user, data={"tokens": deleted})
    return deleted


def _drop_legacy(user, digests: set[str], *, everything: bool = False) -> None:
    """The legacy DRF rows of these tokens go too (else they would be a way back in)."""
    legacy = Token.objects.filter(user=user)
    if everything:
        legacy.delete()
        return
    for row in legacy:
        if digest_of(row.key) in digests:
            row.delete()

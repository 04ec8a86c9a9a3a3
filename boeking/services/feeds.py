"""Private calendar feed tokens: find the profile a token belongs to (in constant time) and rotate a token.

A token is 256 random bits (`models.new_feed_token`, 43 URL-safe characters), one per profile. Lookup: the first
`PREFIX` characters select candidates through the unique column's index (PostgreSQL has a `varchar_pattern_ops`
index for `LIKE 'prefix%'`), then the whole token is compared with `secrets.compare_digest`. The database's own
comparison only ever sees the prefix, so response time tells an attacker nothing about the other 35 characters
(≈ 210 bits) — the selector/verifier pattern, without a second column. Tokens are never logged or audited.
"""

from __future__ import annotations

import secrets

from django.db import transaction

from boeking.models import Profile, new_feed_token

from .audit import audit

PREFIX = 8
MIN_LENGTH, MAX_LENGTH = 32, 64
ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def profile_for_feed_token(token: str) -> Profile | None:
    """The active user's profile whose feed token is `token`, or None. Malformed tokens never reach the database."""
    if not isinstance(token, str) or not MIN_LENGTH <= len(token) <= MAX_LENGTH or not set(token) <= ALPHABET:
        return None
    candidates = Profile.objects.select_related("user").filter(feed_token__startswith=token[:PREFIX],
                                                               user__is_active=True)
    found = None
    for profile in candidates:
        # Compare every candidate (normally one), so the time taken does not depend on where a match is.
        if secrets.compare_digest(profile.feed_token.encode(), token.encode()):
            found = profile
    return found


def feed_token_rotate(*, user) -> Profile:
    """Give `user` a new private feed token: the old feed URL stops working at once (404). Audited, without the
    token. Raises `Profile.DoesNotExist` for an account without a profile."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(user=user)
        profile.feed_token = new_feed_token()
        profile.save(update_fields=["feed_token"])
        audit(actor=user, action="feed.token_rotated", obj=profile)
    return profile


__all__ = ["feed_token_rotate", "profile_for_feed_token"]

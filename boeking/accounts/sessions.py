"""Log out everywhere: every session of the account (on any device) and every API token end.

Sessions live in the database (django.contrib.sessions' default engine); they are not indexed by user, so the live
ones are read in batches and those of this account deleted — fine for the thousands of sessions of one municipality.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session

from boeking.clock import now

from . import tokens


def end_everywhere(request, user) -> dict:
    """End `user`'s other sessions and revoke all their API tokens. The current session ends with the logout that
    follows. Returns {"sessions": n, "tokens": m}."""
    current = getattr(getattr(request, "session", None), "session_key", None)
    ended = 0
    batch: list[str] = []
    for session in Session.objects.filter(expire_date__gt=now()).iterator(chunk_size=500):
        if session.session_key == current:
            continue
        try:
            data = session.get_decoded()
        except Exception:  # a session that no longer decodes (rotated key) belongs to nobody
            continue
        if str(data.get("_auth_user_id")) == str(user.pk):
            batch.append(session.session_key)
    if batch:
        ended, _ = Session.objects.filter(session_key__in=batch).delete()
    return {"sessions": ended, "tokens": tokens.revoke_all(user)}

"""`email_unverified` for every page: a resident who has not yet verified their address sees why they cannot
request a booking, with a way to get a new link (account/snippets/verify_notice.html)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def account(request) -> dict:
    def unverified() -> bool:
        from boeking import access

        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and access.email_unverified(user))

    return {"email_unverified": SimpleLazyObject(unverified)}

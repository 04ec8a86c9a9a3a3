"""Two-factor authentication is required for municipality officers and administrators (issue 17).

A signed-in officer or admin without an activated authenticator app (TOTP) reaches only the pages to set one up
(`/account/2fa/…`), log out and switch language; every other page sends them to the set-up page first, and the API
answers 403 `mfa_required`. Once TOTP is active, allauth asks for a code at every login (its login stage), the admin's
own login page included (config/urls.py sends it to the site's). `ZAALBOEK_STAFF_MFA_REQUIRED=0` turns this off
(a development machine without a phone).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from boeking import access

ALWAYS_OPEN = ("/account/", "/uitloggen/", "/taal/", "/static/", "/healthz", "/privacy/", "/jsi18n/")


def requires_mfa(user) -> bool:
    """Municipality officers and administrators must use two-factor authentication."""
    return access.is_municipality(user) or access.is_admin(user)


def has_totp(user) -> bool:
    """`user` has an activated authenticator app (cached on the user object for the request)."""
    cached = getattr(user, "_zaalboek_has_totp", None)
    if cached is None:
        from allauth.mfa.models import Authenticator

        cached = Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()
        user._zaalboek_has_totp = cached
    return cached


def mfa_missing(user) -> bool:
    """A signed-in account that must use two-factor authentication but has not set it up yet."""
    return (getattr(settings, "ZAALBOEK_STAFF_MFA_REQUIRED", True) and user.is_authenticated and requires_mfa(user)
            and not has_totp(user))


class StaffTwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not request.path.startswith(ALWAYS_OPEN) and mfa_missing(user):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "mfa_required", "rules": [],
                                     "detail": "Stel eerst tweestapsverificatie in op /account/2fa/."}, status=403)
            return HttpResponseRedirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

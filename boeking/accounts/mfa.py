"""Two-factor outside allauth's pages: the API's token login asks for the code too (`token_login_refusal`)."""

from __future__ import annotations

from .middleware import has_totp, requires_mfa


def token_login_refusal(user, code: str) -> tuple[str, str] | None:
    """None when `user` may get a token with `code`; else (error code, message) for a 400:
    `mfa_setup_required` (must use two-factor, has not set it up), `mfa_required` (no code sent),
    `invalid_mfa_code` (a wrong or already used code)."""
    from allauth.mfa.models import Authenticator
    from django.conf import settings

    kinds = [Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES]
    authenticators = list(Authenticator.objects.filter(user=user, type__in=kinds))
    if not authenticators:
        if requires_mfa(user) and getattr(settings, "ZAALBOEK_STAFF_MFA_REQUIRED", True) and not has_totp(user):
            return ("mfa_setup_required", "Stel eerst tweestapsverificatie in op de website (/account/2fa/), "
                                          "daarna kunt u hier een sleutel krijgen met de code uit uw app.")
        return None
    code = (code or "").strip()
    if not code:
        return ("mfa_required", "Dit account gebruikt tweestapsverificatie: stuur ook `code`, de code uit uw "
                                "authenticator-app.")
    for authenticator in authenticators:
        if authenticator.wrap().validate_code(code):
            return None
    return ("invalid_mfa_code", "Deze code klopt niet of is al gebruikt.")

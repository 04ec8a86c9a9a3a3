"""Which language the pages speak: the account holder's own choice (the profile's language: the sign-up page's
language, changed with the switcher, /taal/), then the language cookie (the switcher, before logging in), then the
browser's Accept-Language, then Dutch. Django's LocaleMiddleware reads the cookie, the browser and the default.

The profile becomes the cookie the moment the password is right (`LoginForm.login`), so every later stage of the
login speaks it too: the two-factor code page (the account holder is known but not yet logged in) and the landing
page. Without this, a cookie left by an earlier visitor's English session in a Dutch browser (the cookie outlives
a logout) showed a Dutch officer the code page in English, and the profile was only read for mails."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse


def profile_language(user) -> str | None:
    """The language `user` chose (their profile's), or None without a profile or with an unknown language."""
    profile = getattr(user, "profile", None) if user is not None else None
    language = getattr(profile, "language", None)
    return language if language in dict(settings.LANGUAGES) else None


def remember_language(response: HttpResponse, user) -> HttpResponse:
    """Set the language cookie on `response` to `user`'s profile language (as Django's set_language view sets it)."""
    language = profile_language(user)
    if language:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response

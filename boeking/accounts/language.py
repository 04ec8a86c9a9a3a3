"""Which language the pages speak: the account holder's own choice (the profile's language: the sign-up page's
language, changed with the switcher, /taal/), then the language cookie (the switcher), then the browser's
Accept-Language, then Dutch. Django's LocaleMiddleware reads the cookie, the browser and the default.

The moment the password is right (`LoginForm.login`) the profile becomes the cookie, so every later stage of the
login speaks it: the two-factor code page (the account holder is known, not yet logged in) and the landing page.
A language chosen with the switcher during this visit before logging in is the person's newest choice: it becomes
the profile's first (as a switch while logged in does). A cookie from an earlier visit does not: a cookie outlives a
logout, and one left by an English session in a Dutch browser showed a Dutch officer the code page in English."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

CHOSEN = "zaalboek_language_chosen"  # session key: the switcher's choice of a visitor not (yet) logged in


def choose(request: HttpRequest, language: str) -> None:
    """The switcher (/taal/) chose `language`: a signed-in person's profile keeps it (their pages and mails follow
    it); a visitor's is remembered for this visit (the session ends at a logout, the cookie does not) and becomes
    the profile's at the login (`remember_language`)."""
    if language not in dict(settings.LANGUAGES):
        return
    if request.user.is_authenticated:
        _store(request.user, language)
    else:
        request.session[CHOSEN] = language


def _store(user, language: str) -> None:
    from boeking.models import Profile

    Profile.objects.filter(user=user).exclude(language=language).update(language=language)


def remember_language(request: HttpRequest, response: HttpResponse, user) -> HttpResponse:
    """The password of `user` was right: a language chosen in this visit is stored in the profile, and the profile's
    language is set as the language cookie on `response` (as Django's set_language view sets it)."""
    from boeking.models import Profile

    profile = Profile.objects.filter(user=user).first() if user is not None else None
    if profile is None:
        return response
    chosen = request.session.pop(CHOSEN, None)
    if chosen in dict(settings.LANGUAGES) and chosen != profile.language:
        _store(user, chosen)
        profile.language = chosen
    if profile.language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, profile.language, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response

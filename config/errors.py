"""Zaalboek's own error pages, in the visitor's language (LocaleMiddleware has activated it) with the site's header,
viewport and styles: 400, 403 (also a refused CSRF token), 404 and 500. Under /api/ the API's JSON error format.

`make run` serves with DEBUG on, where Django would answer a 404 with its English technical page;
`OwnErrorPagesMiddleware` shows Zaalboek's page there too (ZAALBOEK_DEBUG_404=1 brings Django's back for a
developer who wants the URL list)."""

import os

from django.conf import settings
from django.http import JsonResponse
from django.template import loader
from django.utils import translation
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "bad_request", "detail": "Het verzoek kan niet worden gelezen (te groot of "
                                                              "onjuist opgemaakt).", "rules": []}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    """403 with 403.html (the header, the language, a way on)."""
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    """404 with 404.html."""
    return defaults.page_not_found(request, exception)


def server_error(request):
    """500: 500.html stands alone (no database, no context processors: what failed may be either), in the language
    LocaleMiddleware activated for this request."""
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": "Er ging iets mis aan onze kant. Probeer het later "
                                                               "opnieuw; er is niets opgeslagen.", "rules": []},
                            status=500)
    from django.http import HttpResponseServerError

    lang = "en" if (translation.get_language() or "nl").startswith("en") else "nl"
    try:
        body = loader.get_template("500.html").render({"LANG": lang})
    except Exception:  # the page about an error never raises one of its own
        body = "<!doctype html><title>500</title><h1>Er ging iets mis / Something went wrong</h1>"
    return HttpResponseServerError(body)


def csrf_failure(request, reason=""):
    """A refused form (expired session, cookies off): 403_csrf.html in the visitor's language."""
    from django.http import HttpResponseForbidden

    return HttpResponseForbidden(loader.render_to_string("403_csrf.html", {"reason": reason}, request=request))


class OwnErrorPagesMiddleware:
    """Under DEBUG, replace Django's technical 404 page (English, no header) with Zaalboek's own 404.html. Without
    DEBUG Django already uses 404.html; API paths keep their JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (settings.DEBUG and response.status_code == 404 and not _is_api(request)
                and not getattr(response, "zaalboek_page", False)
                and response.get("Content-Type", "").startswith("text/html")
                and os.environ.get("ZAALBOEK_DEBUG_404") != "1"):
            own = page_not_found(request)
            own.zaalboek_page = True
            return own
        return response

"""Error pages Django itself answers (a body too large, an unhandled error): JSON in the API's error format under
/api/, the Dutch pages (templates 400.html / 500.html) elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"code": "bad_request", "detail": "Het verzoek kan niet worden gelezen (te groot of "
                                                              "onjuist opgemaakt).", "rules": []}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": "Er ging iets mis aan onze kant. Probeer het later "
                                                               "opnieuw; er is niets opgeslagen.", "rules": []},
                            status=500)
    return defaults.server_error(request)

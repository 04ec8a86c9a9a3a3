import logging
import secrets

from django.contrib import admin
from django.core.cache import cache
from django.db import transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.cache import never_cache
from django.views.generic import RedirectView

from boeking.accounts import views as account_views
from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

logger = logging.getLogger("zaalboek.health")


def _check_database() -> None:
    from boeking.models import House

    House.objects.exists()  # a table of the app: a database that was never migrated fails here too


def _check_cache() -> None:
    key, value = f"zaalboek:health:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was stored")
    cache.delete(key)


@never_cache
def health(request):
    """For load balancers: 200 when what every request needs works — a query on the database and a set/get round trip
    on the default cache (sessions, the login lockout and the API throttles use it) — else 503 naming what failed."""
    checks = {}
    for name, check in (("database", _check_database), ("cache", _check_cache)):
        try:
            with transaction.atomic():  # a failed statement rolls back to here: the next check still runs
                check()
            checks[name] = "ok"
        except Exception as exc:  # any failure is the answer, not a 500
            logger.exception("health check %s failed", name)
            checks[name] = f"failed: {type(exc).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks}, status=200 if healthy else 503)


handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

admin.site.site_header = "Zaalboek beheer"
admin.site.site_title = "Zaalboek"
admin.site.index_title = "Huizen, zalen en boekingen"

urlpatterns = [
    path("healthz", health, name="health"),
    # The admin logs in through the site's login page (allauth: two-factor for administrators, issue 17).
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True), name="admin-login"),
    path("admin/", admin.site.urls),
    path("account/", account_views.overview, name="account"),  # "Mijn account" (issue 17)
    path("account/sleutels/<id:pk>/intrekken/", account_views.revoke_token, name="account-token-revoke"),
    path("account/", include("allauth.urls")),  # allauth: e-mail, password, reset, two-factor (issue 17)
    path("api/v1/", include("api.urls")),
    path("ical/", include("api.ical")),  # public and private iCalendar feeds (issue 5)
    path("gemeente/", include("frontend.gemeente")),  # the municipality's pages (issue 8)
    path("", include("frontend.privacy")),  # privacy statement, own data download and account deletion (issue 8)
    path("", include("frontend.urls")),  # residents' and volunteers' pages (issue 7)
]

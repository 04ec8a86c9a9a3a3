from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotFound
from rest_framework.routers import SimpleRouter

from config import converters  # noqa: F401 - registers <id:…> (a database id; else 404)

from .bookings import BookingViewSet
from .closures import ClosureViewSet
from .houses import HouseViewSet, RoomViewSet
from .me import MeView, TokenDetailView, TokenListView, TokenView
from .series import SeriesViewSet

router = SimpleRouter()
router.register("houses", HouseViewSet, basename="house")
router.register("rooms", RoomViewSet, basename="room")
router.register("bookings", BookingViewSet, basename="booking")
router.register("closures", ClosureViewSet, basename="closure")
router.register("series", SeriesViewSet, basename="series")

app_name = "api"


@csrf_exempt  # a POST to an unknown path is a JSON 404 too, not CSRF's HTML 403
def not_found(request, *args, **kwargs):
    return JsonResponse({"code": "not_found", "detail": str(NotFound.default_detail), "rules": []}, status=404)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    path("me/tokens/", TokenListView.as_view(), name="me-tokens"),  # issue 17
    path("me/tokens/<id:pk>/", TokenDetailView.as_view(), name="me-token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Each area owns its routes: iCal (issue 5), payments (issue 6), the municipality (issue 8).
    path("", include("api.feeds")),
    path("", include("api.payments")),
    path("", include("api.gemeente")),
    path("", include("api.invoices")),  # invoices for associations (issue 22)
    path("", include(router.urls)),
    # Anything else under /api/v1/ (an id with a dot or a slash in it, a typo) gets the API's JSON 404, not Django's
    # HTML page. Only paths ending in "/", so APPEND_SLASH still redirects `/api/v1/rooms` to `/api/v1/rooms/`.
    re_path(r"^.*/$", not_found),
]

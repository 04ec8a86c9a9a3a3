"""Pages. Reads only; every write goes through boeking.services."""

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from boeking.models import House, Room


def home(request: HttpRequest) -> HttpResponse:
    """Houses and their rooms (the full search page arrives with the frontend issue)."""
    houses = (
        House.objects.filter(active=True)
        .select_related("neighbourhood__district")
        .prefetch_related(
            "locations",
            Prefetch("rooms", queryset=Room.objects.filter(active=True).prefetch_related("facilities")),
        )
    )
    return render(request, "frontend/home.html", {"houses": houses})


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: the app runs and reaches its database."""
    House.objects.exists()
    return JsonResponse({"status": "ok"})

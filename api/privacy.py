"""A user's own data (AVG/GDPR, SPEC §8): download it as JSON, delete the account.

`GET /api/v1/me/data/` returns everything Zaalboek keeps about the caller. `POST /api/v1/me/delete/`
`{"password": "...", "confirm": true}` deletes the caller's account: future bookings are cancelled first (usual
refund rules), all their bookings are anonymised (amounts and dates stay), then the account is removed. A POST with a
password rather than a bare DELETE: deleting an account should take a deliberate, re-authenticated step.
"""

from __future__ import annotations

from django.contrib.auth import logout
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from boeking import privacy
from boeking.errors import InvalidInput
from boeking.services.privacy import account_delete

from .errors import ErrorSerializer


class MyDataView(APIView):
    @extend_schema(responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description=(
        "account, profile, houses, bookings, series, payments and audit (your own actions), as JSON.")),
        401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request):
        """Download everything Zaalboek keeps about you (AVG art. 15 and 20)."""
        response = Response(privacy.personal_data(request.user))
        response["Content-Disposition"] = 'attachment; filename="zaalboek-mijn-gegevens.json"'
        return response


class DeleteAccountSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=200, help_text="Your current password, to confirm it is you.")
    confirm = serializers.BooleanField(help_text="Must be true.")


class CancelledSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fee_cents = serializers.IntegerField()
    refund_cents = serializers.IntegerField()


class DeletedSerializer(serializers.Serializer):
    deleted = serializers.BooleanField()
    cancelled = CancelledSerializer(many=True, help_text="Bookings cancelled first, with the fee due and the refund.")
    anonymised_bookings = serializers.IntegerField()


class DeleteAccountView(APIView):
    @extend_schema(request=DeleteAccountSerializer,
                   responses={200: DeletedSerializer, 400: ErrorSerializer, 401: ErrorSerializer,
                              403: ErrorSerializer, 409: ErrorSerializer, 415: ErrorSerializer})
    def post(self, request):
        """Delete your account. Future bookings are cancelled first with the usual refund rules; your bookings are
        anonymised; then the account, profile and tokens are removed. Cannot be undone."""
        serializer = DeleteAccountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data["confirm"]:
            raise InvalidInput("confirmation_required", "Bevestig dat u uw account wilt verwijderen (confirm: true).")
        if not request.user.check_password(serializer.validated_data["password"]):
            raise InvalidInput("invalid_password", "Het wachtwoord klopt niet.")
        user = request.user
        report = account_delete(user=user, actor=user)
        if getattr(request, "session", None) is not None and hasattr(request, "_request"):
            logout(request._request)
        return Response({
            "deleted": True,
            "cancelled": [{"id": b.pk, "fee_cents": b.cancellation_fee_cents, "refund_cents": b.refunded_cents}
                          for b in report.cancelled],
            "anonymised_bookings": report.anonymised.bookings,
        })


urlpatterns = [
    path("me/data/", MyDataView.as_view(), name="me-data"),
    path("me/delete/", DeleteAccountView.as_view(), name="me-delete"),
]

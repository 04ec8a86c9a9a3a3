"""The signed-in user's profile, and token login."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from boeking import access

from .errors import ErrorSerializer


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    role = serializers.CharField(allow_null=True)
    postcode = serializers.CharField()
    phone = serializers.CharField()
    organisation = serializers.CharField()
    adult_declared = serializers.BooleanField()
    language = serializers.CharField()
    houses = serializers.ListField(child=serializers.IntegerField(), help_text="Houses the user volunteers for.")


class MeView(APIView):
    """Who am I: profile, role and the houses I volunteer for."""

    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request):
        user = request.user
        profile = getattr(user, "profile", None)
        return Response({
            "id": user.pk, "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
            "role": access.role_of(user), "postcode": profile.postcode if profile else "",
            "phone": profile.phone if profile else "", "organisation": profile.organisation if profile else "",
            "adult_declared": profile.adult_declared if profile else False,
            "language": profile.language if profile else "nl",
            "houses": sorted(access.volunteer_house_ids(user)),
        })


class TokenView(APIView):
    """Exchange username (email) and password for an API token: `Authorization: Token <token>`."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    def get_throttles(self):
        from rest_framework.throttling import ScopedRateThrottle

        return [ScopedRateThrottle()]

    @extend_schema(request=AuthTokenSerializer,
                   responses={200: inline_serializer("Token", {"token": serializers.CharField()}),
                              400: ErrorSerializer, 415: ErrorSerializer, 429: ErrorSerializer})
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            from .errors import error_response

            if getattr(request, "zaalboek_locked_out", False):  # boeking.auth.LockoutBackend
                return error_response("locked_out", "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.",
                                      429)
            return error_response("invalid_credentials", "Onjuiste gebruikersnaam of wachtwoord.", 400,
                                  errors=serializer.errors)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

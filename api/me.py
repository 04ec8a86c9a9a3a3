"""The signed-in user's profile, and token login."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
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


class AuthTokenSerializer(serializers.Serializer):  # `AuthTokenRequest` in the schema, as before
    username = serializers.CharField(help_text="The account's e-mail address.", max_length=254)
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, max_length=4096)
    code = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                 help_text="Required for accounts with two-factor authentication (the municipality, "
                                           "administrators, anyone who turned it on): the 6-digit code of the "
                                           "authenticator app, or an unused recovery code.")
    name = serializers.CharField(required=False, allow_blank=True, max_length=100,
                                 help_text="A name to recognise the token by in GET /api/v1/me/tokens/.")


class TokenView(APIView):
    """Exchange e-mail address and password for a new API token: `Authorization: Token <token>`.

    Each call issues a new token. A token stops working after `ZAALBOEK_TOKEN_IDLE_DAYS` days (30 by default)
    without use, when it is revoked (`DELETE /api/v1/me/tokens/{id}/`) or when its owner logs out everywhere: 401.

    Two-factor: accounts that must or chose to use it (the municipality and administrators must) also send `code`,
    the current 6-digit code of their authenticator app (or a recovery code). Without it: 400 `mfa_required`; with a
    wrong one: 400 `invalid_mfa_code`. Municipality or admin accounts that have not set up two-factor yet: 400
    `mfa_setup_required` (set it up on the website first, /account/2fa/). Wrong e-mail or password: 400
    `invalid_credentials`; too many attempts: 429."""

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
        from django.contrib.auth import authenticate

        from boeking.accounts import mfa, tokens

        from .errors import error_response

        payload = AuthTokenSerializer(data=request.data)
        if not payload.is_valid():
            return error_response("invalid_credentials", "Vul e-mailadres en wachtwoord in.", 400,
                                  errors=payload.errors)
        data = payload.validated_data
        user = authenticate(request, username=data["username"], password=data["password"])
        if user is None:
            if getattr(request, "zaalboek_locked_out", False):  # boeking.auth.LockoutBackend
                return error_response("locked_out", "Te veel mislukte pogingen. Probeer het over 15 minuten opnieuw.",
                                      429)
            return error_response("invalid_credentials", "Onjuiste gebruikersnaam of wachtwoord.", 400,
                                  errors={"non_field_errors": ["Onjuiste gebruikersnaam of wachtwoord."]})
        refusal = mfa.token_login_refusal(user, data.get("code", ""))
        if refusal is not None:
            return error_response(refusal[0], refusal[1], 400)
        return Response({"token": tokens.issue(user, name=data.get("name", "") or "API")})


class ApiTokenSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The first 8 characters of the key.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(help_text="Updated at most every 5 minutes.")
    expires_at = serializers.DateTimeField(help_text="When it stops working unless used before then.")
    current = serializers.BooleanField(help_text="The token this request was made with.")


def _token_rows(request):
    from boeking.accounts import tokens

    current = getattr(request.auth, "pk", None) if request.auth is not None else None
    return [{"id": t.pk, "name": t.name, "prefix": t.prefix, "created_at": t.created_at,
             "last_used_at": t.last_used_at, "expires_at": t.expires_at, "current": t.pk == current}
            for t in tokens.active(request.user)]


class TokenListView(APIView):
    """My API tokens that still work (never the keys themselves). `DELETE` revokes all of them (log out everywhere
    for API clients): 204."""

    @extend_schema(responses={200: ApiTokenSerializer(many=True), 401: ErrorSerializer})
    def get(self, request):
        return Response(ApiTokenSerializer(_token_rows(request), many=True).data)

    @extend_schema(operation_id="me_tokens_revoke_all", responses={204: None, 401: ErrorSerializer})
    def delete(self, request):
        from boeking.accounts import tokens

        tokens.revoke_all(request.user)
        return Response(status=204)


class TokenDetailView(APIView):
    """Revoke one of my API tokens: 204; 404 `not_found` when it is not mine. A revoked token gets 401."""

    @extend_schema(operation_id="me_tokens_revoke", responses={204: None, 401: ErrorSerializer, 404: ErrorSerializer})
    def delete(self, request, pk: int):
        from rest_framework.exceptions import NotFound

        from boeking.accounts import tokens

        if not tokens.revoke(request.user, pk):
            raise NotFound()
        return Response(status=204)

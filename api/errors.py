"""One error format for the whole API: `{"code": "<machine_code>", "detail": "<human text>", "rules": [...]}`.

Domain errors keep their code and HTTP status (`slot_taken`, `cap_reached`, `invalid_transition` → 409; rule
failures and invalid input → 400). DRF's own errors get stable codes too; field errors are listed under `errors`.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from boeking.errors import DomainError
from boeking.models import SkipReason

GENERIC_FIELD_CODES = {"invalid", "required", "null", "blank", "max_length", "min_length", "max_value", "min_value",
                       "does_not_exist", "incorrect_type", "invalid_choice", "date", "datetime", "max_string_length",
                       "max_digits", "not_a_list", "empty", "unique"}


class RuleResultSerializer(serializers.Serializer):
    rule = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["pass", "warn", "fail"])
    message = serializers.CharField()
    message_nl = serializers.CharField()
    message_en = serializers.CharField()


class RejectedDateSerializer(serializers.Serializer):
    """A date a series cannot get (boeking.services.series.Skip.as_dict)."""

    date = serializers.DateField()
    reason = serializers.CharField(help_text="one of: " + ", ".join(SkipReason.values))
    reason_label = serializers.CharField()
    detail = serializers.CharField()


@extend_schema_field(PolymorphicProxySerializer(component_name="ErrorRule", resource_type_field_name=None, many=True,
                                               serializers=[RuleResultSerializer, RejectedDateSerializer]))
class ErrorRulesField(serializers.ListField):
    pass


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine code, e.g. slot_taken, cap_reached, min_notice.")
    detail = serializers.CharField(help_text="Human-readable explanation (Dutch by default).")
    rules = ErrorRulesField(help_text="Rule results, when rules were evaluated; for a series that cannot get any date "
                                      "(`no_dates`), each date with the reason it cannot be booked.")
    errors = serializers.DictField(required=False, help_text="Per-field messages for invalid input.")


def _first_code(detail):
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value)
    if isinstance(detail, list) and detail:
        return _first_code(detail[0])
    return getattr(detail, "code", None)


def _first_message(detail, prefix=""):
    if isinstance(detail, dict):
        for key, value in detail.items():
            label = "" if key == "non_field_errors" else f"{key}: "
            return _first_message(value, label)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0], prefix)
    return f"{prefix}{detail}"


def error_response(code: str, detail: str, status: int, rules=None, errors=None, headers=None) -> Response:
    body = {"code": code, "detail": detail, "rules": rules or []}
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.detail, exc.http_status, rules=exc.rules)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    headers = {k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After")}
    status = response.status_code
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)) and status == 403:
        # DRF answers 403 when the first authenticator (session) offers no challenge. The API takes tokens too, so a
        # caller without valid credentials gets 401 with the Token challenge (SPEC §6: 401 auth, 403 permission).
        status = 401
        headers["WWW-Authenticate"] = TokenAuthentication.keyword
    if isinstance(exc, exceptions.ValidationError):
        code = _first_code(exc.detail)
        code = code if code and code not in GENERIC_FIELD_CODES else "invalid_input"
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return error_response(code, _first_message(exc.detail), 400, errors=errors)
    # DRF's exceptions carry the code the API answers with (not_authenticated, permission_denied, not_found,
    # method_not_allowed, throttled, unsupported_media_type, parse_error, not_acceptable …), and so do the API's own
    # (api.parsers.InvalidJSON: invalid_json).
    code = getattr(exc, "default_code", None) or "error"
    detail = exc.detail if isinstance(exc.detail, str) else _first_message(exc.detail)
    return error_response(code, str(detail), status, headers=headers)

"""Fields for the API's input: request bodies (LocalDateTimeField) and query parameters (IdFilter, ValueListFilter,
MomentFilter). Every query parameter has a bounded cost: an id the database can hold, at most `MAX_FILTER_VALUES`
distinct values in a list, a moment between 2000 and 2100. Anything else is a 400 in the API's error format."""

import datetime as dt

import django_filters
from django import forms
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boeking.clock import aware, local_midnight
from boeking.errors import InvalidLocalTime

# Nothing is bookable outside these years, and near year 1 or 9999 time zone arithmetic overflows.
YEAR_MIN, YEAR_MAX = 2000, 2100
# A list filter (`facility=keuken,bar`) costs the database something per value: at most this many distinct values.
MAX_FILTER_VALUES = 20


class LocalDateTimeField(serializers.DateTimeField):
    """ISO 8601. With an offset it is taken as is; without, it is read as Europe/Amsterdam wall-clock time and a
    time in the spring gap or the autumn overlap is refused (`nonexistent_local_time`, `ambiguous_local_time`)."""

    def to_internal_value(self, value):
        # Python's ISO parser tolerates some trailing junk (a NUL byte); a datetime is printable ASCII only.
        if isinstance(value, str) and not (value.isascii() and value.isprintable()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        return super().to_internal_value(value)

    def enforce_timezone(self, value):
        if not YEAR_MIN <= value.year <= YEAR_MAX:  # never bookable; near year 1 or 9999 time zone arithmetic overflows
            raise serializers.ValidationError(f"Kies een datum tussen {YEAR_MIN} en {YEAR_MAX}.", code="invalid_date")
        try:
            return aware(value)
        except InvalidLocalTime as exc:
            raise serializers.ValidationError(exc.detail, code=exc.code) from exc

    def to_representation(self, value):
        return super().to_representation(value)


WALL_CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


class WallClockTimeSchema(OpenApiSerializerFieldExtension):
    """Every TimeField of the API is a wall-clock time in Europe/Amsterdam without an offset ("19:00", "08:00:00").
    `format: time` would promise RFC 3339 `full-time`, which requires an offset, so the schema uses a pattern."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "pattern": WALL_CLOCK_TIME, "example": "19:00"}


@extend_schema_field({"type": "integer", "format": "int64"})
class IdFilter(django_filters.Filter):
    """An id in the query string: a whole number the database can hold. `house=1.5` or an id past the 64-bit range
    is a 400 (django-filter's NumberFilter passed it on, and SQLite raised OverflowError: a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def parse_moment(value: str) -> dt.datetime:
    """A query parameter's moment: a date (`2027-04-01`, local midnight) or an ISO 8601 datetime with or without
    offset (without: Amsterdam wall-clock time), between 2000 and 2100. Raises serializers.ValidationError with the
    code `invalid_date` (out of range, e.g. `9999-12-31T23:59:59-14:00`, which would overflow on conversion to UTC),
    `nonexistent_local_time`/`ambiguous_local_time`, or `invalid`."""
    if isinstance(value, str) and len(value) == 10:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
        if day is not None:
            if not YEAR_MIN <= day.year <= YEAR_MAX:
                raise serializers.ValidationError(f"Kies een datum tussen {YEAR_MIN} en {YEAR_MAX}.", code="invalid_date")
            return local_midnight(day)
    try:
        return LocalDateTimeField().to_internal_value(value)
    except serializers.ValidationError as exc:
        detail = exc.detail[0] if isinstance(exc.detail, list) and exc.detail else exc.detail
        code = getattr(detail, "code", "invalid")
        if code == "invalid":
            raise serializers.ValidationError("Geef een datum (JJJJ-MM-DD) of datum en tijd (ISO 8601).",
                                              code="invalid") from exc
        raise


def _form_error(exc: serializers.ValidationError) -> forms.ValidationError:
    detail = exc.detail[0] if isinstance(exc.detail, list) and exc.detail else exc.detail
    return forms.ValidationError(str(detail), code=getattr(detail, "code", "invalid"))


class MomentField(forms.Field):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_moment(value)
        except serializers.ValidationError as exc:
            raise _form_error(exc) from exc


@extend_schema_field(OpenApiTypes.DATETIME)
class MomentFilter(django_filters.Filter):
    """A moment in the query string (see `parse_moment`): a date or datetime between 2000 and 2100, else a 400."""

    field_class = MomentField


class ValueListField(forms.CharField):
    """Comma-separated values, e.g. `keuken,bar`: stripped, blanks dropped, duplicates dropped (the first kept), each
    at most `value_max_length` characters, at most `max_values` distinct ones (400 `too_many_values`)."""

    def __init__(self, *, max_values: int = MAX_FILTER_VALUES, value_max_length: int = 50, **kwargs):
        self.max_values, self.value_max_length = max_values, value_max_length
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        values = list(dict.fromkeys(v.strip() for v in super().to_python(value).split(",") if v.strip()))
        if len(values) > self.max_values:
            raise forms.ValidationError(f"Hoogstens {self.max_values} verschillende waarden; u gaf er {len(values)}.",
                                        code="too_many_values")
        if any(len(v) > self.value_max_length for v in values):
            raise forms.ValidationError(f"Een waarde is hoogstens {self.value_max_length} tekens lang.", code="invalid")
        return values

    def validate(self, value):
        pass  # an empty list is no filter


@extend_schema_field(OpenApiTypes.STR)
class ValueListFilter(django_filters.Filter):
    """A comma-separated list in the query string (ValueListField); the filter method receives the distinct values.
    A filter that matches all of them must do so with one join (`__in` + a count), not one join per value."""

    field_class = ValueListField

    def filter(self, qs, value):
        return qs if not value else super().filter(qs, value)

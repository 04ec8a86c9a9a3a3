import django_filters
from django import forms
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from boeking.clock import aware
from boeking.errors import InvalidLocalTime


class LocalDateTimeField(serializers.DateTimeField):
    """ISO 8601. With an offset it is taken as is; without, it is read as Europe/Amsterdam wall-clock time and a
    time in the spring gap or the autumn overlap is refused (`nonexistent_local_time`, `ambiguous_local_time`)."""

    def to_internal_value(self, value):
        # Python's ISO parser tolerates some trailing junk (a NUL byte); a datetime is printable ASCII only.
        if isinstance(value, str) and not (value.isascii() and value.isprintable()):
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM]")
        return super().to_internal_value(value)

    def enforce_timezone(self, value):
        if not 2000 <= value.year <= 2100:  # never bookable; near year 1 or 9999 time zone arithmetic overflows
            raise serializers.ValidationError("Kies een datum tussen 2000 en 2100.", code="invalid_date")
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

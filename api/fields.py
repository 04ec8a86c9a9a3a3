from rest_framework import serializers

from boeking.clock import aware
from boeking.errors import InvalidLocalTime


class LocalDateTimeField(serializers.DateTimeField):
    """ISO 8601. With an offset it is taken as is; without, it is read as Europe/Amsterdam wall-clock time and a
    time in the spring gap or the autumn overlap is refused (`nonexistent_local_time`, `ambiguous_local_time`)."""

    def enforce_timezone(self, value):
        try:
            return aware(value)
        except InvalidLocalTime as exc:
            raise serializers.ValidationError(exc.detail, code=exc.code) from exc

    def to_representation(self, value):
        return super().to_representation(value)

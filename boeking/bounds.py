"""The bounds and meaning of every input, enforced once where the domain accepts it.

Services call these before they write; model fields carry the same limits as validators (so Django forms, the
admin and DRF's model serializers show them), but the service is what refuses. Forms and serializers may add shape
checks (a date field, a number), never looser ones. Each refusal is an `InvalidInput` with a stable code:

| code | what |
|---|---|
| `naive_datetime` | a moment without a time zone (the API needs an offset) |
| `invalid_date` | a date or moment outside 2000–2100 (nothing is bookable there; date arithmetic overflows near 1 and 9999) |
| `nonexistent_local_time` | a wall-clock time in the spring gap (02:00–03:00 on the last Sunday of March) |
| `ambiguous_local_time` | a moment in the repeated autumn hour (02:00–03:00, last Sunday of October): readers disagree which is meant |
| `end_before_start` | a period whose end is not after its start |
| `text_too_long` | a free text over its limit (`TEXT_LIMITS`) |
| `invalid_amount` | an amount in cents outside `0 … MAX_CENTS` |
"""

from __future__ import annotations

import datetime as dt

from .clock import TZ, UTC
from .errors import InvalidInput, InvalidLocalTime

YEAR_MIN, YEAR_MAX = 2000, 2100
MAX_CENTS = 10_000_000  # € 100.000: more than any room rental or invoice of a community house
# A room's cleaning time after each booking, in minutes (Room.buffer_minutes): four hours is more than any house
# needs, and searches read bookings up to this far past the days they show (availability.load_answers).
MAX_BUFFER_MINUTES = 240

# Free texts, in characters. Titles and names follow their model fields; notes and reasons are bounded here.
TEXT_LIMITS = {
    "title": 200,
    "notes": 2000,
    "reason": 500,
    "closure_reason": 200,
}


def check_date(value: dt.date, *, field: str = "date") -> dt.date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise InvalidInput("invalid_date", f"Kies een datum tussen {YEAR_MIN} en {YEAR_MAX} ({field}).")
    return value


def is_ambiguous(moment: dt.datetime) -> bool:
    """Whether the wall-clock time of `moment` in Amsterdam occurs twice (the autumn overlap)."""
    wall = moment.astimezone(TZ).replace(tzinfo=None)
    return wall.replace(tzinfo=TZ, fold=0).utcoffset() != wall.replace(tzinfo=TZ, fold=1).utcoffset()


def check_moment(value: dt.datetime, *, field: str = "start") -> dt.datetime:
    """An aware moment between 2000 and 2100 whose Amsterdam wall-clock time exists and occurs once."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("naive_datetime", "Begin en einde moeten een tijdzone hebben.")
    # Checked on the value as given and in UTC: an offset of -14:00 on 31-12-9999 must not overflow.
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise InvalidInput("invalid_date", f"Kies een datum tussen {YEAR_MIN} en {YEAR_MAX}.")
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput("invalid_date", f"Kies een datum tussen {YEAR_MIN} en {YEAR_MAX}.") from exc
    if not YEAR_MIN <= utc.year <= YEAR_MAX:
        raise InvalidInput("invalid_date", f"Kies een datum tussen {YEAR_MIN} en {YEAR_MAX}.")
    if value.tzinfo is TZ and utc.astimezone(TZ).replace(tzinfo=None) != value.replace(tzinfo=None):
        # Amsterdam's zone with a wall-clock time in the spring gap (02:30) silently means 03:30: refuse it.
        raise InvalidLocalTime("nonexistent_local_time",
                               f"{value:%d-%m-%Y %H:%M} bestaat niet in Nederland (de klok gaat een uur vooruit).")
    if is_ambiguous(utc):
        wall = utc.astimezone(TZ)
        raise InvalidLocalTime("ambiguous_local_time",
                               f"{wall:%d-%m-%Y %H:%M} komt twee keer voor (de klok gaat een uur terug); "
                               "kies een tijd buiten 02:00–03:00 in die nacht.")
    return value


def check_period(start: dt.datetime, end: dt.datetime, *, what: str = "") -> None:
    check_moment(start, field="start")
    check_moment(end, field="end")
    if end <= start:
        raise InvalidInput("end_before_start", f"Het einde{' van ' + what if what else ''} moet na het begin liggen.")


def check_text(value: str | None, *, field: str, limit: int | None = None, required: bool = False,
               required_code: str = "reason_required", required_message: str = "") -> str:
    """The text stripped of surrounding space, at most `limit` (default `TEXT_LIMITS[field]`) characters."""
    text = (value or "").strip()
    limit = limit if limit is not None else TEXT_LIMITS[field]
    if required and not text:
        raise InvalidInput(required_code, required_message or f"Vul {field} in.")
    if len(text) > limit:
        raise InvalidInput("text_too_long", f"Hoogstens {limit} tekens ({field}); u gaf er {len(text)}.")
    if "\x00" in text:
        raise InvalidInput("invalid_text", f"Ongeldige tekens in {field}.")
    return text


def check_cents(value, *, field: str = "amount", maximum: int = MAX_CENTS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise InvalidInput("invalid_amount", f"Geef een bedrag tussen € 0 en € {maximum // 100} ({field}).")
    return value

"""The one clock and the one place for local-time reasoning (Europe/Amsterdam).

Everything else calls `now()` (tests freeze it by patching `boeking.clock._now`) and the helpers below; ruff's
banned-api rule forbids `timezone.now` and `datetime.now` outside this module.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from .errors import InvalidLocalTime

TZ = ZoneInfo("Europe/Amsterdam")
UTC = dt.UTC


def _now() -> dt.datetime:
    return timezone.now()


def now() -> dt.datetime:
    """The current instant, aware (UTC)."""
    return _now()


def local(moment: dt.datetime) -> dt.datetime:
    """An aware instant seen on the wall clock in Europe/Amsterdam."""
    if timezone.is_naive(moment):
        raise ValueError("local() needs an aware datetime")
    return moment.astimezone(TZ)


def elapsed(start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Real time from `start` to `end`, also across a DST change.

    Python subtracts two datetimes that share a tzinfo (both Europe/Amsterdam, as `make_local` returns) by their
    wall clocks; going through UTC makes the result the same however the instants are represented.
    """
    return end.astimezone(UTC) - start.astimezone(UTC)


def today() -> dt.date:
    return local(now()).date()


def make_local(day: dt.date, clock_time: dt.time) -> dt.datetime:
    """The instant at which Amsterdam's wall clock shows `clock_time` on `day`.

    Rejects a time in the spring gap (does not exist) and one in the autumn overlap (happens twice) with
    `InvalidLocalTime`: a booking must never silently move by an hour.
    """
    naive = dt.datetime.combine(day, clock_time.replace(tzinfo=None))
    first = naive.replace(tzinfo=TZ, fold=0)
    second = naive.replace(tzinfo=TZ, fold=1)
    try:
        roundtrip = first.astimezone(UTC).astimezone(TZ).replace(tzinfo=None)
    except (OverflowError, ValueError) as exc:  # the first and last hours of year 1 and year 9999
        # InvalidLocalTime (an InvalidInput): forms that catch a time that does not exist catch this one too.
        raise InvalidLocalTime("invalid_date", "Kies een datum tussen 2000 en 2100.") from exc
    if roundtrip != naive:
        raise InvalidLocalTime(
            "nonexistent_local_time",
            f"{naive:%d-%m-%Y %H:%M} bestaat niet in Nederland (de klok gaat een uur vooruit).",
        )
    if first.utcoffset() != second.utcoffset():
        raise InvalidLocalTime(
            "ambiguous_local_time",
            f"{naive:%d-%m-%Y %H:%M} komt twee keer voor (de klok gaat een uur terug); "
            "kies een tijd buiten 02:00–03:00 in die nacht.",
        )
    return first


def aware(moment: dt.datetime) -> dt.datetime:
    """Accept an aware datetime as is; read a naive one as Amsterdam wall-clock time (strictly, see make_local)."""
    if timezone.is_aware(moment):
        return moment
    return make_local(moment.date(), moment.time())


def local_midnight(day: dt.date) -> dt.datetime:
    """Start of `day` in Amsterdam (never in a DST gap: the Dutch clocks change at 02:00/03:00)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=TZ)


def format_local(moment: dt.datetime, lang: str = "nl") -> str:
    """`za 14-03-2027 19:00`: how people here write a date and time; `lang="en"`: `Sat 14-03-2027 19:00`."""
    days = (["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] if lang == "en"
            else ["ma", "di", "wo", "do", "vr", "za", "zo"])
    loc = local(moment)
    return f"{days[loc.weekday()]} {loc:%d-%m-%Y %H:%M}"

"""What the board's calendar marks beside each booking (issue 18): series dates as such (with the recurrence in
words), and a request's conflicts: other requests for the same slot, so the board sees the choice it is making.

Two bookings that hold a slot never overlap in one room (the database forbids it, buffers included), so the
requests that compete for a slot are series dates that were skipped because the slot was taken ("Al bezet"): the
series wanted that time too. Approving the booking keeps that date skipped; rejecting it frees the slot for the
series (restore the date on the series page). Overlapping held bookings are reported too, should any exist.
"""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from boeking import occurrences
from boeking.clock import make_local
from boeking.errors import InvalidLocalTime
from boeking.models import SeriesSkip, SeriesStatus, SkipReason


def _lang() -> str:
    return "en" if (translation.get_language() or "nl").startswith("en") else "nl"


def wanted_slots(room_ids, first: dt.date, last: dt.date) -> list[dict]:
    """Series dates in `room_ids` between local days `first` and `last` that were skipped because the slot was taken,
    for series still requested or running: `{room_id, start, end, series, words}`. One query."""
    wanted = []
    skips = (SeriesSkip.objects.filter(series__room_id__in=list(room_ids), reason=SkipReason.CONFLICT,
                                       series__status__in=[SeriesStatus.REQUESTED, SeriesStatus.APPROVED],
                                       date__gte=first - dt.timedelta(days=1), date__lte=last)
             .select_related("series"))
    lang = _lang()
    for skip in skips:
        series = skip.series
        end_day = skip.date + dt.timedelta(days=1) if series.end_time <= series.start_time else skip.date
        try:
            start, end = make_local(skip.date, series.start_time), make_local(end_day, series.end_time)
        except InvalidLocalTime:
            continue
        wanted.append({"room_id": series.room_id, "start": start, "end": end, "series": series,
                       "words": occurrences.describe_series(series, lang)})
    return wanted


def marks(bookings: list, wanted: list[dict]) -> dict[int, dict]:
    """For each booking: `{"series": words or "", "conflicts": [text, …]}`: the series it belongs to, the series dates
    that wanted its slot (`wanted_slots`) and any held booking of the same room overlapping it. No queries beyond
    what `bookings` (with `series` loaded) and `wanted` hold."""
    lang = _lang()
    english = lang == "en"
    words: dict[int, str] = {}
    out = {}
    for b in bookings:
        series_words = ""
        if b.series_id:
            if b.series_id not in words:
                words[b.series_id] = occurrences.describe_series(b.series, lang)
            series_words = words[b.series_id]
        conflicts = []
        for w in wanted:
            if w["room_id"] == b.room_id and w["start"] < b.blocked_until and w["end"] > b.start:
                name = w["series"].title or w["series"].organisation or str(w["series"].pk)
                conflicts.append(f"Series “{name}” ({w['words']}) wanted this slot too; that date was skipped."
                                 if english else
                                 f"Reeks ‘{name}’ ({w['words']}) wilde deze tijd ook; die datum is overgeslagen.")
        for other in bookings:
            if other.pk != b.pk and other.room_id == b.room_id and other.start < b.blocked_until \
                    and other.blocked_until > b.start:
                conflicts.append(f"Overlaps booking #{other.pk}." if english else f"Overlapt met boeking #{other.pk}.")
        out[b.pk] = {"series": series_words, "conflicts": conflicts}
    return out

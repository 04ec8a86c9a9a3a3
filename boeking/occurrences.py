"""Expanding a series' rule into dated occurrences, keeping the wall-clock time in Europe/Amsterdam.

django-recurrence stores DTSTART in UTC; expanded naively a weekly 19:00 series drifts to 18:00/20:00 after a DST
change. We never store DTSTART: the rule is expanded from an aware Amsterdam `first_date` + `start_time`, only
the *dates* are taken from it, and each occurrence's start and end are made from that date and the wall-clock
times (`clock.make_local`), which also catches a time that does not exist on a DST night.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import recurrence
from recurrence.base import Recurrence

from .clock import TZ, make_local
from .errors import InvalidInput

HORIZON_DAYS = 548  # 18 months
ALLOWED_FREQUENCIES = {recurrence.WEEKLY, recurrence.MONTHLY}


def parse_rule(text: str) -> Recurrence:
    """An RRULE such as `FREQ=WEEKLY;BYDAY=TU`, `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH`, `FREQ=MONTHLY;BYDAY=+1MO`,
    with an optional `COUNT`. The end date goes in `until`, not in the rule; DTSTART comes from `first_date`."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("invalid_rrule", "Geef een herhalingsregel, bv. FREQ=WEEKLY;BYDAY=TU.")
    if len(raw) > 500:
        raise InvalidInput("invalid_rrule", "De herhalingsregel is te lang.")
    if not raw.upper().startswith("RRULE:"):
        raw = "RRULE:" + raw
    if "\n" in raw or "DTSTART" in raw.upper() or "UNTIL=" in raw.upper():
        raise InvalidInput("invalid_rrule", "Alleen één RRULE zonder DTSTART of UNTIL; de einddatum hoort in 'until'.")
    try:
        rule_set = recurrence.deserialize(raw)
    except Exception as exc:  # django-recurrence raises several types for bad input
        raise InvalidInput("invalid_rrule", f"Ongeldige herhalingsregel: {text!r}.") from exc
    if len(rule_set.rrules) != 1 or rule_set.exrules or rule_set.rdates or rule_set.exdates:
        raise InvalidInput("invalid_rrule", "Geef precies één RRULE.")
    rule = rule_set.rrules[0]
    if rule.freq not in ALLOWED_FREQUENCIES:
        raise InvalidInput("invalid_rrule", "Alleen wekelijkse (FREQ=WEEKLY) en maandelijkse (FREQ=MONTHLY) reeksen.")
    if rule.interval < 1 or rule.interval > 12:
        raise InvalidInput("invalid_rrule", "INTERVAL moet tussen 1 en 12 liggen.")
    if rule.count is not None and not 1 <= rule.count <= 200:
        raise InvalidInput("invalid_rrule", "COUNT moet tussen 1 en 200 liggen.")
    rule_set.include_dtstart = False
    return rule_set


def rule_text(rule_set: Recurrence) -> str:
    """The rule without the `RRULE:` prefix, as the API shows it."""
    return recurrence.serialize(rule_set).removeprefix("RRULE:")


def has_count(rule_set: Recurrence) -> bool:
    return rule_set.rrules[0].count is not None


def occurrence_dates(rule_set: Recurrence, first_date: dt.date, start_time: dt.time,
                     until: dt.date | None) -> list[dt.date]:
    """The local dates of the series, from `first_date` through `until` (inclusive) or the rule's COUNT.

    Needs an end (`until` or COUNT); refuses a series reaching beyond 18 months (`horizon_too_long`).
    """
    if until is None and not has_count(rule_set):
        raise InvalidInput("until_required", "Geef een einddatum (until) of een aantal keer (COUNT).")
    horizon = first_date + dt.timedelta(days=HORIZON_DAYS)
    if until is not None and until > horizon:
        raise InvalidInput("horizon_too_long", "Een reeks loopt hoogstens 18 maanden vooruit.")
    if until is not None and until < first_date:
        raise InvalidInput("end_before_start", "De einddatum ligt vóór de eerste datum.")
    rule = rule_set.rrules[0]
    # Aware, local: dateutil keeps the wall-clock time across DST changes.
    dtstart = dt.datetime.combine(first_date, start_time, tzinfo=TZ)
    last = min(until or horizon, horizon)
    # dateutil refuses COUNT together with UNTIL; with a COUNT the horizon check below bounds the series.
    dtend = None if has_count(rule_set) else dt.datetime.combine(last, dt.time(23, 59), tzinfo=TZ)
    dates: list[dt.date] = []
    for moment in rule.to_dateutil_rrule(dtstart, dtend):
        day = moment.date()
        if day > last:
            break
        dates.append(day)
    if has_count(rule_set) and until is None and len(dates) < rule_set.rrules[0].count:
        raise InvalidInput("horizon_too_long", "Een reeks loopt hoogstens 18 maanden vooruit.")
    return dates


@dataclass(frozen=True)
class Period:
    date: dt.date
    start: dt.datetime
    end: dt.datetime


def period_on(day: dt.date, start_time: dt.time, end_time: dt.time) -> Period:
    """The occurrence on `day`; an end time at or before the start time is on the next day. May raise
    `InvalidLocalTime` on a DST night."""
    end_day = day + dt.timedelta(days=1) if end_time <= start_time else day
    return Period(day, make_local(day, start_time), make_local(end_day, end_time))

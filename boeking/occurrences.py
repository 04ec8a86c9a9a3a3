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

HORIZON_DAYS = 548  # 18 months, counted from today
MAX_OCCURRENCES = 200  # dates per series (a weekly series over 18 months has 78)
ALLOWED_FREQUENCIES = {recurrence.WEEKLY, recurrence.MONTHLY}
# The parts a booking series needs; every other RRULE part (BYHOUR, BYMINUTE, BYSECOND, BYSETPOS, BYWEEKNO,
# BYYEARDAY, BYMONTH, UNTIL, …) is refused before any expansion, so no rule can multiply or starve the dates.
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "BYDAY", "BYMONTHDAY", "WKST"}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _refuse(message: str):
    raise InvalidInput("invalid_rrule", message)


def _check_parts(raw: str) -> None:
    """Whitelist and range-check every part of `FREQ=…;…` before django-recurrence sees it (RFC 5545 §3.3.10)."""
    parts: dict[str, str] = {}
    for item in raw.split(";"):
        key, sep, value = item.partition("=")
        key = key.strip().upper()
        if not sep or not key or not value.strip():
            _refuse(f"Onleesbaar deel van de herhalingsregel: {item[:40]!r}.")
        if key not in ALLOWED_PARTS:
            _refuse(f"{key} kan niet in een reeks; gebruik alleen FREQ, INTERVAL, COUNT, BYDAY en BYMONTHDAY.")
        if key in parts:
            _refuse(f"{key} staat twee keer in de herhalingsregel.")
        parts[key] = value.strip().upper()
    freq = parts.get("FREQ")
    if freq not in ("WEEKLY", "MONTHLY"):
        _refuse("Alleen wekelijkse (FREQ=WEEKLY) en maandelijkse (FREQ=MONTHLY) reeksen.")
    for key, low, high in (("INTERVAL", 1, 12), ("COUNT", 1, MAX_OCCURRENCES)):
        if key in parts and not (parts[key].isascii() and parts[key].isdigit() and low <= int(parts[key]) <= high):
            _refuse(f"{key} moet een geheel getal tussen {low} en {high} zijn.")
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        _refuse("WKST moet een weekdag zijn (MO … SU).")
    if "BYDAY" in parts:
        days = parts["BYDAY"].split(",")
        if len(days) > 7:
            _refuse("BYDAY noemt hoogstens zeven dagen.")
        for day in days:
            ordinal, weekday = day[:-2], day[-2:]
            if weekday not in WEEKDAYS:
                _refuse(f"Onbekende weekdag in BYDAY: {day!r}.")
            if ordinal:
                number = ordinal.lstrip("+-")
                if freq != "MONTHLY":
                    _refuse("Een rangnummer in BYDAY (zoals +1MO) kan alleen bij een maandelijkse reeks.")
                if not (number.isascii() and number.isdigit() and 1 <= int(number) <= 5) or ordinal[0] not in "+-0123456789":
                    _refuse(f"BYDAY {day!r}: het rangnummer ligt tussen -5 en 5 (bv. +1MO, -1FR).")
    if "BYMONTHDAY" in parts:
        if freq != "MONTHLY":
            _refuse("BYMONTHDAY kan alleen bij een maandelijkse reeks.")
        for value in parts["BYMONTHDAY"].split(","):
            number = value.lstrip("+-")
            if not (number.isascii() and number.isdigit() and 1 <= int(number) <= 28) or len(value) > 3:
                _refuse(f"BYMONTHDAY {value!r}: kies een dag tussen 1 en 28 of -1 … -28 (elke maand heeft die).")
        if "BYDAY" in parts:
            _refuse("Kies BYDAY of BYMONTHDAY, niet allebei.")


def parse_rule(text: str) -> Recurrence:
    """An RRULE such as `FREQ=WEEKLY;BYDAY=TU`, `FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH`, `FREQ=MONTHLY;BYDAY=+1MO`,
    `FREQ=MONTHLY;BYDAY=-1FR`, `FREQ=MONTHLY;BYMONTHDAY=15`, with an optional `COUNT` (1–200). The end date goes
    in `until`, not in the rule; DTSTART comes from `first_date`. Anything else: `invalid_rrule` (400)."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput("invalid_rrule", "Geef een herhalingsregel, bv. FREQ=WEEKLY;BYDAY=TU.")
    if len(raw) > 200:
        raise InvalidInput("invalid_rrule", "De herhalingsregel is te lang.")
    if raw.upper().startswith("RRULE:"):
        raw = raw[len("RRULE:"):]
    if "\n" in raw or "\r" in raw or ":" in raw:
        raise InvalidInput("invalid_rrule", "Alleen één RRULE zonder DTSTART of UNTIL; de einddatum hoort in 'until'.")
    _check_parts(raw)
    try:
        rule_set = recurrence.deserialize("RRULE:" + raw)
    except Exception as exc:  # django-recurrence raises several types for bad input
        raise InvalidInput("invalid_rrule", f"Ongeldige herhalingsregel: {text!r}.") from exc
    if len(rule_set.rrules) != 1 or rule_set.exrules or rule_set.rdates or rule_set.exdates:
        raise InvalidInput("invalid_rrule", "Geef precies één RRULE.")
    rule = rule_set.rrules[0]
    if rule.freq not in ALLOWED_FREQUENCIES:
        raise InvalidInput("invalid_rrule", "Alleen wekelijkse (FREQ=WEEKLY) en maandelijkse (FREQ=MONTHLY) reeksen.")
    rule_set.include_dtstart = False
    return rule_set


def rule_text(rule_set: Recurrence) -> str:
    """The rule without the `RRULE:` prefix, as the API shows it."""
    return recurrence.serialize(rule_set).removeprefix("RRULE:")


def has_count(rule_set: Recurrence) -> bool:
    return rule_set.rrules[0].count is not None


def occurrence_dates(rule_set: Recurrence, first_date: dt.date, start_time: dt.time,
                     until: dt.date | None, *, horizon_from: dt.date | None = None) -> list[dt.date]:
    """The local dates of the series, from `first_date` through `until` (inclusive) or the rule's COUNT; at most
    `MAX_OCCURRENCES`.

    Needs an end (`until` or COUNT); refuses a series reaching beyond 18 months from `horizon_from` (today when a
    series is planned; `horizon_too_long`) and dates outside 2000–2100 (`invalid_date`).
    """
    from .bounds import check_date
    from .clock import today

    check_date(first_date, field="first_date")
    if until is not None:
        check_date(until, field="until")
    if until is None and not has_count(rule_set):
        raise InvalidInput("until_required", "Geef een einddatum (until) of een aantal keer (COUNT).")
    horizon = (horizon_from or today()) + dt.timedelta(days=HORIZON_DAYS)
    if first_date > horizon or (until is not None and until > horizon):
        raise InvalidInput("horizon_too_long", "Een reeks loopt hoogstens 18 maanden vooruit, gerekend vanaf vandaag.")
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
        if len(dates) > MAX_OCCURRENCES:
            raise InvalidInput("too_many_occurrences",
                               f"Een reeks heeft hoogstens {MAX_OCCURRENCES} datums; kies een eerdere einddatum.")
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


# --- the recurrence in words (Dutch and English; RRULE never shows on a page) ----------------------------------

_DAYS = {"nl": ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"),
         "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
_MONTHS = {"nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
                  "november", "december"),
           "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December")}
_ORDINALS = {"nl": {1: "eerste", 2: "tweede", 3: "derde", 4: "vierde", 5: "vijfde", -1: "laatste", -2: "voorlaatste"},
             "en": {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second-to-last"}}


def _join(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {'en' if lang == 'nl' else 'and'} {words[-1]}"


def _date_words(day: dt.date, lang: str) -> str:
    month = _MONTHS[lang][day.month - 1]
    return f"{day.day} {month} {day.year}" if lang == "nl" else f"{day.day} {month} {day.year}"


def describe(rule_set: Recurrence, *, start_time: dt.time, end_time: dt.time, first_date: dt.date,
             until: dt.date | None, lang: str = "nl") -> str:
    """The series in a sentence a person reads, e.g. "elke dinsdag van 19:00 tot 21:00, van 15 december 2026 tot en
    met 29 juni 2027" / "every Tuesday from 19:00 to 21:00, from 15 December 2026 to 29 June 2027". Covers every
    rule `parse_rule` accepts; `lang` is "nl" or "en"."""
    lang = "en" if (lang or "nl").startswith("en") else "nl"
    rule = rule_set.rrules[0]
    days = _DAYS[lang]
    interval = rule.interval or 1
    byday = list(rule.byday or [])
    if rule.freq == recurrence.WEEKLY:
        names = [days[d.number] for d in byday] or [days[first_date.weekday()]]
        if interval == 1:
            what = f"{'elke' if lang == 'nl' else 'every'} {_join(names, lang)}"
        elif interval == 2:
            what = (f"om de week op {_join(names, lang)}" if lang == "nl"
                    else f"every other week on {_join(names, lang)}")
        else:
            what = (f"om de {interval} weken op {_join(names, lang)}" if lang == "nl"
                    else f"every {interval} weeks on {_join(names, lang)}")
    else:
        month_word = ("maand" if interval == 1 else f"{interval} maanden") if lang == "nl" else (
            "month" if interval == 1 else f"{interval} months")
        each = ("elke" if interval == 1 else "om de") if lang == "nl" else ("every" if interval == 1 else "every")
        if byday:
            parts = []
            for d in byday:
                ordinal = _ORDINALS[lang].get(d.index, str(d.index)) if d.index else ""
                parts.append(f"{ordinal} {days[d.number]}".strip())
            what = (f"de {_join(parts, lang)} van {each} {month_word}" if lang == "nl"
                    else f"the {_join(parts, lang)} of {each} {month_word}")
        else:
            monthdays = list(rule.bymonthday or []) or [first_date.day]
            words = [(f"{n}e" if lang == "nl" else f"{n}") if n > 0 else _ORDINALS[lang].get(n, str(n)) + (
                " dag" if lang == "nl" else " day") for n in monthdays]
            what = (f"{each} {month_word} op de {_join(words, lang)}" if lang == "nl"
                    else f"{each} {month_word} on day {_join(words, lang)}")
    times = (f"van {start_time:%H:%M} tot {end_time:%H:%M}" if lang == "nl"
             else f"from {start_time:%H:%M} to {end_time:%H:%M}")
    if end_time <= start_time:
        times += " (tot de volgende dag)" if lang == "nl" else " (until the next day)"
    if until is not None:
        span = (f"van {_date_words(first_date, lang)} tot en met {_date_words(until, lang)}" if lang == "nl"
                else f"from {_date_words(first_date, lang)} to {_date_words(until, lang)}")
    else:
        count = rule.count or 0
        span = (f"vanaf {_date_words(first_date, lang)}, {count} keer" if lang == "nl"
                else f"from {_date_words(first_date, lang)}, {count} times")
    return f"{what} {times}, {span}"


def describe_series(series, lang: str = "nl") -> str:
    """`describe` for a stored `Series`."""
    return describe(series.recurrence, start_time=series.start_time, end_time=series.end_time,
                    first_date=series.first_date, until=series.until, lang=lang)

"""Half-open interval arithmetic on aware datetimes: `[start, end)`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

Interval = tuple[dt.datetime, dt.datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted union; intervals that touch (`a.end == b.start`) are joined."""
    out: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(base: Iterable[Interval], remove: Iterable[Interval]) -> list[Interval]:
    """`base` minus every interval in `remove`; both may be unsorted and overlapping. Sorted and merged result.

    One sweep over both merged lists: O(n + m) after sorting (a month of opening hours minus a month of bookings is
    computed on every availability request)."""
    cuts = merge(remove)
    count, first = len(cuts), 0
    result: list[Interval] = []
    for start, end in merge(base):
        while first < count and cuts[first][1] <= start:
            first += 1  # ends before this interval, and so before every later one
        at, i = start, first
        while i < count and at < end and cuts[i][0] < end:
            cut_start, cut_end = cuts[i]
            if cut_start > at:
                result.append((at, cut_start))
            if cut_end > at:
                at = cut_end
            i += 1
        if at < end:
            result.append((at, end))
    return result


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def covers(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether one interval of the (merged) set contains all of `[start, end)`."""
    return any(s <= start and end <= e for s, e in merge(intervals))

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
    """`base` minus every interval in `remove`; both may be unsorted and overlapping."""
    result = merge(base)
    for r_start, r_end in merge(remove):
        nxt: list[Interval] = []
        for start, end in result:
            if r_end <= start or r_start >= end:
                nxt.append((start, end))
                continue
            if start < r_start:
                nxt.append((start, r_start))
            if r_end < end:
                nxt.append((r_end, end))
        result = nxt
    return result


def clip(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in intervals if s < end and e > start]


def covers(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> bool:
    """Whether one interval of the (merged) set contains all of `[start, end)`."""
    return any(s <= start and end <= e for s, e in merge(intervals))

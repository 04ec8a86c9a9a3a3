"""Usage of the houses against their caps: aggregates only (SPEC §6, §8). Never a name, a title or a booker.

`usage()` answers "how many parties, koffietafels and gatherings did each house host in a year, against which
cap" in a constant number of queries (houses, one GROUP BY over bookings, cap rules), whatever the number of
houses. Counting follows `BookingQuerySet.counting_towards_cap`: approved and confirmed bookings (past ones too) whose
local start falls in the year count; requested ones are shown as `pending`. The cap is the one that applied to the
year (`rules.CapTable`, caps keep their history): for a past year the cap in force on 31 December, for this year the
cap in force today, for a later year the cap in force on 1 January; a house override wins over the city default.
Lowering a cap in 2027 therefore leaves how 2026 looks unchanged. Each row says which cap applied and from when.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth

from .clock import TZ, local, local_midnight, now
from .models import PRIVATE_KINDS, Booking, BookingKind, BookingStatus, House, Location
from .rules import CapTable

# The order kinds are listed in everywhere: parties, gatherings, koffietafels.
KINDS: tuple[str, ...] = (BookingKind.PARTY.value, BookingKind.GATHERING.value, BookingKind.KOFFIETAFEL.value)
NEAR_PERCENT = 80  # at or above: highlighted as "near the cap"


@dataclass(frozen=True)
class UsageRow:
    house: int
    house_name: str
    house_slug: str
    house_type: str
    district: str
    district_slug: str
    neighbourhood: str
    kind: str
    year: int
    count: int
    pending: int
    cap: int | None
    cap_source: str  # "house" (override), "default" or "none"
    cap_reason: str
    cap_from: str | None = None  # ISO date the applying cap took effect ("2000-01-01": always); None without a cap
    cap_on: str | None = None  # ISO date the year is judged on (`CapTable.judging_day`)

    @property
    def percent(self) -> int | None:
        """Counted bookings as a percentage of the cap, rounded half up to a whole number (5 of 24 → 21); None without
        a cap. A cap of 0 with none used is 0 %, with any used 100 %+ (shown as full)."""
        return percent_of(self.count, self.cap)

    @property
    def level(self) -> str:
        """`full` (count ≥ cap, a cap of 0 included), `near` (exactly ≥ 80 % of the cap), `ok`, or `none` (no cap)."""
        if self.cap is None:
            return "none"
        if self.count >= self.cap:
            return "full"
        if self.count * 100 >= NEAR_PERCENT * self.cap:
            return "near"
        return "ok"

    @property
    def remaining(self) -> int | None:
        return None if self.cap is None else max(self.cap - self.count, 0)

    @property
    def cap_since(self):
        """The date the applying cap took effect, as a date; None without a cap or when it always applied."""
        import datetime as dt

        if not self.cap_from or self.cap_from == "2000-01-01":
            return None
        return dt.date.fromisoformat(self.cap_from)

    @property
    def near_from(self) -> int | None:
        """The smallest count that is "near" the cap (80 %)."""
        return None if self.cap is None else -(-self.cap * NEAR_PERCENT // 100)

    def as_dict(self) -> dict:
        return {**asdict(self), "percent": self.percent, "level": self.level, "remaining": self.remaining}


def percent_of(count: int, cap: int | None) -> int | None:
    """`count` as a whole percentage of `cap`, rounded half up (5/24 = 20.8 → 21, 1/8 = 12.5 → 13); None without a
    cap; a cap of 0 is 100 when anything was counted, else 0."""
    if cap is None:
        return None
    if cap == 0:
        return 100 if count else 0
    return (count * 200 + cap) // (cap * 2)


def current_year() -> int:
    return local(now()).year


def houses_for(*, house_ids: Iterable[int] | None = None, district: str | int | None = None,
               house_type: str | None = None):
    """The houses usage is shown for: active ones, or any that has bookings, narrowed by the filters.
    `district` is a district id or slug; `house_ids` None means every house."""
    qs = House.objects.select_related("neighbourhood__district").order_by("name", "pk")
    if house_ids is not None:
        qs = qs.filter(pk__in=list(house_ids))
    if district not in (None, ""):
        key = str(district)
        qs = qs.filter(neighbourhood__district__pk=int(key)) if key.isascii() and key.isdecimal() and len(key) < 19 else qs.filter(
            neighbourhood__district__slug=key)
    if house_type:
        qs = qs.filter(house_type=house_type)
    return qs.filter(Q(active=True) | Exists(Booking.objects.filter(house=OuterRef("pk"))))


def usage(years: int | Iterable[int], *, house_ids: Iterable[int] | None = None, district: str | int | None = None,
          house_type: str | None = None, kinds: Iterable[str] = KINDS) -> list[UsageRow]:
    """One row per house, private kind and year (zeros included), ordered by year, house name, kind.

    Three queries: the houses, one GROUP BY (house, kind, year) over bookings, and the cap rules.
    """
    years = [years] if isinstance(years, int) else sorted(set(years))
    kinds = [k for k in KINDS if k in set(kinds)]
    houses = list(houses_for(house_ids=house_ids, district=district, house_type=house_type))
    if not houses or not years or not kinds:
        return []
    bookings = Booking.objects.filter(kind__in=kinds, local_year__in=years)
    if house_ids is not None or district not in (None, "") or house_type:
        bookings = bookings.filter(house__in=[h.pk for h in houses])
    counts = (
        bookings
        .values("house_id", "kind", "local_year")
        .annotate(count=Count("pk", filter=Q(status__in=BookingStatus.COUNTING)),
                  pending=Count("pk", filter=Q(status=BookingStatus.REQUESTED)))
        .order_by()
    )
    found = {(c["house_id"], c["kind"], c["local_year"]): (c["count"], c["pending"]) for c in counts}
    caps = CapTable.load()  # the rules' own answer to "which cap is in force", every version
    judged = {year: CapTable.judging_day(year) for year in years}
    rows = []
    for year in years:
        for house in houses:
            district_obj = house.neighbourhood.district
            for kind in kinds:
                count, pending = found.get((house.pk, kind, year), (0, 0))
                rule = caps.version(house.pk, kind, judged[year])
                cap, source, reason = caps.in_force(house.pk, kind, judged[year])
                rows.append(UsageRow(
                    house=house.pk, house_name=house.name, house_slug=house.slug, house_type=house.house_type,
                    district=district_obj.name, district_slug=district_obj.slug, neighbourhood=house.neighbourhood.name,
                    kind=kind, year=year, count=count, pending=pending, cap=cap,
                    cap_source=source, cap_reason=reason,
                    cap_from=rule.effective_from.isoformat() if rule is not None else None,
                    cap_on=judged[year].isoformat()))
    return rows


def years_with_bookings() -> list[int]:
    """Every year with a private booking, and the current year; oldest first."""
    found = set(Booking.objects.filter(kind__in=PRIVATE_KINDS).values_list("local_year", flat=True).distinct())
    return sorted(found | {current_year()})


@dataclass(frozen=True)
class KindTotal:
    kind: str
    count: int
    pending: int
    cap_total: int  # the sum of the caps in force of the houses counted
    houses: int
    near: int
    full: int

    @property
    def percent(self) -> int | None:
        return None if not self.cap_total else percent_of(self.count, self.cap_total)


def totals(rows: Iterable[UsageRow]) -> list[KindTotal]:
    """City-wide figures per kind from usage rows: counted, pending, the sum of caps, houses near and at the cap."""
    acc: dict[str, dict] = {k: defaultdict(int) for k in KINDS}
    seen = set()
    for row in rows:
        a = acc[row.kind]
        a["count"] += row.count
        a["pending"] += row.pending
        a["cap_total"] += row.cap or 0
        if (row.house, row.kind) not in seen:
            seen.add((row.house, row.kind))
            a["houses"] += 1
        a["near"] += row.level == "near"
        a["full"] += row.level == "full"
    return [KindTotal(kind=k, count=a["count"], pending=a["pending"], cap_total=a["cap_total"], houses=a["houses"],
                      near=a["near"], full=a["full"]) for k, a in acc.items()]


def monthly(year: int, *, house_ids: Iterable[int] | None = None) -> dict[str, list[int]]:
    """Counted bookings per kind per month (index 0 = January) of `year`, by local start; one GROUP BY.
    `house_ids` None: the whole city."""
    qs = Booking.objects.filter(kind__in=KINDS, local_year=year, status__in=BookingStatus.COUNTING)
    if house_ids is not None:
        qs = qs.filter(house_id__in=list(house_ids))
    per = (qs.annotate(month=ExtractMonth("start", tzinfo=TZ)).values("kind", "month").annotate(n=Count("pk"))
           .order_by())
    result = {k: [0] * 12 for k in KINDS}
    for row in per:
        result[row["kind"]][row["month"] - 1] = row["n"]
    return result


def accessibility_rows() -> list[dict]:
    """Accessibility screening (NEN 9120) per location of every active house: public facts about buildings."""
    rows = []
    for loc in (Location.objects.filter(house__active=True).select_related("house__neighbourhood__district")
                .order_by("house__name", "name", "pk")):
        rows.append({
            "house": loc.house_id, "house_name": loc.house.name, "district": loc.house.neighbourhood.district.name,
            "location": loc.name, "street": loc.street, "postcode": loc.postcode,
            "screening_status": loc.screening_status,
            "screening_date": loc.screening_date.isoformat() if loc.screening_date else None,
            "step_free_entrance": loc.step_free_entrance, "threshold_max_2cm": loc.threshold_max_2cm,
            "door_width_cm": loc.door_width_cm, "lift": loc.lift, "accessible_toilet": loc.accessible_toilet,
            "hearing_loop": loc.hearing_loop, "wheelchair_accessible": loc.wheelchair_accessible,
        })
    return rows


OPEN_DATA_FIELDS = ("house", "house_name", "district", "year", "kind", "count", "cap")
ACCESSIBILITY_FIELDS = ("house", "house_name", "district", "location", "street", "postcode", "screening_status",
                        "screening_date", "step_free_entrance", "threshold_max_2cm", "door_width_cm", "lift",
                        "accessible_toilet", "hearing_loop", "wheelchair_accessible")


def open_data(rows: Iterable[UsageRow]) -> list[dict]:
    """The open-data view of usage rows: house, district, year, kind, count, cap (no pending, no reasons)."""
    return [{"house": r.house, "house_name": r.house_name, "district": r.district, "year": r.year, "kind": r.kind,
             "count": r.count, "cap": r.cap} for r in rows]


def _cell(value):
    """Empty for None; text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_csv(records: list[dict], fields: tuple[str, ...]) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(record[k]) for k in fields})
    return out.getvalue()


def auto_approval_rows(houses) -> list[dict]:
    """Per house, the kinds its board approves at once when every rule passes (`AutoApproval`, issue 18): house,
    house_name, district, kinds (codes, in `BookingKind` order). No personal data: who switched it on is left out.
    Two queries (the houses, the settings)."""
    from .models import AutoApproval

    house_list = list(houses)
    chosen: dict[int, set[str]] = defaultdict(set)
    for house_id, kind in AutoApproval.objects.filter(house__in=[h.pk for h in house_list]).values_list(
            "house_id", "kind"):
        chosen[house_id].add(kind)
    order = list(BookingKind.values)
    return [{"house": h.pk, "house_name": h.name, "district": h.neighbourhood.district.name,
             "kinds": sorted(chosen.get(h.pk, ()), key=order.index)} for h in house_list]


def meldingen_per_month(year: int) -> dict[str, list[int]]:
    """Active (not withdrawn) meldingen per kind and month of the event's local start in `year`: {kind: [12 counts]};
    one GROUP BY."""
    from .models import Melding

    start, end = local_midnight(dt.date(year, 1, 1)), local_midnight(dt.date(year + 1, 1, 1))
    result = {k: [0] * 12 for k in KINDS}
    for row in (Melding.objects.filter(start__gte=start, start__lt=end, withdrawn_at__isnull=True)
                .annotate(month=ExtractMonth("start", tzinfo=TZ)).values("kind", "month").annotate(n=Count("pk"))
                .order_by()):
        if row["kind"] in result:
            result[row["kind"]][row["month"] - 1] = row["n"]
    return result

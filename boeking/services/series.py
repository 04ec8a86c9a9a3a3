"""Recurring bookings. A series' occurrences are ordinary bookings, so conflict checks, caps, availability, feeds
and reports treat them like any other.

Choices made here (README, "Series"):
- Dates that cannot be booked are kept as `SeriesSkip` rows with their reason; they are shown before submitting
  (`series_plan`) and in every response.
- An association's series is requested as a whole and approved or rejected as a whole; on approval its
  occurrences are confirmed at once (associations settle by invoice, so there is no per-date payment deadline).
- Past occurrences are never changed by cancel or split.
- Checking a series costs a constant number of queries, whatever its length: bookings, closures and opening hours
  of the whole range are read once, then every date is checked in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from boeking import intervals, notifications, occurrences, pricing
from boeking.availability import opening_intervals
from boeking.clock import local, local_midnight, now, today
from boeking.errors import InvalidInput, InvalidLocalTime, InvalidTransition, NotAllowed, SlotTaken
from boeking.models import (
    AuditEntry,
    Booking,
    BookingKind,
    BookingStatus,
    Closure,
    House,
    OpeningHours,
    Role,
    Room,
    RuleSettings,
    Series,
    SeriesSkip,
    SeriesStatus,
    SkipReason,
)

from .audit import audit
from .bookings import _transition

SERIES_KINDS = (BookingKind.ASSOCIATION, BookingKind.COMMUNITY)


@dataclass
class Skip:
    date: dt.date
    reason: str
    detail: str

    def as_dict(self):
        return {"date": self.date.isoformat(), "reason": self.reason,
                "reason_label": str(SkipReason(self.reason).label), "detail": self.detail}


@dataclass
class Plan:
    """What a series would become: the bookable periods and the dates that cannot be booked, with reasons."""

    periods: list[occurrences.Period] = field(default_factory=list)
    skips: list[Skip] = field(default_factory=list)
    price_per_occurrence: pricing.Price | None = None

    @property
    def total_cents(self) -> int:
        return sum(self.prices) if self.periods else 0

    prices: list[int] = field(default_factory=list)


def _role(user) -> str | None:
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def _is_volunteer(user, house_id: int) -> bool:
    return _role(user) == Role.ADMIN or bool(
        user and user.is_authenticated and user.memberships.filter(house_id=house_id).exists())


def _check_may_request(user, room: Room, kind: str) -> bool:
    """Returns whether the requester is a volunteer of the house (their series need no approval)."""
    if kind not in SERIES_KINDS:
        raise InvalidInput("invalid_kind", "Een reeks is voor verenigingsactiviteiten of activiteiten van het huis.")
    volunteer = _is_volunteer(user, room.house_id)
    if volunteer:
        return True
    if _role(user) == Role.ASSOCIATION and kind == BookingKind.ASSOCIATION:
        return False
    raise NotAllowed(detail="Reeksen worden aangevraagd door verenigingen of het bestuur van het huis.")


def series_plan(*, room: Room, kind: str, rrule: str, start_time: dt.time, end_time: dt.time,
                first_date: dt.date, until: dt.date | None, guests: int,
                exclude_series_id: int | None = None) -> Plan:
    """Expand the rule and check every date against opening hours, closures and existing bookings (buffers
    included). Writes nothing. Six queries, whatever the number of dates."""
    if guests is None or guests < 1:
        raise InvalidInput("invalid_guests", "Het aantal deelnemers moet minimaal 1 zijn.")
    if guests > room.capacity:
        raise InvalidInput("guests", f"De zaal biedt plaats aan maximaal {room.capacity} personen.")
    if start_time == end_time:
        raise InvalidInput("end_before_start", "Begin- en eindtijd zijn gelijk.")
    rule_set = occurrences.parse_rule(rrule)
    dates = occurrences.occurrence_dates(rule_set, first_date, start_time, until)
    plan = Plan()
    if not dates:
        return plan
    settings = RuleSettings.current()
    earliest = now() + dt.timedelta(hours=settings.min_notice_hours(kind))
    range_start = local_midnight(dates[0])
    range_end = local_midnight(dates[-1] + dt.timedelta(days=2))
    taken = list(Booking.objects.active().filter(room=room, start__lt=range_end, blocked_until__gt=range_start)
                 .exclude(series_id=exclude_series_id or 0).values_list("start", "blocked_until"))
    closures = list(Closure.objects.affecting(room, range_start, range_end).values_list("start", "end", "reason"))
    opening = opening_intervals(room.house, dates[0], dates[-1] + dt.timedelta(days=1),
                                hours=list(OpeningHours.objects.filter(house_id=room.house_id)))
    tariffs = list(room.tariffs.all())
    buffer = dt.timedelta(minutes=room.buffer_minutes)
    for day in dates:
        try:
            period = occurrences.period_on(day, start_time, end_time)
        except InvalidLocalTime as exc:
            plan.skips.append(Skip(day, SkipReason.NONEXISTENT_TIME, exc.detail))
            continue
        if period.end - period.start > dt.timedelta(hours=24):
            raise InvalidInput("too_long", "Een keer uit een reeks duurt hoogstens 24 uur.")
        if period.start < earliest:
            plan.skips.append(Skip(day, SkipReason.OTHER, "Te kort van tevoren: deze datum is te snel om nog te boeken."))
            continue
        closure = next((c for c in closures if c[0] < period.end and c[1] > period.start), None)
        if closure:
            plan.skips.append(Skip(day, SkipReason.CLOSURE, f"Gesloten: {closure[2]}"))
            continue
        if not intervals.covers(opening, period.start, period.end):
            plan.skips.append(Skip(day, SkipReason.OPENING_HOURS, "Het huis is dan niet open."))
            continue
        if any(s < period.end + buffer and until_ > period.start for s, until_ in taken):
            plan.skips.append(Skip(day, SkipReason.CONFLICT, "De zaal is dan al bezet."))
            continue
        plan.periods.append(period)
        price = pricing.quote_price(room=room, kind=kind, start=period.start, end=period.end, tariffs=tariffs)
        plan.prices.append(price.total_cents)
        plan.price_per_occurrence = plan.price_per_occurrence or price
    return plan


def series_quote(*, booker, room: Room, kind: str, rrule: str, start_time: dt.time, end_time: dt.time,
                 first_date: dt.date, until: dt.date | None, guests: int) -> Plan:
    """What `series_create` would make of this request for `booker`: refused (`NotAllowed`) for whoever may not
    request a series of this kind in this house, else the plan. Writes nothing."""
    _check_may_request(booker, room, kind)
    return series_plan(room=room, kind=kind, rrule=rrule, start_time=start_time, end_time=end_time,
                       first_date=first_date, until=until, guests=guests)


def _booking_for(series: Series, period: occurrences.Period, status: str, moment: dt.datetime,
                 tariffs, decision_days: int) -> Booking:
    room = series.room
    price = pricing.quote_price(room=room, kind=series.kind, start=period.start, end=period.end, tariffs=tariffs)
    return Booking(
        room=room, house_id=room.house_id, kind=series.kind, status=status, start=period.start, end=period.end,
        blocked_until=period.end + dt.timedelta(minutes=room.buffer_minutes), local_year=local(period.start).year,
        guests=series.guests, title=series.title, booker=series.booker, booker_name=series.booker_name,
        booker_email=series.booker_email, booker_phone=series.booker_phone, organisation=series.organisation,
        price_lines=price.lines, rental_cents=price.rental_cents, deposit_cents=price.deposit_cents,
        total_cents=price.total_cents, created_at=moment, updated_at=moment,
        decision_deadline=min(moment + dt.timedelta(days=decision_days), period.start),
        confirmed_at=moment if status == BookingStatus.CONFIRMED else None, series=series,
    )


def _insert_occurrences(series: Series, periods, status: str, actor, moment) -> list[Booking]:
    """Bulk-insert occurrences with their audit entries: a constant number of queries."""
    tariffs = list(series.room.tariffs.all())
    decision_days = RuleSettings.current().decision_days  # once, not once per occurrence
    bookings = Booking.objects.bulk_create([_booking_for(series, p, status, moment, tariffs, decision_days)
                                            for p in periods])
    AuditEntry.objects.bulk_create([
        AuditEntry(at=moment, actor=actor if actor and actor.is_authenticated else None, action="booking.requested",
                   booking=b, object_type="booking", object_id=str(b.pk), to_status=status,
                   data={"series": series.pk})
        for b in bookings
    ])
    return bookings


def series_create(*, booker, room: Room, kind: str, rrule: str, start_time: dt.time, end_time: dt.time,
                  first_date: dt.date, until: dt.date | None, guests: int, title: str = "") -> Series:
    """Request a series (association) or create one directly (volunteer of the house: approved at once).

    Bookable dates become bookings; the others are kept as skips. A date taken by a concurrent booking between
    the check and the insert (PostgreSQL's exclusion constraint) makes us check again, up to three times.
    """
    volunteer = _check_may_request(booker, room, kind)
    for attempt in range(3):
        try:
            with transaction.atomic():
                House.objects.select_for_update(no_key=True).get(pk=room.house_id)
                plan = series_plan(room=room, kind=kind, rrule=rrule, start_time=start_time, end_time=end_time,
                                   first_date=first_date, until=until, guests=guests)
                if not plan.periods:
                    raise InvalidInput("no_dates", "Geen enkele datum van deze reeks is te boeken.",
                                       rules=[s.as_dict() for s in plan.skips])
                moment = now()
                profile = getattr(booker, "profile", None)
                rule_set = occurrences.parse_rule(rrule)
                series = Series.objects.create(
                    room=room, house_id=room.house_id, kind=kind, recurrence=rule_set, start_time=start_time,
                    end_time=end_time, first_date=first_date, until=until, guests=guests, title=title[:200],
                    booker=booker, booker_name=booker.get_full_name() or booker.email, booker_email=booker.email,
                    booker_phone=profile.phone if profile else "",
                    organisation=profile.organisation if profile else "",
                    status=SeriesStatus.APPROVED if volunteer else SeriesStatus.REQUESTED,
                    decided_at=moment if volunteer else None, decided_by=booker if volunteer else None,
                    created_at=moment, updated_at=moment,
                )
                SeriesSkip.objects.bulk_create([SeriesSkip(series=series, date=s.date, reason=s.reason,
                                                           detail=s.detail[:300]) for s in plan.skips])
                status = BookingStatus.CONFIRMED if volunteer else BookingStatus.REQUESTED
                with transaction.atomic():
                    _insert_occurrences(series, plan.periods, status, booker, moment)
                audit(actor=booker, action="series.created", obj=series, to_status=series.status,
                      data={"occurrences": len(plan.periods), "skipped": len(plan.skips)})
                series_id = series.pk
                transaction.on_commit(lambda series_id=series_id: notifications.series_requested(series_id))
                return series
        except IntegrityError as exc:
            if "booking_no_overlap" not in str(exc) or attempt == 2:
                if "booking_no_overlap" in str(exc):
                    raise SlotTaken(detail="De zaal werd tijdens het aanvragen bezet; probeer het opnieuw.") from exc
                raise
    raise AssertionError("unreachable")


def _lock_series(series: Series) -> Series:
    House.objects.select_for_update(no_key=True).get(pk=series.house_id)
    return Series.objects.select_for_update(of=("self",)).select_related("room__house").get(pk=series.pk)


def _require_volunteer(user, series: Series) -> None:
    if not _is_volunteer(user, series.house_id):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan dit doen.")


def _set_series_status(series: Series, to_status: str, *, actor, reason: str, action: str) -> None:
    from_status = series.status
    series.status = to_status
    series.updated_at = now()
    series.save(update_fields=["status", "updated_at", "decided_at", "decided_by", "decision_reason"])
    audit(actor=actor, action=action, obj=series, from_status=from_status, to_status=to_status, reason=reason)


def series_approve(*, series: Series, actor, reason: str = "") -> Series:
    """Approve a requested series: its requested occurrences are confirmed. Dates taken meanwhile were already
    blocked by those occurrences, so nothing can have been double-booked; a closure added since the request cancels
    the dates it hits (kept as skips with the closure's reason). A request whose dates all expired cannot be
    approved any more (`series_expire_overdue` marks it expired)."""
    _require_volunteer(actor, series)
    with transaction.atomic():
        locked = _lock_series(series)
        if locked.status != SeriesStatus.REQUESTED:
            raise InvalidTransition(detail="Alleen aangevraagde reeksen kunnen worden goedgekeurd.")
        pending = list(locked.occurrences.select_for_update(of=("self",)).filter(status=BookingStatus.REQUESTED)
                       .order_by("start"))
        if not pending:
            raise InvalidTransition(detail="Deze aanvraag is verlopen: er is niet op tijd over beslist. "
                                           "De vereniging kan de reeks opnieuw aanvragen.")
        locked.decided_at, locked.decided_by, locked.decision_reason = now(), actor, reason
        closures = list(Closure.objects.affecting(locked.room, pending[0].start, pending[-1].end)
                        .values_list("start", "end", "reason"))
        closed = []
        for booking in pending:
            closure = next((c for c in closures if c[0] < booking.end and c[1] > booking.start), None)
            if closure:
                booking.cancelled_at = locked.decided_at
                _transition(booking, BookingStatus.CANCELLED, actor=actor, reason=f"Gesloten: {closure[2]}",
                            action="booking.cancelled", data={"series": locked.pk, "scope": "closure"})
                closed.append(SeriesSkip(series=locked, date=local(booking.start).date(), reason=SkipReason.CLOSURE,
                                         detail=f"Gesloten: {closure[2]}"[:300]))
                continue
            booking.decided_at, booking.decided_by, booking.confirmed_at = locked.decided_at, actor, locked.decided_at
            _transition(booking, BookingStatus.CONFIRMED, actor=actor, reason=reason, action="booking.approved")
        SeriesSkip.objects.filter(series=locked, date__in=[s.date for s in closed]).delete()
        SeriesSkip.objects.bulk_create(closed)
        _set_series_status(locked, SeriesStatus.APPROVED, actor=actor, reason=reason, action="series.approved")
        series_id = locked.pk
        transaction.on_commit(lambda: notifications.series_decided(series_id))
        return locked


def series_expire_overdue() -> list[Series]:
    """Requested series none of whose dates still waits for a decision (they expired one by one with
    `expire_overdue`, at the decision deadline) become `expired`, and the association is told."""
    expired = []
    stale = (Series.objects.filter(status=SeriesStatus.REQUESTED)
             .exclude(occurrences__status=BookingStatus.REQUESTED).values_list("pk", flat=True))
    for pk in stale:
        with transaction.atomic():
            locked = Series.objects.select_for_update(of=("self",)).get(pk=pk)
            if (locked.status != SeriesStatus.REQUESTED
                    or locked.occurrences.filter(status=BookingStatus.REQUESTED).exists()):
                continue  # decided or changed meanwhile
            _set_series_status(locked, SeriesStatus.EXPIRED, actor=None, action="series.expired",
                               reason="Niet op tijd beslist")
            transaction.on_commit(lambda pk=pk: notifications.series_decided(pk))
            expired.append(locked)
    return expired


def series_reject(*, series: Series, actor, reason: str) -> Series:
    _require_volunteer(actor, series)
    if not (reason or "").strip():
        raise InvalidInput("reason_required", "Geef een reden voor de afwijzing.")
    with transaction.atomic():
        locked = _lock_series(series)
        if locked.status != SeriesStatus.REQUESTED:
            raise InvalidTransition(detail="Alleen aangevraagde reeksen kunnen worden afgewezen.")
        locked.decided_at, locked.decided_by, locked.decision_reason = now(), actor, reason
        for booking in locked.occurrences.select_for_update(of=("self",)).filter(status=BookingStatus.REQUESTED):
            booking.decided_at, booking.decided_by, booking.decision_reason = locked.decided_at, actor, reason
            _transition(booking, BookingStatus.REJECTED, actor=actor, reason=reason, action="booking.rejected")
        _set_series_status(locked, SeriesStatus.REJECTED, actor=actor, reason=reason, action="series.rejected")
        series_id = locked.pk
        transaction.on_commit(lambda: notifications.series_decided(series_id))
        return locked


def _may_change(user, series: Series) -> bool:
    return _is_volunteer(user, series.house_id) or (series.booker_id is not None and user is not None
                                                    and series.booker_id == user.pk)


def series_cancel(*, series: Series, actor, from_date: dt.date | None = None, reason: str = "") -> list[Booking]:
    """Cancel the occurrences on or after `from_date` ("this and all following"; default: every future one).
    Past and already started occurrences are never changed. Cancelling from the first future occurrence cancels
    the series itself; otherwise the series now ends the day before `from_date`."""
    if not _may_change(actor, series):
        raise NotAllowed(detail="Alleen de aanvrager of het bestuur kan deze reeks annuleren.")
    with transaction.atomic():
        locked = _lock_series(series)
        if locked.status in (SeriesStatus.CANCELLED, SeriesStatus.REJECTED, SeriesStatus.EXPIRED):
            raise InvalidTransition(detail="Deze reeks is al geannuleerd, afgewezen of verlopen.")
        moment = now()
        start_from = max(local_midnight(from_date), moment) if from_date else moment
        future = list(locked.occurrences.select_for_update(of=("self",))
                      .filter(status__in=BookingStatus.HOLDING, start__gte=start_from).order_by("start"))
        remaining = locked.occurrences.filter(status__in=BookingStatus.HOLDING, start__lt=start_from,
                                              start__gte=moment).exists()
        for booking in future:
            booking.cancelled_at = moment
            _transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason, action="booking.cancelled",
                        data={"series": locked.pk, "scope": "this_and_following"})
        if from_date is None or not remaining:
            _set_series_status(locked, SeriesStatus.CANCELLED, actor=actor, reason=reason, action="series.cancelled")
        else:
            locked.until = from_date - dt.timedelta(days=1)
            if occurrences.has_count(locked.recurrence):
                locked.recurrence.rrules[0].count = None
            locked.updated_at = moment
            locked.save(update_fields=["until", "recurrence", "updated_at"])
            SeriesSkip.objects.filter(series=locked, date__gte=from_date).delete()  # no longer dates of the series
            audit(actor=actor, action="series.truncated", obj=locked, reason=reason,
                  data={"from_date": from_date.isoformat(), "cancelled": len(future)})
        ids = [b.pk for b in future]
        transaction.on_commit(lambda: notifications.series_cancelled(locked.pk, ids))
        return future


def series_restore_date(*, series: Series, actor, date: dt.date) -> Booking:
    """Book a cancelled or skipped date of the series again, if the slot is still free (same checks as creation)."""
    if not _may_change(actor, series):
        raise NotAllowed(detail="Alleen de aanvrager of het bestuur kan deze reeks wijzigen.")
    with transaction.atomic():
        locked = _lock_series(series)
        if locked.status not in (SeriesStatus.REQUESTED, SeriesStatus.APPROVED):
            raise InvalidTransition(detail="Alleen datums van een lopende reeks kunnen worden hersteld.")
        dates = occurrences.occurrence_dates(locked.recurrence, locked.first_date, locked.start_time,
                                             locked.until)
        if date not in dates:
            raise InvalidInput("not_in_series", "Deze datum hoort niet bij de reeks.")
        if locked.occurrences.filter(status__in=BookingStatus.HOLDING, start__gte=local_midnight(date),
                                     start__lt=local_midnight(date + dt.timedelta(days=1))).exists():
            raise InvalidTransition(detail="Deze datum is al geboekt.")
        plan = series_plan(room=locked.room, kind=locked.kind, rrule=occurrences.rule_text(locked.recurrence),
                           start_time=locked.start_time, end_time=locked.end_time, first_date=date, until=date,
                           guests=locked.guests)
        if not plan.periods:
            skip = plan.skips[0] if plan.skips else Skip(date, SkipReason.OTHER, "")
            code = "slot_taken" if skip.reason == SkipReason.CONFLICT else "date_unavailable"
            error = SlotTaken if code == "slot_taken" else InvalidInput
            raise error(code, f"{date:%d-%m-%Y} kan niet: {skip.detail}")
        status = BookingStatus.CONFIRMED if locked.status == SeriesStatus.APPROVED else BookingStatus.REQUESTED
        try:
            with transaction.atomic():
                (booking,) = _insert_occurrences(locked, plan.periods, status, actor, now())
        except IntegrityError as exc:
            raise SlotTaken(detail="De zaal is zojuist bezet.") from exc
        SeriesSkip.objects.filter(series=locked, date=date).delete()
        audit(actor=actor, action="series.date_restored", obj=locked, data={"date": date.isoformat()})
        return booking


def series_split(*, series: Series, actor, from_date: dt.date, start_time: dt.time, end_time: dt.time,
                 reason: str = "") -> Series:
    """Change the time of "this and all following": the original series ends before `from_date`, a new series
    (pointing back to it) takes the same rule from `from_date` with the new times. Past occurrences are kept."""
    if not _may_change(actor, series):
        raise NotAllowed(detail="Alleen de aanvrager of het bestuur kan deze reeks wijzigen.")
    if from_date < today():
        raise InvalidInput("date_in_past", "Alleen toekomstige datums kunnen worden gewijzigd.")
    with transaction.atomic():
        locked = _lock_series(series)
        if locked.status not in (SeriesStatus.REQUESTED, SeriesStatus.APPROVED):
            raise InvalidTransition(detail="Alleen een lopende reeks kan worden gewijzigd.")
        old_dates = occurrences.occurrence_dates(locked.recurrence, locked.first_date, locked.start_time,
                                                 locked.until)
        following = [d for d in old_dates if d >= from_date]
        if not following:
            raise InvalidInput("not_in_series", "Na deze datum heeft de reeks geen datums meer.")
        rule = occurrences.parse_rule(occurrences.rule_text(locked.recurrence))
        rule.rrules[0].count = None
        moment = now()
        # Past and already started occurrences are never changed (as in series_cancel).
        cancelled = [b.pk for b in locked.occurrences.filter(status__in=BookingStatus.HOLDING,
                                                             start__gte=max(local_midnight(from_date), moment))]
        for booking in locked.occurrences.select_for_update(of=("self",)).filter(pk__in=cancelled):
            booking.cancelled_at = moment
            _transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason or "Tijd gewijzigd",
                        action="booking.cancelled", data={"series": locked.pk, "scope": "split"})
        # The new series starts on the first following date, not on `from_date`: an INTERVAL counts from DTSTART,
        # so a fortnightly series split from a week it skips would otherwise move to the other weeks.
        plan = series_plan(room=locked.room, kind=locked.kind, rrule=occurrences.rule_text(rule),
                           start_time=start_time, end_time=end_time, first_date=following[0], until=following[-1],
                           guests=locked.guests)
        if not plan.periods:
            raise InvalidInput("no_dates", "Geen enkele datum is met de nieuwe tijden te boeken.",
                               rules=[s.as_dict() for s in plan.skips])
        new = Series.objects.create(
            room=locked.room, house_id=locked.house_id, kind=locked.kind, recurrence=rule, start_time=start_time,
            end_time=end_time, first_date=following[0], until=following[-1], guests=locked.guests, title=locked.title,
            booker=locked.booker, booker_name=locked.booker_name, booker_email=locked.booker_email,
            booker_phone=locked.booker_phone, organisation=locked.organisation, parent=locked,
            status=locked.status, decided_at=locked.decided_at, decided_by=locked.decided_by,
            created_at=moment, updated_at=moment)
        SeriesSkip.objects.bulk_create([SeriesSkip(series=new, date=s.date, reason=s.reason, detail=s.detail[:300])
                                        for s in plan.skips])
        # Those dates are the new series' now: its own skips say which of them cannot be booked.
        SeriesSkip.objects.filter(series=locked, date__gte=from_date).delete()
        status = BookingStatus.CONFIRMED if locked.status == SeriesStatus.APPROVED else BookingStatus.REQUESTED
        try:
            with transaction.atomic():
                _insert_occurrences(new, plan.periods, status, actor, moment)
        except IntegrityError as exc:
            raise SlotTaken(detail="De zaal is zojuist bezet; probeer het opnieuw.") from exc
        locked.until = from_date - dt.timedelta(days=1)
        locked.recurrence = occurrences.parse_rule(occurrences.rule_text(rule))
        locked.updated_at = moment
        if locked.until < locked.first_date:
            locked.until = locked.first_date
            locked.status = SeriesStatus.CANCELLED
        locked.save(update_fields=["until", "recurrence", "updated_at", "status"])
        audit(actor=actor, action="series.split", obj=locked, reason=reason,
              data={"from_date": from_date.isoformat(), "new_series": new.pk,
                    "start_time": start_time.isoformat(), "end_time": end_time.isoformat()})
        return new


def closure_affected_bookings(closure: Closure):
    """Bookings that hold a slot during `closure` (series occurrences and one-off bookings)."""
    qs = Booking.objects.active().filter(start__lt=closure.end, end__gt=closure.start, house_id=closure.house_id)
    if closure.room_id:
        qs = qs.filter(room_id=closure.room_id)
    return qs.select_related("series", "room").order_by("start")


def closure_cancel_affected(*, closure: Closure, actor, booking_ids: list[int] | None = None) -> list[Booking]:
    """A volunteer confirms cancelling the bookings a (later added) closure hits. Series dates are recorded as
    skipped because of the closure; the bookers are notified; cancelled by the board means a full refund."""
    from .bookings import booking_cancel

    if not _is_volunteer(actor, closure.house_id):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan dit doen.")
    affected = list(closure_affected_bookings(closure))
    if booking_ids is not None:
        affected = [b for b in affected if b.pk in set(booking_ids)]
    cancelled, per_series = [], {}
    reason = f"Gesloten: {closure.reason}"
    with transaction.atomic():
        for booking in affected:
            if booking.start <= now():
                continue
            if booking.series_id is None:
                cancelled.append(booking_cancel(booking=booking, actor=actor, reason=reason))
                continue
            # Series dates: cancelled without a mail each; the association gets one mail per series below.
            locked = Booking.objects.select_for_update(of=("self",)).get(pk=booking.pk)
            if locked.status not in BookingStatus.HOLDING:
                continue
            locked.cancelled_at = now()
            _transition(locked, BookingStatus.CANCELLED, actor=actor, reason=reason, action="booking.cancelled",
                        data={"series": booking.series_id, "scope": "closure", "closure": closure.pk})
            SeriesSkip.objects.update_or_create(series_id=booking.series_id, date=local(booking.start).date(),
                                                defaults={"reason": SkipReason.CLOSURE, "detail": reason[:300]})
            per_series.setdefault(booking.series_id, []).append(locked.pk)
            cancelled.append(locked)
        for series_id, ids in per_series.items():
            transaction.on_commit(lambda series_id=series_id, ids=ids: notifications.series_cancelled(series_id, ids))
    return cancelled

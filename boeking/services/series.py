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

from boeking import access, bounds, notifications, occurrences, pricing, rules, states
from boeking.clock import elapsed, local, local_midnight, now, today
from boeking.errors import InvalidInput, InvalidLocalTime, InvalidTransition, NotAllowed, RuleViolation, SlotTaken
from boeking.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    House,
    Room,
    RuleSettings,
    Series,
    SeriesSkip,
    SeriesStatus,
    SkipReason,
)

from .audit import audit
from .bookings import MAX_GUESTS
from .transitions import lock_series, series_transition, transition

SERIES_KINDS = access.SERIES_KINDS


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
    results: list[list[dict]] = field(default_factory=list)  # each period's rule results, as stored on its booking


def _check_may_request(user, room: Room, kind: str) -> bool:
    """Refuse whoever may not request a series of `kind` in this house (`boeking.access.series_kinds`). Returns
    whether the requester is a volunteer of the house (their series need no approval)."""
    if kind not in SERIES_KINDS:
        raise InvalidInput("invalid_kind", "Een reeks is voor verenigingsactiviteiten of activiteiten van het huis.")
    if kind not in access.series_kinds(user, room.house_id):
        raise NotAllowed(detail="Reeksen worden aangevraagd door verenigingen of het bestuur van het huis.")
    return access.is_volunteer(user, room.house_id)


# The rule that stops a date, as the reason a series keeps for it.
SKIP_FOR_RULE = {
    "slot": SkipReason.CONFLICT,
    "closure": SkipReason.CLOSURE,
    "opening_hours": SkipReason.OPENING_HOURS,
    "min_notice": SkipReason.NOTICE,
    "max_advance": SkipReason.ADVANCE,
}
# Rules that fail for every date alike: the whole series is refused instead of skipping each date.
WHOLE_SERIES_RULES = ("room_active", "guests", "booker_role")


def _skip_for(day: dt.date, failed: list[rules.RuleResult]) -> Skip:
    first = next((r for r in failed if r.rule in SKIP_FOR_RULE), failed[0])
    detail = first.message_nl
    if first.rule == "closure":
        detail = detail.rpartition(" (")[0] or detail  # "Gesloten: Kerstsluiting"; the date is the skip's own
    return Skip(day, SKIP_FOR_RULE.get(first.rule, SkipReason.OTHER), detail)


def series_plan(*, room: Room, kind: str, rrule: str, start_time: dt.time, end_time: dt.time,
                first_date: dt.date, until: dt.date | None, guests: int,
                exclude_series_id: int | None = None, requested_at: dt.datetime | None = None) -> Plan:
    """Expand the rule and ask the rules (`rules.evaluate_many`, data loaded once) about every date: notice, how
    far ahead, opening hours, closures, existing bookings and the series' own earlier dates (buffers included).
    A date that fails is kept as a skip with its reason; a rule that fails for every date alike (inactive room,
    too many guests) refuses the whole series. Writes nothing; a constant number of queries."""
    if isinstance(guests, bool) or not isinstance(guests, int) or not 1 <= guests <= MAX_GUESTS:
        raise InvalidInput("invalid_guests", f"Het aantal deelnemers moet tussen 1 en {MAX_GUESTS} liggen.")
    if start_time == end_time:
        raise InvalidInput("end_before_start", "Begin- en eindtijd zijn gelijk.")
    rule_set = occurrences.parse_rule(rrule)
    dates = occurrences.occurrence_dates(rule_set, first_date, start_time, until)
    plan = Plan()
    periods: list[occurrences.Period] = []
    for day in dates:
        try:
            period = occurrences.period_on(day, start_time, end_time)
        except InvalidLocalTime as exc:
            plan.skips.append(Skip(day, SkipReason.NONEXISTENT_TIME, exc.detail))
            continue
        if elapsed(period.start, period.end) > dt.timedelta(hours=24):
            raise InvalidInput("too_long", "Een keer uit een reeks duurt hoogstens 24 uur.")
        periods.append(period)
    if not periods:
        return plan
    moment = requested_at or now()
    candidates = [rules.Candidate(room=room, kind=kind, start=p.start, end=p.end, guests=guests, booker=None,
                                  requested_at=moment) for p in periods]
    results = rules.evaluate_many(candidates, exclude_series_id=exclude_series_id)
    tariffs = list(room.tariffs.all())
    for period, result in zip(periods, results, strict=True):
        failed = rules.failures(result)
        whole = next((r for r in failed if r.rule in WHOLE_SERIES_RULES), None)
        if whole is not None:
            raise RuleViolation(whole.rule, whole.message, [r.as_dict() for r in result])
        if failed:
            plan.skips.append(_skip_for(period.date, failed))
            continue
        plan.periods.append(period)
        price = pricing.quote_price(room=room, kind=kind, start=period.start, end=period.end, tariffs=tariffs)
        plan.prices.append(price.total_cents)
        plan.results.append([r.as_dict() for r in result])
        plan.price_per_occurrence = plan.price_per_occurrence or price
    plan.skips.sort(key=lambda skip: skip.date)
    return plan


def series_quote(*, booker, room: Room, kind: str, rrule: str, start_time: dt.time, end_time: dt.time,
                 first_date: dt.date, until: dt.date | None, guests: int) -> Plan:
    """What `series_create` would make of this request for `booker`: refused (`NotAllowed`) for whoever may not
    request a series of this kind in this house, else the plan. Writes nothing."""
    _check_may_request(booker, room, kind)
    return series_plan(room=room, kind=kind, rrule=rrule, start_time=start_time, end_time=end_time,
                       first_date=first_date, until=until, guests=guests)


def _booking_for(series: Series, period: occurrences.Period, status: str, moment: dt.datetime,
                 tariffs, decision_days: int, rule_results: list[dict]) -> Booking:
    room = series.room
    price = pricing.quote_price(room=room, kind=series.kind, start=period.start, end=period.end, tariffs=tariffs)
    return Booking(
        room=room, house_id=room.house_id, kind=series.kind, status=status, start=period.start, end=period.end,
        blocked_until=period.end + dt.timedelta(minutes=room.buffer_minutes), local_year=local(period.start).year,
        guests=series.guests, title=series.title, booker=series.booker, booker_name=series.booker_name,
        booker_email=series.booker_email, booker_phone=series.booker_phone, organisation=series.organisation,
        price_lines=price.lines, rental_cents=price.rental_cents, deposit_cents=price.deposit_cents,
        total_cents=price.total_cents, created_at=moment, updated_at=moment, rule_results=rule_results,
        decision_deadline=min(moment + dt.timedelta(days=decision_days), period.start),
        confirmed_at=moment if status == BookingStatus.CONFIRMED else None, series=series,
    )


def _insert_occurrences(series: Series, plan: Plan, status: str, actor, moment) -> list[Booking]:
    """Bulk-insert the plan's periods as occurrences with their rule results and audit entries: a constant number
    of queries."""
    tariffs = list(series.room.tariffs.all())
    decision_days = RuleSettings.current().decision_days  # once, not once per occurrence
    bookings = Booking.objects.bulk_create([
        _booking_for(series, p, status, moment, tariffs, decision_days, results)
        for p, results in zip(plan.periods, plan.results, strict=True)])
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
    title = bounds.check_text(title, field="title")
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
                    end_time=end_time, first_date=first_date, until=until, guests=guests, title=title,
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
                    _insert_occurrences(series, plan, status, booker, moment)
                audit(actor=booker, action="series.created", obj=series, to_status=series.status,
                      data={"occurrences": len(plan.periods), "skipped": len(plan.skips)})
                series_id = series.pk
                notifications.series_requested(series_id)
                return series
        except IntegrityError as exc:
            if "booking_no_overlap" not in str(exc) or attempt == 2:
                if "booking_no_overlap" in str(exc):
                    raise SlotTaken(detail="De zaal werd tijdens het aanvragen bezet; probeer het opnieuw.") from exc
                raise
    raise AssertionError("unreachable")


def _require_volunteer(user, series: Series) -> None:
    if not access.can_manage_house(user, series.house_id):
        raise NotAllowed(detail="Alleen het bestuur van dit huis kan dit doen.")


def _require_may_change(user, series: Series) -> None:
    if not access.can_change_series(user, series):
        raise NotAllowed(detail="Alleen de aanvrager of het bestuur kan deze reeks wijzigen.")


def series_approve(*, series: Series, actor, reason: str = "", exclude_dates: list[dt.date] | None = None) -> Series:
    """Approve a requested series: its requested occurrences are confirmed. The rules run again at decision time
    (`rules.evaluate_many`, judged against the moment of the request): a date a closure, a change of opening
    hours or anything else now stops is cancelled and kept as a skip with that reason; an inactive room refuses
    the whole approval. `exclude_dates` are dates the board does not approve: each becomes a skip "not approved
    by the board". A request whose dates all expired cannot be approved any more."""
    _require_volunteer(actor, series)
    reason = bounds.check_text(reason, field="reason")
    excluded = set(exclude_dates or [])
    with transaction.atomic():
        locked = lock_series(series)
        if refusal := states.series_decide_refusal(locked):
            raise refusal
        pending = list(locked.occurrences.select_for_update(of=("self",)).filter(status=BookingStatus.REQUESTED)
                       .select_related("room__house").order_by("start"))
        if not pending:
            raise InvalidTransition(detail="Deze aanvraag is verlopen: er is niet op tijd over beslist. "
                                           "De vereniging kan de reeks opnieuw aanvragen.")
        locked.decided_at, locked.decided_by, locked.decision_reason = now(), actor, reason
        results = rules.evaluate_many_for_decision(pending)
        skips = []
        for booking, result in zip(pending, results, strict=True):
            failed = rules.failures(result)
            whole = next((r for r in failed if r.rule in WHOLE_SERIES_RULES), None)
            if whole is not None:
                raise RuleViolation(whole.rule, whole.message, [r.as_dict() for r in result])
            day = local(booking.start).date()
            if failed or day in excluded:
                skip = _skip_for(day, failed) if failed else Skip(day, SkipReason.NOT_APPROVED,
                                                                   "Niet goedgekeurd door het bestuur.")
                booking.cancelled_at = locked.decided_at
                transition(booking, BookingStatus.CANCELLED, actor=actor, reason=skip.detail,
                           action="booking.cancelled", data={"series": locked.pk, "scope": skip.reason})
                skips.append(SeriesSkip(series=locked, date=day, reason=skip.reason, detail=skip.detail[:300]))
                continue
            booking.decided_at, booking.decided_by, booking.confirmed_at = locked.decided_at, actor, locked.decided_at
            booking.rule_results = [r.as_dict() for r in result]
            transition(booking, BookingStatus.CONFIRMED, actor=actor, reason=reason, action="booking.approved")
        if len(skips) == len(pending):
            raise InvalidInput("no_dates", "Dan blijft er geen enkele datum over; wijs de aanvraag af.",
                               rules=[{"date": s.date.isoformat(), "reason": s.reason, "detail": s.detail}
                                      for s in skips])
        SeriesSkip.objects.filter(series=locked, date__in=[s.date for s in skips]).delete()
        SeriesSkip.objects.bulk_create(skips)
        series_transition(locked, SeriesStatus.APPROVED, actor=actor, reason=reason, action="series.approved",
                          data={"excluded": sorted(d.isoformat() for d in excluded)} if excluded else None)
        series_id = locked.pk
        notifications.series_decided(series_id)
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
            if (not states.series_can_decide(locked)
                    or locked.occurrences.filter(status=BookingStatus.REQUESTED).exists()):
                continue  # decided or changed meanwhile
            series_transition(locked, SeriesStatus.EXPIRED, actor=None, action="series.expired",
                              reason="Niet op tijd beslist")
            notifications.series_decided(pk)
            expired.append(locked)
    return expired


def series_reject(*, series: Series, actor, reason: str) -> Series:
    _require_volunteer(actor, series)
    reason = bounds.check_text(reason, field="reason", required=True,
                               required_message="Geef een reden voor de afwijzing.")
    with transaction.atomic():
        locked = lock_series(series)
        if refusal := states.series_decide_refusal(locked):
            raise refusal
        locked.decided_at, locked.decided_by, locked.decision_reason = now(), actor, reason
        for booking in locked.occurrences.select_for_update(of=("self",)).filter(status=BookingStatus.REQUESTED):
            booking.decided_at, booking.decided_by, booking.decision_reason = locked.decided_at, actor, reason
            transition(booking, BookingStatus.REJECTED, actor=actor, reason=reason, action="booking.rejected")
        series_transition(locked, SeriesStatus.REJECTED, actor=actor, reason=reason, action="series.rejected")
        series_id = locked.pk
        notifications.series_decided(series_id)
        return locked


def series_cancel_targets(series: Series, from_date: dt.date | None = None, *, moment: dt.datetime | None = None):
    """The occurrences `series_cancel` cancels (and its confirmation page lists): held and not started, on or after
    `from_date` (local) when given; a queryset ordered by start."""
    moment = moment or now()
    start_from = max(local_midnight(from_date), moment) if from_date else moment
    return series.occurrences.filter(status__in=BookingStatus.HOLDING, start__gte=start_from).order_by("start")


def series_cancel(*, series: Series, actor, from_date: dt.date | None = None, reason: str = "") -> list[Booking]:
    """Cancel the occurrences on or after `from_date` ("this and all following"; default: every future one).
    Past and already started occurrences are never changed. Cancelling from the first future occurrence cancels
    the series itself; otherwise the series now ends the day before `from_date`."""
    _require_may_change(actor, series)
    reason = bounds.check_text(reason, field="reason")
    if from_date is not None:
        bounds.check_date(from_date, field="from_date")
    with transaction.atomic():
        locked = lock_series(series)
        if refusal := states.series_change_refusal(locked):
            raise refusal
        moment = now()
        start_from = max(local_midnight(from_date), moment) if from_date else moment
        future = list(series_cancel_targets(locked, from_date, moment=moment).select_for_update(of=("self",)))
        remaining = locked.occurrences.filter(status__in=BookingStatus.HOLDING, start__lt=start_from,
                                              start__gte=moment).exists()
        for booking in future:
            booking.cancelled_at = moment
            transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason, action="booking.cancelled",
                       data={"series": locked.pk, "scope": "this_and_following"})
        if from_date is None or not remaining:
            series_transition(locked, SeriesStatus.CANCELLED, actor=actor, reason=reason, action="series.cancelled")
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
        notifications.series_cancelled(locked.pk, ids)
        return future


def _decided_for(actor, series: Series) -> bool:
    """Whether a change by `actor` to an approved `series` takes effect without the board: only when the actor
    is on the board (or the series is not approved yet, so the board will still decide it)."""
    return series.status != SeriesStatus.APPROVED or access.can_manage_house(actor, series.house_id)


def series_restore_date(*, series: Series, actor, date: dt.date) -> Booking:
    """Book a cancelled or skipped date of the series again, if the slot is still free (same rules as creation).
    On an approved series a date restored by the association is a new request for the board (it adds to what
    was approved); restored by the board it is confirmed at once."""
    _require_may_change(actor, series)
    bounds.check_date(date, field="date")
    with transaction.atomic():
        locked = lock_series(series)
        if refusal := states.series_change_refusal(locked):
            raise refusal
        dates = occurrences.occurrence_dates(locked.recurrence, locked.first_date, locked.start_time,
                                             locked.until, horizon_from=locked.first_date)
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
        immediate = _decided_for(actor, locked)
        status = (BookingStatus.CONFIRMED if locked.status == SeriesStatus.APPROVED and immediate
                  else BookingStatus.REQUESTED)
        try:
            with transaction.atomic():
                (booking,) = _insert_occurrences(locked, plan, status, actor, now())
        except IntegrityError as exc:
            raise SlotTaken(detail="De zaal is zojuist bezet.") from exc
        SeriesSkip.objects.filter(series=locked, date=date).delete()
        audit(actor=actor, action="series.date_restored", obj=locked,
              data={"date": date.isoformat(), "status": status, "needs_decision": status == BookingStatus.REQUESTED})
        if status == BookingStatus.REQUESTED and locked.status == SeriesStatus.APPROVED:
            booking_id = booking.pk
            notifications.booking_requested(booking_id)
        return booking


def _widens(series: Series, start_time: dt.time, end_time: dt.time) -> bool:
    """Whether new times reach outside the approved ones (earlier start, later end, or across midnight anew)."""
    def span(start: dt.time, end: dt.time) -> tuple[int, int]:
        begin = start.hour * 60 + start.minute
        finish = end.hour * 60 + end.minute
        return begin, finish + (24 * 60 if finish <= begin else 0)

    old_start, old_end = span(series.start_time, series.end_time)
    new_start, new_end = span(start_time, end_time)
    return new_start < old_start or new_end > old_end


def series_split(*, series: Series, actor, from_date: dt.date, start_time: dt.time, end_time: dt.time,
                 reason: str = "") -> Series:
    """Change the time of "this and all following": the original series ends before `from_date`, a new series
    (pointing back to it) takes the same rule from `from_date` with the new times. Past occurrences are kept.

    Narrowing an approved series (times within the approved ones) takes effect at once. Widening it goes back to
    the board: done by the association, the new series is a request (its dates requested, decided as a whole);
    the audit says who changed what."""
    _require_may_change(actor, series)
    reason = bounds.check_text(reason, field="reason")
    bounds.check_date(from_date, field="from_date")
    if from_date < today():
        raise InvalidInput("date_in_past", "Alleen toekomstige datums kunnen worden gewijzigd.")
    with transaction.atomic():
        locked = lock_series(series)
        if refusal := states.series_change_refusal(locked):
            raise refusal
        old_dates = occurrences.occurrence_dates(locked.recurrence, locked.first_date, locked.start_time,
                                                 locked.until, horizon_from=locked.first_date)
        following = [d for d in old_dates if d >= from_date]
        if not following:
            raise InvalidInput("not_in_series", "Na deze datum heeft de reeks geen datums meer.")
        rule = occurrences.parse_rule(occurrences.rule_text(locked.recurrence))
        rule.rrules[0].count = None
        moment = now()
        approved = locked.status == SeriesStatus.APPROVED
        immediate = approved and (not _widens(locked, start_time, end_time) or _decided_for(actor, locked))
        new_status = SeriesStatus.APPROVED if immediate else SeriesStatus.REQUESTED
        # Past and already started occurrences are never changed (as in series_cancel).
        cancelled = [b.pk for b in locked.occurrences.filter(status__in=BookingStatus.HOLDING,
                                                             start__gte=max(local_midnight(from_date), moment))]
        for booking in locked.occurrences.select_for_update(of=("self",)).filter(pk__in=cancelled):
            booking.cancelled_at = moment
            transition(booking, BookingStatus.CANCELLED, actor=actor, reason=reason or "Tijd gewijzigd",
                       action="booking.cancelled", data={"series": locked.pk, "scope": "split"})
        # The new series starts on the first following date, not on `from_date`: an INTERVAL counts from DTSTART,
        # so a fortnightly series split from a week it skips would otherwise move to the other weeks.
        plan = series_plan(room=locked.room, kind=locked.kind, rrule=occurrences.rule_text(rule),
                           start_time=start_time, end_time=end_time, first_date=following[0], until=following[-1],
                           guests=locked.guests, exclude_series_id=locked.pk)
        if not plan.periods:
            raise InvalidInput("no_dates", "Geen enkele datum is met de nieuwe tijden te boeken.",
                               rules=[s.as_dict() for s in plan.skips])
        new = Series.objects.create(
            room=locked.room, house_id=locked.house_id, kind=locked.kind, recurrence=rule, start_time=start_time,
            end_time=end_time, first_date=following[0], until=following[-1], guests=locked.guests, title=locked.title,
            booker=locked.booker, booker_name=locked.booker_name, booker_email=locked.booker_email,
            booker_phone=locked.booker_phone, organisation=locked.organisation, parent=locked,
            status=new_status,
            # Decided by whoever decided it: the board that approved the original when the change narrows it (or
            # the board itself changes it); nobody yet when the change goes back to the board.
            decided_at=(moment if access.can_manage_house(actor, locked.house_id) else locked.decided_at)
            if immediate else None,
            decided_by=(actor if access.can_manage_house(actor, locked.house_id) else locked.decided_by)
            if immediate else None,
            created_at=moment, updated_at=moment)
        SeriesSkip.objects.bulk_create([SeriesSkip(series=new, date=s.date, reason=s.reason, detail=s.detail[:300])
                                        for s in plan.skips])
        # Those dates are the new series' now: its own skips say which of them cannot be booked.
        SeriesSkip.objects.filter(series=locked, date__gte=from_date).delete()
        status = BookingStatus.CONFIRMED if new_status == SeriesStatus.APPROVED else BookingStatus.REQUESTED
        try:
            with transaction.atomic():
                _insert_occurrences(new, plan, status, actor, moment)
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
              data={"from_date": from_date.isoformat(), "new_series": new.pk, "new_status": new_status,
                    "widens": _widens(locked, start_time, end_time),
                    "start_time": start_time.isoformat(), "end_time": end_time.isoformat()})
        audit(actor=actor, action="series.created", obj=new, to_status=new_status,
              data={"split_from": locked.pk, "occurrences": len(plan.periods), "skipped": len(plan.skips)})
        if new_status == SeriesStatus.REQUESTED and approved:
            new_id = new.pk
            notifications.series_requested(new_id)
        return new

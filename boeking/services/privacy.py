"""Erasing personal data (AVG/GDPR, SPEC §8): anonymising old bookings, deleting an account."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from boeking import access, privacy
from boeking.clock import now
from boeking.errors import InvalidInput, NotAllowed
from boeking.models import AuditEntry, Booking, BookingStatus, PaymentEntry, RuleSettings, Series, SeriesStatus

from .audit import audit


@dataclass
class AnonymiseReport:
    bookings: int = 0
    series: int = 0
    audit_entries: int = 0
    payments: int = 0


def _scrub_bookings(booking_ids: list[int], moment: dt.datetime) -> AnonymiseReport:
    """Blank the personal fields of these bookings and the free text tied to them (audit reasons, payment reasons);
    unlink the booker, also as the actor of their own audit entries. Amounts, dates, kind, guests stay."""
    report = AnonymiseReport()
    if not booking_ids:
        return report
    bookers = dict(Booking.objects.filter(pk__in=booking_ids).values_list("pk", "booker_id"))
    for booking_id, booker_id in bookers.items():
        if booker_id is not None:
            AuditEntry.objects.filter(booking_id=booking_id, actor_id=booker_id).update(actor=None)
    report.audit_entries = AuditEntry.objects.filter(booking_id__in=booking_ids).exclude(reason="").update(reason="")
    report.payments = PaymentEntry.objects.filter(booking_id__in=booking_ids).exclude(reason="").update(reason="")
    fields = {**dict.fromkeys(privacy.BOOKING_PERSONAL_BLANK, ""), "booker_name": privacy.ANONYMISED, "booker": None,
              "anonymised_at": moment}
    report.bookings = Booking.objects.filter(pk__in=booking_ids).update(**fields)
    return report


def _scrub_series(series_ids: list[int]) -> int:
    if not series_ids:
        return 0
    AuditEntry.objects.filter(object_type="series", object_id__in=[str(pk) for pk in series_ids]).exclude(
        reason="").update(reason="")
    for series in Series.objects.filter(pk__in=series_ids).only("pk", "booker_id"):
        if series.booker_id is not None:
            AuditEntry.objects.filter(object_type="series", object_id=str(series.pk),
                                      actor_id=series.booker_id).update(actor=None)
    blank = dict.fromkeys(privacy.SERIES_PERSONAL_BLANK, "")
    return Series.objects.filter(pk__in=series_ids).update(**blank, booker=None)


def anonymise_personal_data(*, at: dt.datetime | None = None, months: int | None = None) -> AnonymiseReport:
    """Anonymise every booking that ended more than `months` (default RuleSettings.anonymise_after_months)
    months ago, and series whose every occurrence did. Idempotent: done bookings carry `anonymised_at`."""
    moment = at or now()
    months = months if months is not None else RuleSettings.current().anonymise_after_months
    if months < 1:
        raise InvalidInput("invalid_setting", "Anonimiseren kan op zijn vroegst na 1 maand.")
    with transaction.atomic():
        ids = list(privacy.bookings_due(months, at=moment).select_for_update().values_list("pk", flat=True))
        report = _scrub_bookings(ids, moment)
        series_ids = list(privacy.series_due(months, at=moment).values_list("pk", flat=True))
        report.series = _scrub_series(series_ids)
        if report.bookings or report.series:
            audit(actor=None, action="privacy.anonymised",
                  data={"bookings": report.bookings, "series": report.series, "months": months,
                        "cutoff": privacy.anonymise_cutoff(months, at=moment).isoformat()})
    return report


@dataclass
class DeletionReport:
    cancelled: list[Booking] = field(default_factory=list)
    cancelled_series: list[int] = field(default_factory=list)
    anonymised: AnonymiseReport = field(default_factory=AnonymiseReport)

    @property
    def fees_cents(self) -> int:
        return sum(b.cancellation_fee_cents for b in self.cancelled)

    @property
    def refunds_cents(self) -> int:
        return sum(b.refunded_cents for b in self.cancelled)


def bookings_to_cancel(user):
    """What deleting `user`'s account cancels first: their bookings that still hold a slot and have not started
    (a request may be withdrawn at any time)."""
    return (Booking.objects.filter(booker=user, status__in=BookingStatus.HOLDING)
            .filter(Q(start__gt=now()) | Q(status=BookingStatus.REQUESTED)).order_by("start", "pk"))


def account_delete(*, user, actor, reason: str = "Account verwijderd") -> DeletionReport:
    """Delete `user`'s account (the user themself only; administrators cannot be deleted this way).

    First their future bookings are cancelled through `booking_cancel`, with the usual refund rules, and their
    series' future dates; then every booking and series of theirs is anonymised at once (amounts and dates stay);
    then the account, profile, tokens and memberships are removed.

    Each cancellation is its own transaction, before the deletion: a refund sent through Stripe is then always
    recorded with its booking. If one fails (Stripe unreachable), the ones before it stand, nothing is deleted,
    and trying again continues with the rest. The anonymising and the deletion are one transaction.
    """
    from .bookings import booking_cancel
    from .series import series_cancel

    if user is None or not user.is_authenticated or actor is None or actor.pk != user.pk:
        raise NotAllowed(detail="U kunt alleen uw eigen account verwijderen.")
    if not access.may_delete_own_account(user):
        raise NotAllowed("admin_account", "Een beheerdersaccount wordt door een andere beheerder verwijderd.")
    report = DeletionReport()
    for series in Series.objects.filter(booker=user, status__in=(SeriesStatus.REQUESTED, SeriesStatus.APPROVED)):
        series_cancel(series=series, actor=user, reason=reason)
        report.cancelled_series.append(series.pk)
    for booking in bookings_to_cancel(user):
        report.cancelled.append(booking_cancel(booking=booking, actor=user, reason=reason))
    with transaction.atomic():
        moment = now()
        ids = list(Booking.objects.filter(booker=user).values_list("pk", flat=True))
        report.anonymised = _scrub_bookings(ids, moment)
        report.anonymised.series = _scrub_series(list(Series.objects.filter(booker=user).values_list("pk", flat=True)))
        audit(actor=None, action="privacy.account_deleted",
              data={"bookings_cancelled": len(report.cancelled), "bookings_anonymised": report.anonymised.bookings,
                    "series_cancelled": len(report.cancelled_series)})
        user.delete()
    return report

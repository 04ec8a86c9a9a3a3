"""State changes through the services: allowed transitions work and are audited; forbidden ones change nothing."""

import datetime as dt

import pytest
from django.core import mail

from boeking import services
from boeking.clock import aware
from boeking.errors import CapReached, InvalidInput, InvalidTransition, NotAllowed, RuleViolation, SlotTaken
from boeking.models import AuditEntry, Booking, BookingStatus, CapRule, Melding
from tests.factories import BookingFactory, RoomFactory, UserFactory, local_dt

pytestmark = pytest.mark.django_db

SAT_EVENING = (local_dt(2027, 4, 3, 19), local_dt(2027, 4, 3, 23))


@pytest.fixture
def now_march(frozen_now):
    return frozen_now(local_dt(2027, 3, 1, 10))


@pytest.fixture
def requested(now_march, room):
    return BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])


def counts():
    return Booking.objects.count(), AuditEntry.objects.count(), Melding.objects.count()


# --- request --------------------------------------------------------------------------------------------------


def test_booking_request__creates_requested_booking_with_price_snapshot_and_audit(requested):
    assert requested.status == BookingStatus.REQUESTED
    # 4 hours at € 25 (the daypart tariff cannot cover 19:00–23:00) + € 50 deposit.
    assert requested.rental_cents == 10000
    assert requested.deposit_cents == 5000
    assert requested.total_cents == 15000
    assert [line["code"] for line in requested.price_lines] == ["rental_hours", "deposit"]
    assert requested.blocked_until == SAT_EVENING[1] + dt.timedelta(minutes=30)
    assert requested.local_year == 2027
    entry = AuditEntry.objects.get(booking=requested)
    assert (entry.action, entry.from_status, entry.to_status) == ("booking.requested", "", "requested")
    assert entry.actor == requested.booker


def test_booking_request__copies_booker_contact_data(requested):
    assert requested.booker_email == requested.booker.email
    assert requested.booker_phone == "06-12345678"
    assert requested.booker_postcode == "6221 AB"


def test_booking_request__mails_booker_and_volunteers_after_commit(now_march, room, django_capture_on_commit_callbacks):
    volunteer = UserFactory.volunteer(room.house)
    with django_capture_on_commit_callbacks(execute=True):
        booking = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([booking.booker_email, volunteer.email])
    assert "Aanvraag ontvangen" in mail.outbox[0].subject
    assert "za 3 april 2027, 19:00–23:00" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"end": SAT_EVENING[0] - dt.timedelta(hours=1)}, "end_before_start"),
        ({"end": SAT_EVENING[0]}, "end_before_start"),
        ({"kind": "bruiloft"}, "invalid_kind"),
        ({"guests": 0}, "invalid_guests"),
        ({"guests": -3}, "invalid_guests"),
        ({"guests": 81}, "guests"),
        ({"start": local_dt(2027, 4, 3, 6), "end": local_dt(2027, 4, 3, 7)}, "opening_hours"),
        ({"kind": "association"}, "booker_role"),
    ],
)
def test_booking_request__bad_input__coded_error_and_nothing_written(now_march, room, change, code):
    resident = UserFactory.resident()
    before = counts()
    kwargs = {"booker": resident, "room": room, "kind": "party", "start": SAT_EVENING[0], "end": SAT_EVENING[1],
              "guests": 40}
    kwargs.update(change)
    with pytest.raises((InvalidInput, RuleViolation)) as info:
        services.booking_request(**kwargs)
    assert info.value.code == code
    assert info.value.http_status == 400
    assert counts() == before


def test_booking_request__time_in_spring_dst_gap__rejected_before_anything_is_written(now_march, room):
    before = counts()
    with pytest.raises(InvalidInput) as info:
        start = aware(dt.datetime(2027, 3, 28, 2, 30))  # the clocks jump from 02:00 to 03:00
        services.booking_request(booker=UserFactory.resident(), room=room, kind="association",
                                 start=start, end=start + dt.timedelta(hours=2), guests=10)
    assert info.value.code == "nonexistent_local_time"
    assert counts() == before


def test_booking_request__in_a_closure__refused(now_march, room, admin_user):
    services.closure_create(actor=admin_user, house=room.house, start=local_dt(2027, 4, 1), end=local_dt(2027, 4, 6),
                            reason="Paasvakantie")
    before = counts()
    with pytest.raises(RuleViolation) as info:
        BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    assert info.value.code == "closure"
    assert "Paasvakantie" in info.value.detail
    assert counts()[0] == before[0]


def test_booking_request__association_booking_private_kind__refused(now_march, room):
    with pytest.raises(RuleViolation) as info:
        BookingFactory.requested(room=room, booker=UserFactory.association(), start=SAT_EVENING[0],
                                 end=SAT_EVENING[1])
    assert info.value.code == "booker_role"
    assert Booking.objects.count() == 0


def test_booking_request__slot_taken__409_and_nothing_written(requested, room):
    with pytest.raises(SlotTaken) as info:
        BookingFactory.requested(room=room, start=SAT_EVENING[0] + dt.timedelta(hours=1), end=SAT_EVENING[1])
    assert info.value.http_status == 409
    assert Booking.objects.count() == 1


def test_booking_request__cap_reached__refused_with_next_year_remaining(now_march, room):
    CapRule.objects.create(kind="party", house=room.house, cap=1, reason="horeca in de buurt")
    BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    with pytest.raises(CapReached) as info:
        BookingFactory.requested(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    assert info.value.code == "cap_reached"
    assert "In 2028 zijn er nog 1 van 1 beschikbaar" in info.value.detail
    assert Booking.objects.count() == 1


def test_booking_request__volunteer_books_association_slot__confirmed_at_once_when_free(now_march, room):
    volunteer = UserFactory.volunteer(room.house)
    room.tariffs.filter(tier="other").delete()
    booking = services.booking_request(booker=volunteer, room=room, kind="community", start=SAT_EVENING[0],
                                       end=SAT_EVENING[1], guests=20, title="Buurtbingo")
    assert booking.status == BookingStatus.CONFIRMED
    assert list(AuditEntry.objects.filter(booking=booking).order_by("pk").values_list("to_status", flat=True)) == [
        "requested", "confirmed"]


# --- approve / reject ------------------------------------------------------------------------------------------


def test_booking_approve__approved_awaiting_payment_with_deadline_and_melding(requested, django_capture_on_commit_callbacks):
    volunteer = UserFactory.volunteer(requested.house)
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_approve(booking=requested, actor=volunteer)
    assert booking.status == BookingStatus.APPROVED
    assert booking.decided_by == volunteer
    assert booking.payment_deadline == local_dt(2027, 3, 8, 10)
    melding = Melding.objects.get(booking=booking)
    assert (melding.kind, melding.guests, melding.alcohol) == ("party", 40, True)
    entry = AuditEntry.objects.filter(booking=booking).latest("pk")
    assert (entry.from_status, entry.to_status, entry.actor) == ("requested", "approved", volunteer)
    melding_mail = next(m for m in mail.outbox if m.subject.startswith("Melding"))
    assert melding_mail.to == ["meldingen@gemeente.example"]
    for personal in (booking.booker_name, booking.booker_email, booking.booker_phone, booking.title):
        assert personal not in melding_mail.body
        assert personal not in melding_mail.subject


def test_booking_approve__koffietafel__no_melding(now_march, room):
    booking = BookingFactory.approved(room=room, kind="koffietafel", start=local_dt(2027, 3, 5, 13),
                                      end=local_dt(2027, 3, 5, 16))
    assert booking.status == BookingStatus.APPROVED
    assert not Melding.objects.exists()


def test_booking_approve__by_volunteer_of_another_house__not_allowed(requested):
    other = UserFactory.volunteer(RoomFactory().house)
    with pytest.raises(NotAllowed):
        services.booking_approve(booking=requested, actor=other)
    requested.refresh_from_db()
    assert requested.status == BookingStatus.REQUESTED


def test_booking_approve__by_the_booker__not_allowed(requested):
    with pytest.raises(NotAllowed):
        services.booking_approve(booking=requested, actor=requested.booker)


def test_booking_approve__refused_when_cap_reached_since_request(now_march, room):
    CapRule.objects.create(kind="party", house=room.house, cap=1, reason="horeca in de buurt")
    first = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    second = BookingFactory.requested(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))
    volunteer = UserFactory.volunteer(room.house)
    services.booking_approve(booking=first, actor=volunteer)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(CapReached):
        services.booking_approve(booking=second, actor=volunteer)
    second.refresh_from_db()
    assert second.status == BookingStatus.REQUESTED
    assert AuditEntry.objects.count() == audit_before
    assert Melding.objects.count() == 1


def test_booking_approve__lowered_cap_never_invalidates_approved_bookings(now_march, room):
    approved = BookingFactory.approved(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    services.cap_rule_set(actor=None, kind="party", house=room.house, cap=0, reason="horeca in de buurt")
    approved.refresh_from_db()
    assert approved.status == BookingStatus.APPROVED
    with pytest.raises(CapReached):
        BookingFactory.requested(room=room, start=local_dt(2027, 4, 10, 19), end=local_dt(2027, 4, 10, 23))


def test_booking_reject__needs_reason_and_records_it(requested):
    volunteer = UserFactory.volunteer(requested.house)
    with pytest.raises(InvalidInput) as info:
        services.booking_reject(booking=requested, actor=volunteer, reason="  ")
    assert info.value.code == "reason_required"
    booking = services.booking_reject(booking=requested, actor=volunteer, reason="Zaal in onderhoud")
    assert booking.status == BookingStatus.REJECTED
    assert AuditEntry.objects.filter(booking=booking, to_status="rejected", reason="Zaal in onderhoud").exists()


@pytest.mark.parametrize("final", ["rejected", "cancelled", "expired"])
def test_transitions__from_final_states__invalid_transition_and_nothing_changes(requested, frozen_now, final):
    volunteer = UserFactory.volunteer(requested.house)
    if final == "rejected":
        services.booking_reject(booking=requested, actor=volunteer, reason="Nee")
    elif final == "cancelled":
        services.booking_cancel(booking=requested, actor=requested.booker)
    else:
        frozen_now(requested.decision_deadline)
        services.booking_expire(booking=requested)
    audit_before = AuditEntry.objects.count()
    for call in (
        lambda: services.booking_approve(booking=requested, actor=volunteer),
        lambda: services.booking_reject(booking=requested, actor=volunteer, reason="x"),
        lambda: services.booking_cancel(booking=requested, actor=volunteer),
        lambda: services.booking_mark_paid(booking=requested, actor=volunteer),
    ):
        with pytest.raises(InvalidTransition) as info:
            call()
        assert info.value.code == "invalid_transition"
        assert info.value.http_status == 409
    requested.refresh_from_db()
    assert requested.status == final
    assert AuditEntry.objects.count() == audit_before


def test_transitions__table_is_the_only_source__confirmed_cannot_go_back_to_requested():
    assert BookingStatus.REQUESTED not in BookingStatus.TRANSITIONS[BookingStatus.CONFIRMED]
    assert BookingStatus.TRANSITIONS[BookingStatus.REJECTED] == frozenset()


def test_booking_mark_paid__requested_booking__invalid_transition(requested):
    volunteer = UserFactory.volunteer(requested.house)
    with pytest.raises(InvalidTransition):
        services.booking_mark_paid(booking=requested, actor=volunteer)


# --- pay, cancel, deposit, expire --------------------------------------------------------------------------------


def test_booking_mark_paid__confirms_and_records_full_payment(requested):
    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    booking = services.booking_mark_paid(booking=requested, actor=volunteer)
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.paid_cents == 15000
    assert booking.confirmed_at is not None


def test_booking_cancel__free_more_than_14_days_before__full_refund(requested):
    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    services.booking_mark_paid(booking=requested, actor=volunteer)
    booking = services.booking_cancel(booking=requested, actor=requested.booker, reason="Feest gaat niet door")
    assert booking.status == BookingStatus.CANCELLED
    assert (booking.cancellation_fee_cents, booking.refunded_cents) == (0, 15000)
    assert Melding.objects.get(booking=booking).withdrawn_at is not None


def test_booking_cancel__late_by_resident__rental_due_deposit_refunded(requested, frozen_now):
    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    services.booking_mark_paid(booking=requested, actor=volunteer)
    frozen_now(SAT_EVENING[0] - dt.timedelta(days=13))
    booking = services.booking_cancel(booking=requested, actor=requested.booker)
    assert (booking.cancellation_fee_cents, booking.refunded_cents) == (10000, 5000)


def test_booking_cancel__late_by_volunteer__full_refund(requested, frozen_now):
    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    services.booking_mark_paid(booking=requested, actor=volunteer)
    frozen_now(SAT_EVENING[0] - dt.timedelta(days=1))
    booking = services.booking_cancel(booking=requested, actor=volunteer, reason="Lekkage")
    assert (booking.cancellation_fee_cents, booking.refunded_cents) == (0, 15000)


def test_booking_cancel__already_cancelled__refused_before_any_refund_is_sent(requested, frozen_now, monkeypatch):
    """A late cancel keeps the fee; a second cancel (by the board: "full refund") must not send that fee back."""
    from boeking.services import payments as pay

    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    services.booking_mark_paid(booking=requested, actor=volunteer)
    frozen_now(SAT_EVENING[0] - dt.timedelta(days=13))
    services.booking_cancel(booking=requested, actor=requested.booker)
    refunds = []
    real_refund = pay.refund
    monkeypatch.setattr(pay, "refund", lambda **kw: refunds.append(kw) or real_refund(**kw))
    ledger = list(requested.payments.values_list("kind", "amount_cents"))

    with pytest.raises(InvalidTransition):
        services.booking_cancel(booking=requested, actor=volunteer, reason="Toch maar alles terug")

    assert refunds == []
    assert list(requested.payments.values_list("kind", "amount_cents")) == ledger


def test_booking_cancel__by_someone_else__not_allowed(requested):
    with pytest.raises(NotAllowed):
        services.booking_cancel(booking=requested, actor=UserFactory.resident())
    requested.refresh_from_db()
    assert requested.status == BookingStatus.REQUESTED


def test_booking_cancel__frees_the_slot(requested, room):
    services.booking_cancel(booking=requested, actor=requested.booker)
    again = BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1])
    assert again.status == BookingStatus.REQUESTED


def test_booking_refund_deposit__after_event_with_part_retained(requested, frozen_now):
    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    services.booking_mark_paid(booking=requested, actor=volunteer)
    with pytest.raises(InvalidTransition):
        services.booking_refund_deposit(booking=requested, actor=volunteer)  # not yet over
    frozen_now(SAT_EVENING[1] + dt.timedelta(days=1))
    with pytest.raises(InvalidInput) as info:
        services.booking_refund_deposit(booking=requested, actor=volunteer, retain_cents=2000)
    assert info.value.code == "reason_required"
    with pytest.raises(InvalidInput):
        services.booking_refund_deposit(booking=requested, actor=volunteer, retain_cents=6000, reason="te veel")
    booking = services.booking_refund_deposit(booking=requested, actor=volunteer, retain_cents=2000,
                                              reason="Gebroken glazen")
    assert (booking.deposit_retained_cents, booking.refunded_cents) == (2000, 3000)
    with pytest.raises(InvalidTransition):
        services.booking_refund_deposit(booking=requested, actor=volunteer)


def test_expire_overdue__undecided_request_expires_after_7_days_and_frees_slot(requested, room, frozen_now):
    frozen_now(local_dt(2027, 3, 8, 9, 59))
    assert services.expire_overdue() == []
    frozen_now(local_dt(2027, 3, 8, 10))
    expired = services.expire_overdue()
    assert [b.pk for b in expired] == [requested.pk]
    requested.refresh_from_db()
    assert requested.status == BookingStatus.EXPIRED
    assert AuditEntry.objects.filter(booking=requested, to_status="expired", actor=None).exists()
    assert BookingFactory.requested(room=room, start=SAT_EVENING[0], end=SAT_EVENING[1]).status == "requested"


def test_expire_overdue__unpaid_approval_expires_after_payment_deadline(requested, frozen_now):
    volunteer = UserFactory.volunteer(requested.house)
    services.booking_approve(booking=requested, actor=volunteer)
    requested.refresh_from_db()
    frozen_now(requested.payment_deadline - dt.timedelta(minutes=1))
    assert services.expire_overdue() == []
    frozen_now(requested.payment_deadline)
    assert [b.pk for b in services.expire_overdue()] == [requested.pk]
    requested.refresh_from_db()
    assert requested.status == BookingStatus.EXPIRED


def test_decision_deadline__never_after_the_start(frozen_now, room):
    frozen_now(local_dt(2027, 3, 1, 10))
    booking = BookingFactory.requested(room=room, kind="koffietafel", start=local_dt(2027, 3, 3, 10),
                                       end=local_dt(2027, 3, 3, 13))
    assert booking.decision_deadline == local_dt(2027, 3, 3, 10)


# --- configuration services -------------------------------------------------------------------------------------


def test_cap_rule_set__house_override_needs_reason_and_is_audited(db, room):
    with pytest.raises(InvalidInput) as info:
        services.cap_rule_set(actor=None, kind="party", house=room.house, cap=6)
    assert info.value.code == "reason_required"
    rule = services.cap_rule_set(actor=None, kind="party", house=room.house, cap=6, reason="horeca in de buurt")
    assert rule.cap == 6
    entry = AuditEntry.objects.get(action="cap_rule.set", object_id=str(rule.pk))
    assert entry.data["to"] == 6


def test_closure_create__end_before_start__refused(db, room, admin_user):
    with pytest.raises(InvalidInput):
        services.closure_create(actor=admin_user, house=room.house, start=local_dt(2027, 1, 2), end=local_dt(2027, 1, 1),
                                reason="x")


def test_booking_request__aware_time_in_spring_gap__rejected(now_march, room):
    from boeking.clock import TZ

    start = dt.datetime(2027, 3, 28, 2, 30, tzinfo=TZ)  # Python would quietly read this as 03:30
    with pytest.raises(InvalidInput) as info:
        services.booking_request(booker=UserFactory.volunteer(room.house), room=room, kind="association",
                                 start=start, end=start + dt.timedelta(hours=2), guests=10)
    assert info.value.code == "nonexistent_local_time"
    assert Booking.objects.count() == 0

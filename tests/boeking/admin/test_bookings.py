"""Bookings in the admin: actions that go through `boeking.services`, a change form that edits contact data only,
and read-only audit entries and meldingen."""

from __future__ import annotations

from boeking import services
from boeking.models import AuditEntry, Booking, BookingStatus, Melding
from tests.factories import BookingFactory, UserFactory, local_dt

from .helpers import PARTY_1, PARTY_2, form_post_data, message_texts, run_action, url

# --- actions ------------------------------------------------------------------------------------------------------


def test_booking_admin__approve__changes_status_through_service_and_audits(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, Booking, "approve", [booking])

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    entry = AuditEntry.objects.get(booking=booking, action="booking.approved")
    assert entry.from_status == BookingStatus.REQUESTED and entry.to_status == BookingStatus.APPROVED
    assert entry.actor.username == "admin"
    assert Melding.objects.filter(booking=booking).exists()
    assert "1 aanvraag goedgekeurd." in message_texts(response)


def test_booking_admin__approve__refused_when_cap_reached(admin_client, room):
    services.cap_rule_set(actor=None, kind="party", cap=1, house=room.house, reason="Café om de hoek")
    first = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])
    second = BookingFactory.requested(room=room, start=PARTY_2[0], end=PARTY_2[1])
    services.booking_approve(booking=first, actor=UserFactory.volunteer(room.house))

    response = run_action(admin_client, Booking, "approve", [second])

    second.refresh_from_db()
    assert second.status == BookingStatus.REQUESTED
    assert not AuditEntry.objects.filter(booking=second, action="booking.approved").exists()
    texts = message_texts(response)
    assert len(texts) == 1
    assert texts[0].startswith(f"#{second.pk}: cap_reached – ")
    assert "maximum van 1 feesten" in texts[0]


def test_booking_admin__approve__one_refusal_does_not_stop_the_others(admin_client, room):
    services.cap_rule_set(actor=None, kind="party", cap=1, house=room.house, reason="Café om de hoek")
    first = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])
    second = BookingFactory.requested(room=room, start=PARTY_2[0], end=PARTY_2[1])

    response = run_action(admin_client, Booking, "approve", [first, second])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.APPROVED, BookingStatus.REQUESTED)
    texts = message_texts(response)
    assert any(t.startswith(f"#{second.pk}: cap_reached") for t in texts)
    assert "1 aanvraag goedgekeurd." in texts


def test_booking_admin__approve__reports_invalid_transition(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, Booking, "approve", [booking])

    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    assert [t.split(" – ")[0] for t in message_texts(response)] == [f"#{booking.pk}: invalid_transition"]


def test_booking_admin__reject__needs_a_reason(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, Booking, "reject", [booking], reason="  ")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    assert any("reden" in t for t in message_texts(response))


def test_booking_admin__reject__with_reason(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, Booking, "reject", [booking], reason="Zaal is die avond voor onderhoud nodig")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.REJECTED
    assert booking.decision_reason == "Zaal is die avond voor onderhoud nodig"
    entry = AuditEntry.objects.get(booking=booking, action="booking.rejected")
    assert entry.reason == "Zaal is die avond voor onderhoud nodig"
    assert "1 aanvraag afgewezen." in message_texts(response)


def test_booking_admin__cancel(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])

    run_action(admin_client, Booking, "cancel", [booking], reason="Dubbel geboekt")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert AuditEntry.objects.get(booking=booking, action="booking.cancelled").reason == "Dubbel geboekt"
    assert booking.melding.withdrawn_at is not None


def test_booking_admin__mark_paid(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])
    assert booking.total_cents > 0

    run_action(admin_client, Booking, "mark_paid", [booking])

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.paid_cents == booking.total_cents
    assert AuditEntry.objects.filter(booking=booking, action="booking.paid").exists()


def test_booking_admin__expire_overdue(admin_client, room, clock):
    overdue = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])
    clock(local_dt(2027, 1, 12, 9))  # past the 7-day decision deadline
    fresh = BookingFactory.requested(room=room, start=PARTY_2[0], end=PARTY_2[1])

    response = run_action(admin_client, Booking, "expire_overdue", [fresh])

    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert overdue.status == BookingStatus.EXPIRED
    assert fresh.status == BookingStatus.REQUESTED
    assert AuditEntry.objects.filter(booking=overdue, action="booking.expired").exists()
    assert f"1 boeking verlopen: #{overdue.pk}." in message_texts(response)


# --- change form --------------------------------------------------------------------------------------------------


def test_booking_admin__status_and_money_are_not_editable(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])
    page = admin_client.get(url(Booking, "change", booking.pk))
    form = page.context["adminform"].form

    assert "status" not in form.fields
    assert not {"status", "total_cents", "rental_cents", "deposit_cents", "paid_cents", "price_lines",
                "rule_results", "room", "start", "end", "kind", "guests"} & set(form.fields)
    content = page.content.decode()
    assert 'name="status"' not in content
    assert "Huur 4 uur" in content or "Huur 1 dagdeel" in content  # price lines shown readably
    assert "De zaal is vrij." in content  # rule results shown readably

    data = form_post_data(page)
    data.update({"status": BookingStatus.CONFIRMED, "total_cents": "1", "title": "Verjaardag oma"})
    response = admin_client.post(url(Booking, "change", booking.pk), data)

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    assert booking.total_cents != 1
    assert booking.title == "Verjaardag oma"
    assert AuditEntry.objects.get(booking=booking, action="booking.edited").data == {"fields": ["title"]}


def test_booking_admin__no_adding_or_deleting(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    assert admin_client.get(url(Booking, "add")).status_code == 403
    assert admin_client.post(url(Booking, "delete", booking.pk), {"post": "yes"}).status_code == 403
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_booking_admin__audit_inline_is_read_only(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])
    page = admin_client.get(url(Booking, "change", booking.pk))

    (inline,) = page.context["inline_admin_formsets"]
    assert inline.formset.model is AuditEntry
    assert not inline.has_add_permission and not inline.has_change_permission and not inline.has_delete_permission
    assert len(inline.formset.forms) == 2  # requested, approved


# --- audit trail and meldingen: read-only --------------------------------------------------------------------------


def test_audit_entry_admin__refuses_add_change_delete(admin_client, one_of_each):
    entry = one_of_each[AuditEntry]
    before = (entry.action, entry.reason)

    view = admin_client.get(url(AuditEntry, "change", entry.pk))
    assert view.status_code == 200
    assert 'name="_save"' not in view.content.decode()
    assert admin_client.post(url(AuditEntry, "change", entry.pk), {"action": "x", "reason": "y"}).status_code == 403
    assert admin_client.get(url(AuditEntry, "delete", entry.pk)).status_code == 403
    assert admin_client.post(url(AuditEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(url(AuditEntry, "add")).status_code == 403

    entry.refresh_from_db()
    assert (entry.action, entry.reason) == before
    changelist = admin_client.get(url(AuditEntry, "changelist"))
    assert changelist.context["action_form"] is None  # not even "delete selected"


def test_audit_entry_admin__filter_by_action_and_search_by_object_id(admin_client, one_of_each, room):
    other = BookingFactory.requested(room=room, start=PARTY_2[0], end=PARTY_2[1])
    assert other.pk != one_of_each[Booking].pk

    by_action = admin_client.get(url(AuditEntry, "changelist"), {"action": "closure.created"})
    assert [e.action for e in by_action.context["cl"].result_list] == ["closure.created"]

    by_id = admin_client.get(url(AuditEntry, "changelist"), {"q": str(other.pk)})
    found = by_id.context["cl"].result_list
    assert ("booking", str(other.pk), "booking.requested") in {(e.object_type, e.object_id, e.action) for e in found}
    assert {e.object_id for e in found} == {str(other.pk)}


def test_melding_admin__read_only(admin_client, one_of_each):
    melding = one_of_each[Melding]

    assert admin_client.post(url(Melding, "change", melding.pk), {"guests": "3"}).status_code == 403
    assert admin_client.post(url(Melding, "delete", melding.pk), {"post": "yes"}).status_code == 403
    assert admin_client.get(url(Melding, "add")).status_code == 403
    melding.refresh_from_db()
    assert melding.guests == 40

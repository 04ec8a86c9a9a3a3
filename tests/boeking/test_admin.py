"""The Django admin: every model usable, and no change of state that bypasses `boeking.services`."""

from __future__ import annotations

import datetime as dt

import pytest
import recurrence
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse

from boeking import services
from boeking.clock import TZ
from boeking.models import (
    AuditEntry,
    Booking,
    BookingStatus,
    CapRule,
    Closure,
    District,
    Facility,
    House,
    Location,
    Melding,
    Membership,
    Neighbourhood,
    OpeningHours,
    PaymentEntry,
    PostcodeArea,
    Profile,
    Room,
    RuleSettings,
    Series,
    SeriesSkip,
    StripeEvent,
    Tariff,
)
from tests.factories import BookingFactory, FacilityFactory, RoomFactory, UserFactory, local_dt

User = get_user_model()

# Saturday evenings well within notice (14 days) and advance (365 days) of the frozen clock (4 January 2027).
PARTY_1 = (local_dt(2027, 3, 6, 19), local_dt(2027, 3, 6, 23))
PARTY_2 = (local_dt(2027, 3, 13, 19), local_dt(2027, 3, 13, 23))

ADMIN_MODELS = [
    District, Neighbourhood, PostcodeArea, House, OpeningHours, Location, Facility, Room, Tariff, Profile,
    Membership, CapRule, RuleSettings, Booking, AuditEntry, Closure, Melding, Series, SeriesSkip, PaymentEntry,
    StripeEvent, User,
]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_action(client, action: str, bookings, **extra):
    return client.post(url(Booking, "changelist"),
                       {"action": action, "_selected_action": [b.pk for b in bookings], **extra})


def form_post_data(response) -> dict:
    """What a browser would post back for an unchanged admin change form (main form and inline formsets)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    return data


@pytest.fixture
def clock(frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    return frozen_now


@pytest.fixture
def room(db, caps, clock):
    return RoomFactory()


@pytest.fixture
def one_of_each(room, clock):
    """One saved object of every model the admin shows, made the way the application makes them."""
    house = room.house
    volunteer = UserFactory.volunteer(house)
    facility = FacilityFactory()
    room.facilities.add(facility)
    postcode = PostcodeArea.objects.create(pc4="6221", neighbourhood=house.neighbourhood)
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1], approver=volunteer)
    closure = services.closure_create(actor=volunteer, house=house, start=local_dt(2027, 7, 1), end=local_dt(2027, 8, 1),
                                      reason="Zomersluiting")
    # A series made directly (its recurrence field as stored); the admin shows it and decides it with actions.
    series = Series.objects.create(
        room=room, house=house, kind="association", recurrence=recurrence.Recurrence(rrules=[recurrence.Rule(
            recurrence.WEEKLY, byday=[recurrence.TU])]), start_time=dt.time(19), end_time=dt.time(21),
        first_date=dt.date(2027, 2, 2), until=dt.date(2027, 3, 30), guests=20, title="Koorrepetitie",
        created_at=clock.current(), updated_at=clock.current())
    skip = SeriesSkip.objects.create(series=series, date=dt.date(2027, 3, 2), reason="closure", detail="Carnaval")
    return {
        District: house.neighbourhood.district,
        Neighbourhood: house.neighbourhood,
        PostcodeArea: postcode,
        House: house,
        OpeningHours: house.opening_hours.first(),
        Location: room.location,
        Facility: facility,
        Room: room,
        Tariff: room.tariffs.first(),
        Profile: volunteer.profile,
        Membership: volunteer.memberships.get(),
        CapRule: CapRule.objects.get(kind="party", house=None),
        RuleSettings: RuleSettings.current(),
        Booking: booking,
        AuditEntry: booking.audit_entries.first(),
        Closure: closure,
        Melding: booking.melding,
        Series: series,
        SeriesSkip: skip,
        # The ledger and Stripe events are written by the payment services; shown read-only here.
        PaymentEntry: PaymentEntry.objects.create(booking=booking, kind="charge", method="offline", amount_cents=17500,
                                                  reason="Contant betaald", at=clock.current(), actor=volunteer),
        StripeEvent: StripeEvent.objects.create(event_id="evt_123", type="payment_intent.succeeded",
                                                received_at=clock.current(), handled=True),
        User: volunteer,
    }


def test_admin__every_boeking_model_is_registered():
    boeking_models = set(apps.get_app_config("boeking").get_models())
    assert boeking_models <= set(admin.site._registry)
    assert boeking_models | {User} == set(ADMIN_MODELS)


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.model_name)
def test_admin__changelist_and_change_page_load(admin_client, one_of_each, model):
    obj = one_of_each[model]
    assert obj is not None and obj.pk is not None

    changelist = admin_client.get(url(model, "changelist"))
    assert changelist.status_code == 200
    assert changelist.context["cl"].result_count >= 1
    for term in ("1", "xyz"):  # search must not fail on a term that is no number
        assert admin_client.get(url(model, "changelist"), {"q": term}).status_code == 200

    change = admin_client.get(url(model, "change", obj.pk))
    assert change.status_code == 200

    model_admin = admin.site._registry[model]
    request = change.wsgi_request
    if model_admin.has_add_permission(request):
        assert admin_client.get(url(model, "add")).status_code == 200


def test_admin__user_change_page_has_profile_and_membership_inlines(admin_client, one_of_each):
    response = admin_client.get(url(User, "change", one_of_each[User].pk))
    inline_models = {inline.formset.model for inline in response.context["inline_admin_formsets"]}
    assert inline_models == {Profile, Membership}


# --- booking actions -------------------------------------------------------------------------------------------


def test_booking_admin__approve__changes_status_through_service_and_audits(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, "approve", [booking])

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

    response = run_action(admin_client, "approve", [second])

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

    response = run_action(admin_client, "approve", [first, second])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (BookingStatus.APPROVED, BookingStatus.REQUESTED)
    texts = message_texts(response)
    assert any(t.startswith(f"#{second.pk}: cap_reached") for t in texts)
    assert "1 aanvraag goedgekeurd." in texts


def test_booking_admin__approve__reports_invalid_transition(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, "approve", [booking])

    booking.refresh_from_db()
    assert booking.status == BookingStatus.APPROVED
    assert [t.split(" – ")[0] for t in message_texts(response)] == [f"#{booking.pk}: invalid_transition"]


def test_booking_admin__reject__needs_a_reason(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, "reject", [booking], reason="  ")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.REQUESTED
    assert any("reden" in t for t in message_texts(response))


def test_booking_admin__reject__with_reason(admin_client, room):
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])

    response = run_action(admin_client, "reject", [booking], reason="Zaal is die avond voor onderhoud nodig")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.REJECTED
    assert booking.decision_reason == "Zaal is die avond voor onderhoud nodig"
    entry = AuditEntry.objects.get(booking=booking, action="booking.rejected")
    assert entry.reason == "Zaal is die avond voor onderhoud nodig"
    assert "1 aanvraag afgewezen." in message_texts(response)


def test_booking_admin__cancel(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])

    run_action(admin_client, "cancel", [booking], reason="Dubbel geboekt")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert AuditEntry.objects.get(booking=booking, action="booking.cancelled").reason == "Dubbel geboekt"
    assert booking.melding.withdrawn_at is not None


def test_booking_admin__mark_paid(admin_client, room):
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])
    assert booking.total_cents > 0

    run_action(admin_client, "mark_paid", [booking])

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.paid_cents == booking.total_cents
    assert AuditEntry.objects.filter(booking=booking, action="booking.paid").exists()


def test_booking_admin__expire_overdue(admin_client, room, clock):
    overdue = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])
    clock(local_dt(2027, 1, 12, 9))  # past the 7-day decision deadline
    fresh = BookingFactory.requested(room=room, start=PARTY_2[0], end=PARTY_2[1])

    response = run_action(admin_client, "expire_overdue", [fresh])

    overdue.refresh_from_db()
    fresh.refresh_from_db()
    assert overdue.status == BookingStatus.EXPIRED
    assert fresh.status == BookingStatus.REQUESTED
    assert AuditEntry.objects.filter(booking=overdue, action="booking.expired").exists()
    assert f"1 boeking verlopen: #{overdue.pk}." in message_texts(response)


# --- booking change form ---------------------------------------------------------------------------------------


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


# --- read-only records -----------------------------------------------------------------------------------------


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


# --- configuration through the services ------------------------------------------------------------------------


def test_cap_rule_admin__override_without_reason_is_refused_in_the_form(admin_client, room):
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": ""})

    assert response.status_code == 200
    assert "reason" in response.context["adminform"].form.errors
    assert not CapRule.objects.filter(house=room.house).exists()


def test_cap_rule_admin__save_and_delete_go_through_the_services(admin_client, room):
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": "Horeca in de straat"})
    assert response.status_code == 302
    rule = CapRule.objects.get(kind="party", house=room.house)
    assert rule.cap == 3
    added = AuditEntry.objects.get(action="cap_rule.set", object_id=str(rule.pk))
    assert added.actor.username == "admin" and added.data["to"] == 3

    page = admin_client.get(url(CapRule, "change", rule.pk))
    assert {"kind", "house"}.isdisjoint(page.context["adminform"].form.fields)
    data = form_post_data(page)
    data["cap"] = "5"
    assert admin_client.post(url(CapRule, "change", rule.pk), data).status_code == 302
    rule.refresh_from_db()
    assert rule.cap == 5
    assert AuditEntry.objects.filter(action="cap_rule.set", object_id=str(rule.pk)).count() == 2

    assert admin_client.post(url(CapRule, "delete", rule.pk), {"post": "yes"}).status_code == 302
    assert not CapRule.objects.filter(pk=rule.pk).exists()
    assert AuditEntry.objects.filter(action="cap_rule.removed", object_id=str(rule.pk)).exists()


def test_rule_settings_admin__saves_only_changed_fields_through_the_service(admin_client, db):
    settings = RuleSettings.current()
    assert admin_client.get(url(RuleSettings, "add")).status_code == 403
    assert admin_client.post(url(RuleSettings, "delete", settings.pk), {"post": "yes"}).status_code == 403

    page = admin_client.get(url(RuleSettings, "change", settings.pk))
    data = form_post_data(page)
    data["max_advance_days"] = "300"
    response = admin_client.post(url(RuleSettings, "change", settings.pk), data)

    assert response.status_code == 302
    settings.refresh_from_db()
    assert settings.max_advance_days == 300
    entry = AuditEntry.objects.get(action="rule_settings.updated")
    assert entry.data == {"from": {"max_advance_days": "365"}, "to": {"max_advance_days": "300"}}


def test_closure_admin__create_and_delete_go_through_the_services(admin_client, room):
    response = admin_client.post(url(Closure, "add"), {
        "house": room.house.pk, "room": room.pk, "reason": "Schilderwerk",
        "start_0": "2027-02-01", "start_1": "08:00", "end_0": "2027-02-03", "end_1": "18:00",
    })

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.start == local_dt(2027, 2, 1, 8) and closure.start.astimezone(TZ).hour == 8
    assert AuditEntry.objects.filter(action="closure.created", object_id=str(closure.pk)).exists()
    assert admin_client.post(url(Closure, "change", closure.pk), {"reason": "x"}).status_code == 403

    assert admin_client.post(url(Closure, "delete", closure.pk), {"post": "yes"}).status_code == 302
    assert not Closure.objects.exists()
    assert AuditEntry.objects.filter(action="closure.deleted", object_id=str(closure.pk)).exists()


def test_closure_admin__room_of_another_house_is_refused(admin_client, room):
    other_room = RoomFactory()

    response = admin_client.post(url(Closure, "add"), {
        "house": room.house.pk, "room": other_room.pk, "reason": "Schilderwerk",
        "start_0": "2027-02-01", "start_1": "08:00", "end_0": "2027-02-03", "end_1": "18:00",
    })

    assert response.status_code == 200
    assert "room" in response.context["adminform"].form.errors
    assert not Closure.objects.exists()


def test_rule_settings_admin__first_save_creates_the_row_through_the_service(admin_client, db):
    assert not RuleSettings.objects.exists()
    page = admin_client.get(url(RuleSettings, "add"))
    data = form_post_data(page)
    data["decision_days"] = "5"

    assert admin_client.post(url(RuleSettings, "add"), data).status_code == 302

    settings = RuleSettings.objects.get()
    assert (settings.decision_days, settings.max_advance_days) == (5, 365)
    assert AuditEntry.objects.get(action="rule_settings.updated").data["to"] == {"decision_days": "5"}
    assert admin_client.get(url(RuleSettings, "add")).status_code == 403


def test_service_admin__unforeseen_domain_error_is_a_message_not_a_server_error(admin_client, room, monkeypatch):
    from boeking.errors import InvalidInput

    def refuse(**kwargs):
        raise InvalidInput("invalid_cap", "Zo niet.")

    monkeypatch.setattr(services, "cap_rule_set", refuse)
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": "Horeca in de straat"})

    assert response.status_code == 302
    assert message_texts(response) == ["invalid_cap – Zo niet."]
    assert not CapRule.objects.filter(house=room.house).exists()


def test_user_admin__add_user_with_profile_and_membership(admin_client, room):
    page = admin_client.get(url(User, "add"))
    data = form_post_data(page)
    data.update({
        "username": "penningmeester@example.org", "password1": "Zaalboek-2027!", "password2": "Zaalboek-2027!",
        "usable_password": "true",
        "profile-0-role": "volunteer", "profile-0-postcode": "6221 AB", "profile-0-language": "nl",
        "memberships-TOTAL_FORMS": "1", "memberships-0-house": room.house.pk, "memberships-0-role": "board",
    })

    response = admin_client.post(url(User, "add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="penningmeester@example.org")
    assert user.profile.role == "volunteer"
    assert list(user.memberships.values_list("house", flat=True)) == [room.house.pk]


def _series_request(room):
    from boeking.models import OpeningHours

    OpeningHours.objects.filter(house=room.house).delete()
    for weekday in range(7):
        OpeningHours.objects.create(house=room.house, weekday=weekday, opens=dt.time(8), closes=dt.time(23))
    return services.series_create(booker=UserFactory.association(), room=room, kind="association",
                                  rrule="FREQ=WEEKLY;BYDAY=TU", start_time=dt.time(19), end_time=dt.time(21),
                                  first_date=dt.date(2027, 2, 2), until=dt.date(2027, 3, 30), guests=20,
                                  title="Koorrepetitie")


def run_series_action(client, action: str, series, **extra):
    return client.post(url(Series, "changelist"), {"action": action, "_selected_action": [s.pk for s in series],
                                                   **extra})


def test_series_admin__approve__through_the_service_occurrences_confirmed(admin_client, room):
    series = _series_request(room)
    response = run_series_action(admin_client, "approve_series", [series])
    assert response.status_code == 302
    series.refresh_from_db()
    assert series.status == "approved"
    assert set(series.occurrences.values_list("status", flat=True)) == {BookingStatus.CONFIRMED}
    assert AuditEntry.objects.filter(action="series.approved", object_id=str(series.pk)).exists()


def test_series_admin__reject_without_reason__refused_and_nothing_changes(admin_client, room):
    series = _series_request(room)
    response = run_series_action(admin_client, "reject_series", [series])
    assert "reden" in " ".join(message_texts(response))
    series.refresh_from_db()
    assert series.status == "requested"
    response = run_series_action(admin_client, "reject_series", [series], reason="Zaal in onderhoud")
    series.refresh_from_db()
    assert (series.status, series.decision_reason) == ("rejected", "Zaal in onderhoud")


def test_series_admin__view_only_staff__no_decide_actions(client, room):
    from django.contrib.auth.models import Permission

    series = _series_request(room)
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_series"))
    client.force_login(staff)
    page = client.get(url(Series, "changelist"))
    assert page.status_code == 200
    assert b"approve_series" not in page.content
    run_series_action(client, "approve_series", [series])
    series.refresh_from_db()
    assert series.status == "requested"

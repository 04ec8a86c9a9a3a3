"""Caps, rule settings and closures in the admin: saved and deleted only through their services, so the admin
refuses what the API refuses, in the same words, and audits every change."""

from __future__ import annotations

import datetime as dt

import pytest

from boeking import services
from boeking.clock import TZ
from boeking.errors import DomainError, InvalidInput
from boeking.models import AuditEntry, CapRule, Closure, RuleSettings
from tests.factories import RoomFactory, local_dt

from .helpers import form_errors, form_post_data, message_texts, url


def refusal_of(call) -> str:
    """What the service says when it refuses `call()`."""
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.detail


def closure_form(in_room, **changes) -> dict:
    return {"house": in_room.house.pk, "room": in_room.pk, "reason": "Schilderwerk", "start_0": "2027-02-01",
            "start_1": "08:00", "end_0": "2027-02-03", "end_1": "18:00", **changes}


# --- caps ------------------------------------------------------------------------------------------------------


def test_cap_rule_admin__override_without_reason_is_refused_in_the_form(admin_client, admin_user, room):
    said = refusal_of(lambda: services.cap_rule_set(actor=admin_user, kind="party", cap=3, house=room.house, reason=""))

    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": ""})

    assert response.status_code == 200
    assert form_errors(response) == {"reason": [said]}
    assert not CapRule.objects.filter(house=room.house).exists()
    assert not AuditEntry.objects.filter(action="cap_rule.set").exists()


def test_cap_rule_admin__cap_over_the_bound_is_refused_in_the_form(admin_client, room):
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "1001",
                                                       "reason": "Horeca in de straat"})

    assert response.status_code == 200
    assert list(form_errors(response)) == ["cap"]
    assert not CapRule.objects.filter(house=room.house).exists()


def test_cap_rule_admin__save_and_delete_go_through_the_services(admin_client, room):
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": "Horeca in de straat"})
    assert response.status_code == 302
    rule = CapRule.objects.get(kind="party", house=room.house)
    assert rule.cap == 3
    added = AuditEntry.objects.get(action="cap_rule.set", object_id=str(rule.pk))  # one: the form's trial left none
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


def test_cap_rule_admin__adding_a_rule_that_exists_adds_a_version_from_today_as_the_service_does(admin_client, room):
    """Caps keep their history (issue 21): the earlier value stays for earlier dates; the same date sets it."""
    from boeking.clock import today

    default = CapRule.objects.get(kind="party", house=None)

    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": "", "cap": "7", "reason": ""})

    assert response.status_code == 302
    versions = list(CapRule.objects.filter(kind="party", house=None).order_by("effective_from")
                    .values_list("pk", "cap", "effective_from"))
    assert versions[0] == (default.pk, default.cap, default.effective_from) and versions[1][1:] == (7, today())
    entry = AuditEntry.objects.get(action="cap_rule.set", object_id=str(versions[1][0]))
    assert (entry.data["from"], entry.data["to"]) == (default.cap, 7)
    admin_client.post(url(CapRule, "add"), {"kind": "party", "house": "", "cap": "8", "reason": ""})
    assert CapRule.objects.get(pk=versions[1][0]).cap == 8 and CapRule.objects.filter(kind="party", house=None).count() == 2
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": "", "cap": "9", "reason": "",
                                                       "effective_from": "2000-01-02"})
    assert response.status_code == 200 and "terugwerkende kracht" in response.content.decode()


def test_cap_rule_admin__city_default_cannot_be_deleted__a_message_not_a_server_error(admin_client, admin_user, room):
    default = CapRule.objects.get(kind="party", house=None)
    override = services.cap_rule_set(actor=admin_user, kind="party", cap=3, house=room.house, reason="Horeca")

    response = admin_client.post(url(CapRule, "delete", default.pk), {"post": "yes"})

    assert response.status_code == 302
    assert [t.split(" – ")[0] for t in message_texts(response)] == ["default_cap_required"]
    admin_client.get(response.url)  # the message is shown

    # "Delete selected" is all or nothing: the override stays too.
    response = admin_client.post(url(CapRule, "changelist"), {"action": "delete_selected", "post": "yes",
                                                              "_selected_action": [default.pk, override.pk]})
    assert response.status_code == 302
    assert [t.split(" – ")[0] for t in message_texts(response)] == ["default_cap_required"]
    assert CapRule.objects.filter(pk__in=[default.pk, override.pk]).count() == 2
    assert not AuditEntry.objects.filter(action="cap_rule.removed").exists()


# --- rule settings ---------------------------------------------------------------------------------------------


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


def test_rule_settings_admin__combination_the_service_refuses_is_refused_in_the_form(admin_client, admin_user, db):
    settings = RuleSettings.current()
    said = refusal_of(lambda: services.rule_settings_update(
        actor=admin_user, changes={"koffietafel_earliest": dt.time(18), "koffietafel_latest": dt.time(9)}))
    page = admin_client.get(url(RuleSettings, "change", settings.pk))
    data = form_post_data(page)
    data.update({"koffietafel_earliest": "18:00", "koffietafel_latest": "09:00"})

    response = admin_client.post(url(RuleSettings, "change", settings.pk), data)

    assert response.status_code == 200
    assert form_errors(response) == {"__all__": [said]}
    assert response.context["adminform"].form["koffietafel_earliest"].value() == "18:00"  # the input stays
    settings.refresh_from_db()
    assert (settings.koffietafel_earliest, settings.koffietafel_latest) == (dt.time(9), dt.time(18))
    assert not AuditEntry.objects.filter(action="rule_settings.updated").exists()


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


# --- closures --------------------------------------------------------------------------------------------------


def test_closure_admin__create_and_delete_go_through_the_services(admin_client, room):
    response = admin_client.post(url(Closure, "add"), closure_form(room))

    assert response.status_code == 302
    closure = Closure.objects.get()
    assert closure.start == local_dt(2027, 2, 1, 8) and closure.start.astimezone(TZ).hour == 8
    assert AuditEntry.objects.filter(action="closure.created", object_id=str(closure.pk)).count() == 1
    assert admin_client.post(url(Closure, "change", closure.pk), {"reason": "x"}).status_code == 403

    assert admin_client.post(url(Closure, "delete", closure.pk), {"post": "yes"}).status_code == 302
    assert not Closure.objects.exists()
    assert AuditEntry.objects.filter(action="closure.deleted", object_id=str(closure.pk)).exists()


def test_closure_admin__room_of_another_house_is_refused(admin_client, admin_user, room):
    other_room = RoomFactory()
    said = refusal_of(lambda: services.closure_create(actor=admin_user, house=room.house, room=other_room,
                                                      start=local_dt(2027, 2, 1, 8), end=local_dt(2027, 2, 3, 18),
                                                      reason="Schilderwerk"))

    response = admin_client.post(url(Closure, "add"), closure_form(room, room=other_room.pk))

    assert response.status_code == 200
    assert form_errors(response) == {"room": [said]}
    assert not Closure.objects.exists()


def test_closure_admin__end_before_start_is_refused_as_the_service_words_it(admin_client, admin_user, room):
    said = refusal_of(lambda: services.closure_create(actor=admin_user, house=room.house, room=room,
                                                      start=local_dt(2027, 2, 3, 18), end=local_dt(2027, 2, 1, 8),
                                                      reason="Schilderwerk"))

    response = admin_client.post(url(Closure, "add"), closure_form(room, start_0="2027-02-03", start_1="18:00",
                                                                   end_0="2027-02-01", end_1="08:00"))

    assert response.status_code == 200
    assert form_errors(response) == {"end": [said]}
    assert not Closure.objects.exists()
    assert not AuditEntry.objects.filter(action="closure.created").exists()


# --- refusals the form could not foresee -----------------------------------------------------------------------


def test_service_admin__any_refusal_of_the_service_shows_in_the_form(admin_client, room, monkeypatch):
    def refuse(**kwargs):
        raise InvalidInput("invalid_cap", "Zo niet.")

    monkeypatch.setattr(services, "cap_rule_set", refuse)
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": "Horeca in de straat"})

    assert response.status_code == 200
    assert form_errors(response) == {"cap": ["Zo niet."]}
    assert not CapRule.objects.filter(house=room.house).exists()


def test_service_admin__refusal_only_at_the_real_save_is_a_message_not_a_server_error(admin_client, room, monkeypatch):
    real, calls = services.cap_rule_set, []

    def refuse_the_second_time(**kwargs):  # the form's trial passes; meanwhile something changed
        calls.append(kwargs)
        if len(calls) > 1:
            raise InvalidInput("invalid_cap", "Zo niet.")
        return real(**kwargs)

    monkeypatch.setattr(services, "cap_rule_set", refuse_the_second_time)
    response = admin_client.post(url(CapRule, "add"), {"kind": "party", "house": room.house.pk, "cap": "3",
                                                       "reason": "Horeca in de straat"})

    assert response.status_code == 302
    assert message_texts(response) == ["invalid_cap – Zo niet."]
    assert not CapRule.objects.filter(house=room.house).exists()
    assert not AuditEntry.objects.filter(action="cap_rule.set").exists()

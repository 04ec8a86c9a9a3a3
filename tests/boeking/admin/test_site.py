"""`boeking.admin` as a whole: every model registered and usable; labels from the models, and the few the models
do not have."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result, result_headers
from django.contrib.auth import get_user_model
from django.utils.html import strip_tags

from boeking.models import (
    AuditEntry,
    AutoApproval,
    Booking,
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
    RoomDay,
    RoomVersion,
    RuleSettings,
    Series,
    SeriesSkip,
    StripeEvent,
    Tariff,
)
from tests.factories import RoomFactory

from .helpers import url

User = get_user_model()

ADMIN_MODELS = [
    District, Neighbourhood, PostcodeArea, House, OpeningHours, Location, Facility, Room, Tariff, Profile,
    Membership, CapRule, RuleSettings, Booking, AuditEntry, Closure, Melding, Series, SeriesSkip, PaymentEntry,
    StripeEvent, AutoApproval, User,
]


# Derived data the database and the search write, with nothing in it for a person to read or change: the search's
# kept verdicts per room and day and the rooms' availability versions (boeking.search).
DERIVED = {RoomDay, RoomVersion}


def test_admin__every_boeking_model_is_registered():
    boeking_models = set(apps.get_app_config("boeking").get_models()) - DERIVED
    assert boeking_models <= set(admin.site._registry)
    assert not DERIVED & set(admin.site._registry)
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


def _readonly_labels(response) -> dict[str, str]:
    """Label → shown value of the read-only fields on a change page."""
    return {str(field.field["label"]): str(field.contents())
            for fieldset in response.context["adminform"] for line in fieldset for field in line if field.is_readonly}


def test_admin__labels_the_models_do_not_have_are_kept(admin_client, one_of_each):
    booking = one_of_each[Booking]
    shown = _readonly_labels(admin_client.get(url(Booking, "change", booking.pk)))

    assert shown["account"] == str(booking.booker)  # next to the applicant's name and e-mail
    assert shown["telt mee in jaar"] == "2027"  # `local_year` has no verbose name
    assert shown["totaal"] == "€ 150,00"  # amounts in euros, not "(cent)"
    assert shown["reeks"] == "—"  # model label; empty shown as a dash
    assert "huis" in shown and "besloten op" in shown

    melding = _readonly_labels(admin_client.get(url(Melding, "change", one_of_each[Melding].pk)))
    assert "gemeld op" in melding and "aangemaakt op" not in melding


def test_admin__column_headers_and_filter_titles_come_from_the_models(admin_client, one_of_each):
    RoomFactory()  # a second house, so the house filter is shown
    cl = admin_client.get(url(Booking, "changelist")).context["cl"]

    headers = [strip_tags(str(h["text"])).strip() for h in result_headers(cl)][1:]  # after the selection box
    assert headers == ["ID", "begin", "zaal", "soort", "status", "aantal gasten", "naam", "totaal", "beslissen vóór"]
    assert [str(spec.title) for spec in cl.filter_specs] == ["status", "soort", "huis", "betaalwijze", "alcohol"]


def test_user_admin__role_column_shows_the_profile_role(admin_client, one_of_each):
    cl = admin_client.get(url(User, "changelist"), {"q": one_of_each[User].username}).context["cl"]

    assert strip_tags(str(list(result_headers(cl))[-1]["text"])).strip() == "rol"
    (row,) = [strip_tags(str(cell)) for cell in items_for_result(cl, cl.result_list[0], None)][-1:]
    assert row == "Bestuurslid"

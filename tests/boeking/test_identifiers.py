"""Identifiers (issue 16): Dutch postcodes and IBANs, checked and normalised by `boeking.identifiers` (python-stdnum)
at every door that takes one: the domain functions, the model fields (`full_clean`) and the admin forms. (No API
endpoint writes a postcode or an IBAN; the sign-up door calls `identifiers.normalise_postcode`.)"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from boeking import identifiers
from boeking.identifiers import InvalidIdentifier, normalise_iban, normalise_postcode
from boeking.models import Booking, House, Location, Profile
from boeking.services import payments as payment_services
from tests.boeking.admin.helpers import PARTY_1, form_errors, form_post_data, url
from tests.factories import BookingFactory, UserFactory, local_dt

# What people type (and paste), and what is stored.
POSTCODES_ACCEPTED = [
    ("6221 AB", "6221 AB"),
    ("6221AB", "6221 AB"),
    ("6221 ab", "6221 AB"),
    ("6221-AB", "6221 AB"),
    ("6221  AB", "6221 AB"),
    ("  6221 AB ", "6221 AB"),
    ("6221\u00a0AB", "6221 AB"),  # no-break space: was a 500 on PostgreSQL (8 characters)
    ("6221\u202fAB", "6221 AB"),  # narrow no-break space
    ("６２２１AB", "6221 AB"),  # full-width digits: were stored, then every quote refused the resident
    ("６２２１ ＡＢ", "6221 AB"),
    ("6221\u200bAB", "6221 AB"),  # a zero-width space pasted along
    ("NL-6221 AB", "6221 AB"),
]
POSTCODES_REFUSED = ["6221", "6221 A", "62210 AB", "0221 AB", "6221 SS", "6221 SA", "6221 SD", "AB 6221", "٦٢٢١AB",
                     "6221 ÄB", "postcode", "6221 AB x"]
IBANS_ACCEPTED = [
    ("NL91 ABNA 0417 1643 00", "NL91ABNA0417164300"),
    ("NL91ABNA0417164300", "NL91ABNA0417164300"),
    ("nl91 abna 0417 1643 00", "NL91ABNA0417164300"),
    ("NL91\u00a0ABNA\u00a00417\u00a01643\u00a000", "NL91ABNA0417164300"),
    ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),  # SEPA: a German account is an IBAN too
]
IBANS_REFUSED = ["NL91 ABNA 0417 1643 01", "XX00 1234", "NL91ABNA041716430", "NL00 ABNA 0417 1643 00", "1234567",
                 "NL91 ABNA 0417 1643 0O"]


# --- the domain functions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), POSTCODES_ACCEPTED)
def test_normalise_postcode__accepted_spellings__one_form(typed, stored):
    assert normalise_postcode(typed) == stored
    assert len(normalise_postcode(typed)) == 7


@pytest.mark.parametrize("typed", [*POSTCODES_REFUSED, "", "   "])
def test_normalise_postcode__not_a_postcode__invalid_postcode(typed):
    with pytest.raises(InvalidIdentifier) as info:
        normalise_postcode(typed)
    assert info.value.code == "invalid_postcode"
    assert info.value.http_status == 400


@pytest.mark.parametrize(("typed", "stored"), IBANS_ACCEPTED)
def test_normalise_iban__checked_and_in_electronic_format(typed, stored):
    assert normalise_iban(typed) == stored


@pytest.mark.parametrize("typed", [*IBANS_REFUSED, ""])
def test_normalise_iban__bad_check_digits_or_format__invalid_iban(typed):
    with pytest.raises(InvalidIdentifier) as info:
        normalise_iban(typed)
    assert info.value.code == "invalid_iban"


@pytest.mark.parametrize(("typed", "stored"), [("12345678", "12345678"), ("1234 5678", "12345678"),
                                               ("１２３４５６７８", "12345678"), ("1234.5678", "12345678")])
def test_normalise_kvk__eight_digits(typed, stored):
    assert identifiers.normalise_kvk(typed) == stored


@pytest.mark.parametrize("typed", ["1234567", "123456789", "1234567a", ""])
def test_normalise_kvk__anything_else__invalid_kvk(typed):
    with pytest.raises(InvalidIdentifier) as info:
        identifiers.normalise_kvk(typed)
    assert info.value.code == "invalid_kvk"


@pytest.mark.parametrize(("typed", "stored"), [("NL004495445B01", "NL004495445B01"),
                                               ("nl 0044.95.445.B01", "NL004495445B01"), ("004495445B01", "NL004495445B01")])
def test_normalise_vat_number__checked_with_nl_prefix(typed, stored):
    assert identifiers.normalise_vat_number(typed) == stored


@pytest.mark.parametrize("typed", ["NL004495446B01", "NL004495445", "BE0123456789", ""])
def test_normalise_vat_number__bad_check_digit_or_format__invalid_vat(typed):
    with pytest.raises(InvalidIdentifier) as info:
        identifiers.normalise_vat_number(typed)
    assert info.value.code == "invalid_vat"


def test_format_iban__groups_of_four_for_people():
    assert identifiers.format_iban("NL91ABNA0417164300") == "NL91 ABNA 0417 1643 00"


# --- the model fields: full_clean normalises and refuses ----------------------------------------------------------


MODEL_DOORS = [
    (Location, "postcode", POSTCODES_ACCEPTED, POSTCODES_REFUSED),
    (Profile, "postcode", POSTCODES_ACCEPTED, POSTCODES_REFUSED),
    (Booking, "booker_postcode", POSTCODES_ACCEPTED, POSTCODES_REFUSED),
    (House, "bank_account", IBANS_ACCEPTED, IBANS_REFUSED),
]


@pytest.mark.parametrize(("model", "name", "accepted", "refused"), MODEL_DOORS,
                         ids=[f"{m.__name__}.{n}" for m, n, *_ in MODEL_DOORS])
def test_model_field__clean_normalises_accepted_and_refuses_the_rest(model, name, accepted, refused):
    field = model._meta.get_field(name)
    for typed, stored in accepted:
        assert field.clean(typed, None) == stored
    for typed in refused:
        with pytest.raises(ValidationError) as info:
            field.clean(typed, None)
        assert {e.code for e in info.value.error_list} & {"invalid_postcode", "invalid_iban"}, typed


def test_model_field__optional_ones_may_stay_empty():
    for model, name in ((Profile, "postcode"), (Booking, "booker_postcode"), (House, "bank_account")):
        assert model._meta.get_field(name).clean("", None) == ""
    with pytest.raises(ValidationError):
        Location._meta.get_field("postcode").clean("", None)


# --- the admin: every form that takes one -------------------------------------------------------------------------


@pytest.fixture
def house(room):
    return room.house


def _change(admin_client, obj, **changes):
    page = admin_client.get(url(type(obj), "change", obj.pk))
    data = form_post_data(page)
    data.update(changes)
    return admin_client.post(url(type(obj), "change", obj.pk), data)


@pytest.mark.parametrize(("typed", "stored"), IBANS_ACCEPTED[:4])
def test_admin_house__iban_stored_normalised(admin_client, house, typed, stored):
    response = _change(admin_client, house, bank_account=typed)
    assert response.status_code == 302, form_errors(response)
    house.refresh_from_db()
    assert house.bank_account == stored


@pytest.mark.parametrize("typed", ["NL91 ABNA 0417 1643 01", "XX00 1234"])
def test_admin_house__bad_iban_refused_nothing_saved(admin_client, house, typed):
    response = _change(admin_client, house, bank_account=typed)
    assert response.status_code == 200
    assert "bank_account" in form_errors(response)
    house.refresh_from_db()
    assert house.bank_account == ""


@pytest.mark.parametrize(("typed", "stored"), POSTCODES_ACCEPTED)
def test_admin_location__postcode_stored_normalised(admin_client, room, typed, stored):
    response = _change(admin_client, room.location, postcode=typed)
    assert response.status_code == 302, form_errors(response)
    room.location.refresh_from_db()
    assert room.location.postcode == stored


def test_admin_house__location_inline_normalises_and_refuses(admin_client, house, room):
    page = admin_client.get(url(House, "change", house.pk))
    data = form_post_data(page)
    prefix = next(inline.formset.prefix for inline in page.context["inline_admin_formsets"]
                  if inline.formset.model is Location)
    data[f"{prefix}-0-postcode"] = "6221-ab"
    assert admin_client.post(url(House, "change", house.pk), data).status_code == 302
    room.location.refresh_from_db()
    assert room.location.postcode == "6221 AB"
    data[f"{prefix}-0-postcode"] = "6221"
    response = admin_client.post(url(House, "change", house.pk), data)
    assert response.status_code == 200
    assert any(f.errors.get("postcode") for inline in response.context["inline_admin_formsets"]
               for f in inline.formset.forms)
    room.location.refresh_from_db()
    assert room.location.postcode == "6221 AB"


@pytest.mark.parametrize(("typed", "stored"), [("６２２１AB", "6221 AB"), ("6221\u00a0ab", "6221 AB")])
def test_admin_profile__postcode_stored_normalised(admin_client, typed, stored):
    profile = UserFactory.resident().profile
    response = _change(admin_client, profile, postcode=typed)
    assert response.status_code == 302, form_errors(response)
    profile.refresh_from_db()
    assert profile.postcode == stored


@pytest.mark.parametrize("typed", ["6221", "6221 SS", "٦٢٢١AB"])
def test_admin_profile__not_a_postcode_refused(admin_client, typed):
    profile = UserFactory.resident().profile
    response = _change(admin_client, profile, postcode=typed)
    assert response.status_code == 200
    assert "postcode" in form_errors(response)
    profile.refresh_from_db()
    assert profile.postcode == "6221 AB"


def test_admin_booking__booker_postcode_normalised_and_refused(admin_client, room, frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    booking = BookingFactory.requested(room=room, start=PARTY_1[0], end=PARTY_1[1])
    response = _change(admin_client, booking, booker_postcode="6222vt")
    assert response.status_code == 302, form_errors(response)
    booking.refresh_from_db()
    assert booking.booker_postcode == "6222 VT"
    response = _change(admin_client, booking, booker_postcode="6222 V")
    assert "booker_postcode" in form_errors(response)
    booking.refresh_from_db()
    assert booking.booker_postcode == "6222 VT"


# --- where an IBAN is used: payment instructions ------------------------------------------------------------------


def test_offline_instructions__invalid_iban_stored_before_checks__never_printed(room, frozen_now, caplog):
    frozen_now(local_dt(2027, 1, 4, 9))
    House.objects.filter(pk=room.house_id).update(bank_account="NL91 ABNA 0417 1643 01")  # bad check digits
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])
    text = payment_services.offline_instructions(Booking.objects.select_related("house").get(pk=booking.pk), 15000)
    assert "NL91" not in text and "ter plaatse" in text
    assert "invalid IBAN" in caplog.text


def test_offline_instructions__valid_iban__printed_in_its_checked_form(room, frozen_now):
    frozen_now(local_dt(2027, 1, 4, 9))
    House.objects.filter(pk=room.house_id).update(bank_account="nl91 abna 0417 1643 00")
    booking = BookingFactory.approved(room=room, start=PARTY_1[0], end=PARTY_1[1])
    text = payment_services.offline_instructions(Booking.objects.select_related("house").get(pk=booking.pk), 15000)
    assert "naar NL91ABNA0417164300 ten name van" in text


@pytest.mark.parametrize("typed", ["6221\u00a0AB", "６２２１AB", "6221-ab", "6221  AB", "6221AB"])
def test_signup_page__postcodes_as_people_type_them__stored_as_6221_AB(client, db, caps, typed):
    # Issue 16, item 4, at the sign-up door: the same normalisation as the admin and the model.
    response = client.post("/aanmelden/", {"first_name": "Truus", "last_name": "Vrancken",
                                          "email": f"truus{abs(hash(typed))}@example.org", "postcode": typed,
                                          "password1": "een-lang-wachtwoord-2027", "adult": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    from boeking.models import Profile
    assert Profile.objects.get().postcode == "6221 AB"


def test_signup_page__not_a_postcode__refused_at_the_field_and_nothing_written(client, db, caps):
    from django.contrib.auth import get_user_model
    response = client.post("/aanmelden/", {"first_name": "Truus", "last_name": "Vrancken", "email": "t@example.org",
                                          "postcode": "XX00 1234", "password1": "een-lang-wachtwoord-2027",
                                          "adult": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors.get("postcode")
    assert not get_user_model().objects.exists()

"""Identifiers as the domain accepts them: Dutch postcodes and IBANs, checked and normalised with python-stdnum.

The one place that says what a postcode or an IBAN is. Every door that takes one (the admin and any ModelForm through
the model fields below, services through `normalise_*`) stores the normalised form, so the rest of the code (the
residents rule, payment instructions, iCal locations) never meets another spelling.

- **Postcode**, stored as `6221 AB`. Accepted: `6221 AB`, `6221AB`, `6221 ab`, `6221-AB`, `6221  AB`, `NL-6221 AB`,
  `6221<no-break space>AB`, full-width `６２２１AB`. Refused: `6221` (PC4 only), `0221 AB`, `62210 AB`, `6221 SA`/`SD`/`SS`
  (never issued), anything else.
- **KvK-nummer** (for invoices), 8 digits: `normalise_kvk`. **Btw-identificatienummer**, checked and written as
  `NL004495445B01`: `normalise_vat_number`. (Validators for forms: `validate_kvk`, `validate_vat_number`.)
- **IBAN**, stored in its electronic format `NL91ABNA0417164300` (shown to people in groups of four by `format_iban`).
  Accepted with any spacing and case. Refused: wrong check digits (`NL91 ABNA 0417 1643 01`), an unknown country or a
  wrong length for the country (`XX00 1234`).

Spaces of any kind (no-break, narrow, full-width) and full-width letters and digits are folded first (Unicode NFKC);
stdnum then removes the separators it knows (space, `-`) and checks the format and check digits. Whether a postcode lies
in the municipality is a rule (`boeking.rules`, `RuleSettings.postcode_in_municipality`), not part of its format.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import btw as stdnum_btw
from stdnum.nl import postcode as stdnum_postcode

from .errors import InvalidInput

POSTCODE_LENGTH = 7  # "6221 AB"
IBAN_LENGTH = 34  # the longest IBAN (ISO 13616), without spaces
INPUT_SLACK = 16  # typed input may carry separators and spaces that normalising removes

POSTCODE_MESSAGE = _("Vul een Nederlandse postcode in zoals 6221 AB.")
IBAN_MESSAGE = _("Vul een geldig IBAN in, zoals NL91 ABNA 0417 1643 00 (controleer de cijfers).")
KVK_MESSAGE = _("Vul een KvK-nummer van 8 cijfers in.")
VAT_MESSAGE = _("Vul een geldig btw-identificatienummer in, zoals NL004495445B01.")


class InvalidIdentifier(InvalidInput):
    """An identifier that is not what it claims to be (400, code `invalid_postcode` / `invalid_iban`)."""


def _fold(value: str) -> str:
    """Full-width and compatibility characters to their plain form, every kind of whitespace to a plain space,
    invisible format characters (zero-width space, a pasted byte-order mark) dropped."""
    folded = unicodedata.normalize("NFKC", str(value))
    return "".join(" " if ch.isspace() else ch for ch in folded if unicodedata.category(ch) != "Cf").strip()


def normalise_postcode(value: str) -> str:
    """A Dutch postcode as `1234 AB`; raises `InvalidIdentifier("invalid_postcode")` for anything else (an empty
    value too: callers with an optional postcode test for blank themselves)."""
    folded = _fold(value or "")
    if not folded.isascii():
        raise InvalidIdentifier("invalid_postcode", str(POSTCODE_MESSAGE))
    try:
        return stdnum_postcode.validate(folded)
    except StdnumError as exc:
        raise InvalidIdentifier("invalid_postcode", str(POSTCODE_MESSAGE)) from exc


def normalise_iban(value: str) -> str:
    """An IBAN in its electronic format (`NL91ABNA0417164300`: upper case, no spaces) after checking its country,
    length, structure and check digits; raises `InvalidIdentifier("invalid_iban")` otherwise."""
    folded = _fold(value or "")
    if not folded.isascii():
        raise InvalidIdentifier("invalid_iban", str(IBAN_MESSAGE))
    try:
        return stdnum_iban.validate(folded)
    except StdnumError as exc:
        raise InvalidIdentifier("invalid_iban", str(IBAN_MESSAGE)) from exc


def normalise_kvk(value: str) -> str:
    """A KvK number (Kamer van Koophandel): 8 digits, spaces and dots removed; `InvalidIdentifier("invalid_kvk")`."""
    digits = _fold(value or "").replace(" ", "").replace(".", "")
    if len(digits) != 8 or not (digits.isascii() and digits.isdigit()):
        raise InvalidIdentifier("invalid_kvk", str(KVK_MESSAGE))
    return digits


def normalise_vat_number(value: str) -> str:
    """A Dutch VAT identification number (btw-id), checked, as `NL004495445B01`; `InvalidIdentifier("invalid_vat")`."""
    folded = _fold(value or "")
    if not folded.isascii():
        raise InvalidIdentifier("invalid_vat", str(VAT_MESSAGE))
    try:
        return "NL" + stdnum_btw.validate(folded)
    except StdnumError as exc:
        raise InvalidIdentifier("invalid_vat", str(VAT_MESSAGE)) from exc


def format_iban(value: str) -> str:
    """An IBAN in groups of four for people to read (`NL91 ABNA 0417 1643 00`)."""
    return stdnum_iban.format(value)


def is_valid_iban(value: str) -> bool:
    try:
        normalise_iban(value)
    except InvalidIdentifier:
        return False
    return True


# --- Django validators, form fields and model fields -------------------------------------------------------------


def _validator(normalise, code: str):
    """A Django validator (forms, the admin, `full_clean`) that refuses what `normalise` refuses, with its message."""

    def validate(value: str) -> None:
        if value in (None, ""):
            return
        try:
            normalise(value)
        except InvalidIdentifier as exc:
            raise ValidationError(exc.detail, code=code) from exc

    validate.__name__ = f"validate_{code.removeprefix('invalid_')}"
    return validate


validate_postcode = _validator(normalise_postcode, "invalid_postcode")
validate_iban = _validator(normalise_iban, "invalid_iban")
validate_kvk = _validator(normalise_kvk, "invalid_kvk")
validate_vat_number = _validator(normalise_vat_number, "invalid_vat")


class _NormalisingFormField(forms.CharField):
    """A text input that stores the normalised form; an invalid value is left as typed for the validator to refuse
    (with the field's message)."""

    normalise = staticmethod(lambda value: value)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return type(self).normalise(value)
        except InvalidIdentifier:
            return value


class PostcodeFormField(_NormalisingFormField):
    normalise = staticmethod(normalise_postcode)


class IBANFormField(_NormalisingFormField):
    normalise = staticmethod(normalise_iban)


class _IdentifierField(models.CharField):
    """A CharField that holds one kind of identifier: `full_clean` and every ModelForm (the admin included)
    normalise what was typed and refuse what is not one. Direct ORM writes are not checked: services normalise."""

    default_max_length: int = 0
    form_class: type[forms.CharField] = forms.CharField
    normalise = staticmethod(lambda value: value)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in (None, ""):
            return value
        try:
            return type(self).normalise(value)
        except InvalidIdentifier:
            return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": self.form_class,
                                    "max_length": self.max_length + INPUT_SLACK, **kwargs})


class PostcodeField(_IdentifierField):
    """A Dutch postcode, stored as `1234 AB` (see the module's table)."""

    default_max_length = POSTCODE_LENGTH
    default_validators = [validate_postcode]
    form_class = PostcodeFormField
    normalise = staticmethod(normalise_postcode)


class IBANField(_IdentifierField):
    """An IBAN, stored in its electronic format (see the module's table)."""

    default_max_length = IBAN_LENGTH
    default_validators = [validate_iban]
    form_class = IBANFormField
    normalise = staticmethod(normalise_iban)


__all__ = ["IBANField", "InvalidIdentifier", "PostcodeField", "format_iban", "is_valid_iban", "normalise_iban",
           "normalise_kvk", "normalise_postcode", "normalise_vat_number", "validate_iban", "validate_kvk",
           "validate_postcode", "validate_vat_number"]

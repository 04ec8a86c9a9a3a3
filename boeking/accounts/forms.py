"""The account forms: a resident's sign-up (allauth's, plus name, postcode in the municipality, phone and the 18+
declaration) and the login form without placeholders (labels say what to fill in)."""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as mfa_totp_forms
from django import forms
from django.db import IntegrityError, transaction
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from boeking import identifiers
from boeking.models import RuleSettings

from .adapter import EMAIL_TAKEN
from .language import remember_language


def _plain(form: forms.Form) -> None:
    """Labels, not placeholders (WCAG: a placeholder is no label and vanishes while typing)."""
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mailadres")
        self.fields["login"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = _("Wachtwoord")
        self.fields["password"].help_text = ""  # the page has its own "Wachtwoord vergeten?" link
        if "remember" in self.fields:
            self.fields["remember"].label = _("Ingelogd blijven op dit apparaat")
        _plain(self)

    def login(self, request, redirect_url=None):
        """The password was right: from here on (the two-factor code page, the landing page) the pages speak the
        account holder's language (boeking.accounts.language)."""
        try:
            response = super().login(request, redirect_url=redirect_url)
        except ImmediateHttpResponse as stop:
            remember_language(request, stop.response, self.user)
            raise
        return remember_language(request, response, self.user)


class ResidentSignupForm(allauth_forms.SignupForm):
    """Sign-up of a resident (SPEC §2: a natural person, 18+, living in the municipality). The postcode is checked
    against the municipality's PC4 list (`RuleSettings.postcode_in_municipality`) here, not only at booking time."""

    first_name = forms.CharField(label=_("Voornaam"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Achternaam"), max_length=150, widget=forms.TextInput(
        attrs={"autocomplete": "family-name"}))
    # Normalised and checked by the domain (boeking.identifiers): '6221-ab' becomes '6221 AB'.
    postcode = identifiers.PostcodeFormField(label=_("Postcode"), max_length=23,
                                             validators=[identifiers.validate_postcode],
                                             help_text=_("Bijvoorbeeld 6221 AB."),
                                             widget=forms.TextInput(attrs={"autocomplete": "postal-code"}))
    phone = forms.CharField(label=_("Telefoon (optioneel)"), max_length=30, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    adult = forms.BooleanField(label=_("Ik verklaar dat ik 18 jaar of ouder ben."),
                               error_messages={"required": _("U moet 18 jaar of ouder zijn om een zaal te huren.")})

    field_order = ["first_name", "last_name", "email", "postcode", "phone", "password1", "adult"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mailadres")
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password1"].label = _("Wachtwoord")
        self.fields["password1"].help_text = _("Minstens 8 tekens; geen veelgebruikt wachtwoord.")
        self.order_fields(self.field_order)
        _plain(self)

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"]
        settings = RuleSettings.current()
        pc4 = "".join(ch for ch in postcode if ch.isdigit())[:4]
        if not settings.postcode_in_municipality(pc4):
            raise forms.ValidationError(
                _("Zaalboek is voor inwoners van de gemeente (postcodes %(postcodes)s). Woont u elders, dan kunt u "
                  "hier geen account aanmaken.") % {"postcodes": settings.resident_postcodes},
                code="postcode_outside_municipality")
        return postcode

    def try_save(self, request):
        """Save in one transaction; the loser of two parallel sign-ups with one address (the unique username decides)
        gets the same page as a sequential duplicate: the form with "already registered" at the e-mail field."""
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            from django.contrib.auth import get_user_model

            email = self.cleaned_data.get("email", "")
            if not get_user_model().objects.filter(username__iexact=email).exists():
                raise
            self.add_error("email", EMAIL_TAKEN)
            return None, render(request, "frontend/signup.html", {"form": self}, status=200)


def _code_field(form: forms.Form, label) -> None:
    field = form.fields["code"]
    field.label = label
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"})


class MFAAuthenticateForm(mfa_base_forms.AuthenticateForm):
    """The code step of a login: the app's code or a recovery code."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, _("Code uit uw app of herstelcode"))
        self.fields["code"].widget.attrs.pop("inputmode", None)  # recovery codes may hold letters


class ActivateTOTPForm(mfa_totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self, _("Code uit de app"))

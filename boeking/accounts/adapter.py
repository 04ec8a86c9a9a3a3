"""allauth adapted to Zaalboek: usernames are e-mail addresses, a sign-up makes a resident (profile with postcode and
18+ declaration, audited), each role lands on its own page after login, and allauth's mails go the way of every mail
(`boeking.notifications.account_mail`: the recipient's language, a task, sent once per job)."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from boeking import access
from boeking.models import Role

EMAIL_TAKEN = _("Er bestaat al een account met dit e-mailadres. Log in.")
TOO_MANY = _("U heeft dit in korte tijd te vaak geprobeerd. Wacht een paar minuten en probeer het dan opnieuw.")


def landing_url(user) -> str:
    """Where `user` works: the municipality `/gemeente/`, board members and admins `/bestuur/`, everyone else
    `/mijn/`."""
    role = access.role_of(user)
    if role == Role.MUNICIPALITY:
        return "/gemeente/"
    if role == Role.ADMIN or access.is_volunteer(user):
        return reverse("bestuur")
    return reverse("mijn")


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages, "email_taken": EMAIL_TAKEN,
                      "too_many_login_attempts": TOO_MANY}

    def pre_authenticate(self, request, **credentials) -> None:
        """allauth's `login_failed` limit; when it refuses, the login page answers 429 (frontend.account.LoginView)."""
        from django.core.exceptions import ValidationError

        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            request.zaalboek_rate_limited = True
            raise

    def authentication_failed(self, request, **credentials) -> None:
        if getattr(request, "zaalboek_locked_out", False):  # boeking.auth.LockoutBackend
            request.zaalboek_rate_limited = True

    def get_login_redirect_url(self, request) -> str:
        return landing_url(request.user)

    def get_signup_redirect_url(self, request) -> str:
        return reverse("account_email_verification_sent")

    def populate_username(self, request, user) -> None:
        user.username = (user.email or "").strip().lower()

    def clean_email(self, email: str) -> str:
        """The e-mail address is the username: at most 150 characters (the username column)."""
        from django import forms
        from django.contrib.auth import get_user_model

        from boeking.bounds import check_text
        from boeking.errors import InvalidInput

        limit = get_user_model()._meta.get_field("username").max_length
        try:
            check_text(email, field="e-mailadres", limit=limit, required=True)  # the domain's own wording
        except InvalidInput as exc:
            raise forms.ValidationError(exc.detail, code="invalid_email") from None
        return email

    def save_user(self, request, user, form, commit=True):
        """The account and the resident's profile, in one transaction with the audit entry (boeking.accounts.forms
        wraps it; a parallel sign-up with the same address loses on the unique username)."""
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from boeking.models import Profile
            from boeking.services.audit import audit

            data = form.cleaned_data
            Profile.objects.update_or_create(user=user, defaults={
                "role": Role.RESIDENT, "postcode": data["postcode"], "phone": data.get("phone", ""),
                "adult_declared": bool(data.get("adult")), "language": translation.get_language() or "nl"})
            audit(actor=user, action="account.created", obj=user, data={"role": Role.RESIDENT})
        return user

    def format_email_subject(self, subject: str) -> str:
        from boeking.notifications import account_subject

        return account_subject(subject)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Every allauth mail (verification, reset, address change, two-factor changes): boeking.notifications."""
        from boeking.notifications import account_mail

        account_mail(template_prefix, email, context)

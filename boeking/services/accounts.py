"""Accounts: a resident signs up (SPEC §2: a natural person, 18+, living in the municipality)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from boeking.models import Profile, Role

from .audit import audit


def resident_signup(*, email: str, password: str, first_name: str, last_name: str, postcode: str, phone: str = "",
                    adult_declared: bool, language: str = "nl"):
    """Create a resident's account and profile in one transaction, audited. The email is the username."""
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=email, email=email, password=password,
                                                    first_name=first_name, last_name=last_name)
        Profile.objects.update_or_create(user=user, defaults={
            "role": Role.RESIDENT, "postcode": postcode, "phone": phone, "adult_declared": adult_declared,
            "language": language})
        audit(actor=user, action="account.created", obj=user, data={"role": Role.RESIDENT})
    return user

"""Accounts: a resident signs up (SPEC §2: a natural person, 18+, living in the municipality), at most
`ZAALBOEK_SIGNUP_LIMIT` attempts per client address per `ZAALBOEK_SIGNUP_WINDOW` seconds (SPEC §8)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import IntegrityError, transaction

from boeking import identifiers
from boeking.bounds import check_text
from boeking.clock import now
from boeking.errors import InvalidInput
from boeking.models import Profile, Role

from .audit import audit

EMAIL_TAKEN = "Er bestaat al een account met dit e-mailadres. Log in."


def _check_email(email: str) -> None:
    """The email is the username: at most as long as the username column (150), which PostgreSQL enforces."""
    limit = get_user_model()._meta.get_field("username").max_length
    try:
        check_text(email, field="e-mailadres", limit=limit, required=True)
    except InvalidInput as exc:
        raise InvalidInput("invalid_email", exc.detail) from None


def _email_taken(email: str) -> bool:
    return get_user_model().objects.filter(username__iexact=email).exists()


def resident_signup(*, email: str, password: str, first_name: str, last_name: str, postcode: str, phone: str = "",
                    adult_declared: bool, language: str = "nl"):
    """Create a resident's account and profile in one transaction, audited. The email is the username.

    An address that already has an account is refused with `InvalidInput("email_taken")`, also when another sign-up
    with it commits between our check and our insert (the database's unique username decides; the loser gets the
    same answer as a sequential duplicate, not an IntegrityError). An address longer than a username may be is
    refused with `InvalidInput("invalid_email")`."""
    _check_email(email)
    postcode = identifiers.normalise_postcode(postcode)  # InvalidIdentifier("invalid_postcode"), 400
    if _email_taken(email):
        raise InvalidInput("email_taken", EMAIL_TAKEN)
    try:
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=email, email=email, password=password,
                                                        first_name=first_name, last_name=last_name)
            Profile.objects.update_or_create(user=user, defaults={
                "role": Role.RESIDENT, "postcode": postcode, "phone": phone, "adult_declared": adult_declared,
                "language": language})
            audit(actor=user, action="account.created", obj=user, data={"role": Role.RESIDENT})
    except IntegrityError:
        if _email_taken(email):
            raise InvalidInput("email_taken", EMAIL_TAKEN) from None
        raise
    return user


def _signup_limits() -> tuple[int, int]:
    return (getattr(settings, "ZAALBOEK_SIGNUP_LIMIT", 5), getattr(settings, "ZAALBOEK_SIGNUP_WINDOW", 60 * 60))


def signup_retry_after(ip: str) -> int | None:
    """Count one sign-up attempt from client address `ip` (`boeking.auth.client_ip`). None while the address has made
    at most `ZAALBOEK_SIGNUP_LIMIT` attempts in the current window of `ZAALBOEK_SIGNUP_WINDOW` seconds (5 an hour by
    default); after that, the seconds until the window ends. Every attempt counts, refused ones too: the limit
    also slows down probing which addresses have an account.

    Fixed windows in the default cache, which all app servers share in production (config/settings/production.py)."""
    limit, window = _signup_limits()
    moment = now().timestamp()
    index = int(moment // window)
    remaining = max(1, int((index + 1) * window - moment))
    digest = hashlib.sha256(ip.encode()).hexdigest()[:32]
    key = f"zaalboek:signup:{digest}:{index}"
    cache.add(key, 0, remaining)  # Redis: SET NX EX, atomic
    try:
        attempts = cache.incr(key)  # Redis: INCRBY, atomic: parallel attempts are all counted
    except ValueError:  # expired between add and incr
        cache.add(key, 0, remaining)
        attempts = cache.incr(key)
    cache.touch(key, remaining)  # a key INCRBY made anew, or a backend whose incr resets the timeout: the window's end
    return None if attempts <= limit else remaining

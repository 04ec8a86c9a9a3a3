"""Keeping the account layer consistent.

- A DRF `Token` row (`rest_framework.authtoken`: the API's token store before issue 17, still made by older scripts
  and tests) gets its `ApiToken` twin at once, so it works — and expires and is revoked — like any other token.
- The language a signed-in person picks (/taal/) is stored in their profile, for their mails (frontend.account).
- The username (the e-mail address) follows a verified change of address.
"""

from __future__ import annotations

from allauth.account.signals import email_changed
from django.db.models.signals import post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from .models import ApiToken, digest_of


@receiver(post_save, sender=Token, dispatch_uid="zaalboek-legacy-token")
def legacy_token_created(sender, instance: Token, created: bool, **kwargs) -> None:
    if created and not ApiToken.objects.filter(digest=digest_of(instance.key)).exists():
        ApiToken.issue(instance.user, name="API", key=instance.key)  # its idle time counts from now


@receiver(email_changed, dispatch_uid="zaalboek-username-follows-email")
def username_follows_email(sender, request, user, from_email_address, to_email_address, **kwargs) -> None:
    """The username is the e-mail address (sign-up, the services, the lockout): it follows a verified change."""
    from django.contrib.auth import get_user_model

    new = to_email_address.email.strip().lower()
    if user.username != new and not get_user_model().objects.filter(username__iexact=new).exclude(pk=user.pk).exists():
        get_user_model().objects.filter(pk=user.pk).update(username=new)
        user.username = new

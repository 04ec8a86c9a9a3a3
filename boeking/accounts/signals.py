"""Keeping the account layer consistent.

- A DRF `Token` row (`rest_framework.authtoken`: the API's token store before issue 17, still made by older scripts
  and tests) gets its `ApiToken` twin at once, so it works — and expires and is revoked — like any other token.
- The language a signed-in person picks (/taal/) is stored in their profile, for their mails (frontend.account).
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver
from rest_framework.authtoken.models import Token

from .models import ApiToken, digest_of


@receiver(post_save, sender=Token, dispatch_uid="zaalboek-legacy-token")
def legacy_token_created(sender, instance: Token, created: bool, **kwargs) -> None:
    if created and not ApiToken.objects.filter(digest=digest_of(instance.key)).exists():
        ApiToken.issue(instance.user, name="API", key=instance.key)  # its idle time counts from now

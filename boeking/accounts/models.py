"""API tokens with an idle lifetime.

A token is shown once (at `POST /api/v1/auth/token/`); only its SHA-256 digest is stored, with an 8-character prefix
to recognise it in a list. It stops working `ZAALBOEK_TOKEN_IDLE_DAYS` days (30 by default) after it was last used,
when its owner revokes it (`DELETE /api/v1/me/tokens/{id}/`), logs out everywhere, or the account is removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def idle_lifetime() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "ZAALBOEK_TOKEN_IDLE_DAYS", 30))


class ApiToken(models.Model):
    digest = models.CharField(_("sleutel (SHA-256)"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("begin van de sleutel"), max_length=8, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("gebruiker"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("naam"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("gemaakt"))
    last_used_at = models.DateTimeField(_("laatst gebruikt"))

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["-last_used_at"]
        indexes = [models.Index(fields=["user", "last_used_at"], name="accounts_token_user_used")]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def expires_at(self) -> dt.datetime:
        return self.last_used_at + idle_lifetime()

    def expired(self, at: dt.datetime) -> bool:
        return at >= self.expires_at

    @classmethod
    def issue(cls, user, *, name: str = "", key: str | None = None, at: dt.datetime | None = None
              ) -> tuple[ApiToken, str]:
        """A new token for `user`: (row, key). The key is returned this once and never stored."""
        from boeking.clock import now

        key = key or secrets.token_hex(20)
        moment = at or now()
        token = cls.objects.create(digest=digest_of(key), prefix=key[:8], user=user, name=name[:100],
                                   created_at=moment, last_used_at=moment)
        return token, key

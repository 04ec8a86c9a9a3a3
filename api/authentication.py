"""`Authorization: Token <key>` with an idle lifetime (issue 17): a token unused for `ZAALBOEK_TOKEN_IDLE_DAYS` days
(30 by default), revoked (`DELETE /api/v1/me/tokens/{id}/`) or ended by "log out everywhere" gets 401
`authentication_failed`. The tokens live in `boeking.accounts` (only their SHA-256 digest is stored)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


class ExpiringTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        from boeking.accounts import tokens

        token = tokens.authenticate(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Ongeldige, verlopen of ingetrokken sleutel.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("Dit account is niet actief.")
        return (token.user, token)

""""Mijn account" (/account/): the address and whether it is verified, password, two-factor, API tokens with
their lifetime (revoke one here), and links to the data download and account deletion (frontend.privacy)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from boeking import access

from . import tokens
from .middleware import has_totp, requires_mfa


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    from allauth.account.models import EmailAddress

    user = request.user
    address = EmailAddress.objects.filter(user=user, primary=True).first() or \
        EmailAddress.objects.filter(user=user).first()
    return render(request, "account/overview.html", {
        "address": address, "verified": not access.email_unverified(user),
        "has_totp": has_totp(user), "mfa_required": requires_mfa(user), "tokens": tokens.active(user),
        "may_delete": access.may_delete_own_account(user),
    })


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    if tokens.revoke(request.user, pk):
        messages.success(request, _("De API-sleutel is ingetrokken."))
    else:
        messages.error(request, _("Die API-sleutel bestaat niet (meer)."))
    return redirect("account")

"""Privacy pages (AVG/GDPR, SPEC §8): the privacy statement, and a signed-in user's own data: download it, delete
the account (with a confirmation step that shows which bookings will be cancelled and at what cost)."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from boeking import access, pricing, privacy
from boeking.clock import format_local, now
from boeking.errors import DomainError
from boeking.models import RuleSettings
from boeking.pricing import euro
from boeking.services.privacy import account_delete, bookings_to_cancel

from .gemeente import utrecht_widgets


def statement(request: HttpRequest) -> HttpResponse:
    """What Zaalboek stores, why, and for how long (public)."""
    settings = RuleSettings.current()
    return render(request, "privacy/statement.html", {"months": settings.anonymise_after_months,
                                                      "deleted": request.GET.get("verwijderd") == "1"})


@login_required
def my_data(request: HttpRequest) -> HttpResponse:
    """Your own data: what is stored, a JSON download and the way to delete the account."""
    data = privacy.personal_data(request.user)
    return render(request, "privacy/my_data.html", {"data": data, "bookings": len(data["bookings"]),
                                                    "series": len(data["series"])})


@login_required
def my_data_download(request: HttpRequest) -> HttpResponse:
    body = json.dumps(privacy.personal_data(request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="zaalboek-mijn-gegevens.json"'
    return response


class DeleteAccountForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Uw wachtwoord"), widget=forms.PasswordInput,
                               help_text=gettext_lazy("Ter bevestiging dat u het bent."))
    confirm = forms.BooleanField(label=gettext_lazy("Ik begrijp dat mijn account en gegevens worden verwijderd en "
                                                    "dat dit niet ongedaan kan worden."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        utrecht_widgets(self)

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Het wachtwoord klopt niet."), code="invalid_password")
        return password


def _cancellation_preview(user) -> list[dict]:
    """The bookings deletion cancels, with the terms `booking_cancel` will apply now."""
    settings = RuleSettings.current()
    items = []
    for booking in bookings_to_cancel(user).select_related("room__house"):
        terms = pricing.cancellation_terms(booking, at=now(), by_volunteer=False,
                                           free_days=settings.free_cancellation_days)
        items.append({"booking": booking, "when": format_local(booking.start), "fee": euro(terms.fee_cents),
                      "refund": euro(terms.refund_cents), "has_fee": terms.fee_cents > 0})
    return items


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    """Step 1 (GET): what will happen. Step 2 (POST with password and confirmation): cancel, anonymise, delete."""
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=user, actor=user)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            logout(request)
            return redirect("/privacy/?verwijderd=1")
    return render(request, "privacy/delete.html", {"form": form, "cancellations": _cancellation_preview(user),
                                                   "admin": not access.may_delete_own_account(user)})


urlpatterns = [
    path("privacy/", statement, name="privacy"),
    path("mijn/gegevens/", my_data, name="my-data"),
    path("mijn/gegevens/download/", my_data_download, name="my-data-download"),
    path("mijn/gegevens/verwijderen/", delete_account, name="delete-account"),
]

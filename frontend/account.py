"""A resident's pages: sign up, log in and out (allauth, issue 17), my bookings (/mijn/), one booking with pay and cancel."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boeking import access, pricing, services
from boeking.access import can_see_bookings
from boeking.auth import client_ip
from boeking.clock import local, now
from boeking.errors import DomainError
from boeking.models import Booking, BookingStatus, RuleSettings
from boeking.services import payments
from boeking.services.accounts import signup_retry_after

from .forms import CancelForm
from .helpers import api_path, booking_actions, price_rows, private_feed_url, rule_rows


class LoginView(allauth_views.LoginView):
    """Log in with e-mail address and password (allauth; a TOTP code next for accounts with two-factor). Each role
    lands where it works (boeking.accounts.adapter.landing_url) unless a safe `next` says otherwise."""

    template_name = "frontend/login.html"

    def form_invalid(self, form):
        """Too many attempts (allauth's `login_failed` limit or the lockout, boeking.auth): 429, the standard
        message on the form, not "wrong password"."""
        response = super().form_invalid(form)
        if getattr(self.request, "zaalboek_rate_limited", False):
            from boeking.accounts.adapter import TOO_MANY

            form.errors.clear()
            form.add_error(None, TOO_MANY)
            response.status_code = 429
        return response


class LogoutView(allauth_views.LogoutView):
    """GET: a confirmation page ("Uitloggen?"), POST: log out. With `overal=1` also everywhere: every other session
    of the account and every API token (boeking.accounts.tokens.revoke_all)."""

    def post(self, *args, **kwargs):
        user = self.request.user
        if user.is_authenticated and self.request.POST.get("overal"):
            from boeking.accounts.sessions import end_everywhere

            end_everywhere(self.request, user)
        return super().post(*args, **kwargs)


login_view = LoginView.as_view()
logout_view = LogoutView.as_view()


def signup(request: HttpRequest) -> HttpResponse:
    """Sign up as a resident (allauth's sign-up with boeking.accounts.forms.ResidentSignupForm; a verification mail
    follows). At most `ZAALBOEK_SIGNUP_LIMIT` attempts per client address per window (429 with the form, unchecked,
    and when to try again), on top of allauth's own `signup` rate limit; an address already registered gets the same
    answer whether it was registered long ago or a moment ago by a parallel sign-up."""
    if request.method == "POST" and not request.user.is_authenticated:
        retry_after = signup_retry_after(client_ip(request))
        if retry_after is not None:
            return _signup_limited(request, retry_after)
    if request.user.is_authenticated:
        return redirect("mijn")
    return _allauth_signup(request)


_allauth_signup = allauth_views.SignupView.as_view(template_name="frontend/signup.html")


def _signup_limited(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429: the form again with what was typed (not the password), not validated, so it tells nothing about the
    address; and when to try again."""
    from boeking.accounts.forms import ResidentSignupForm

    minutes = max(1, -(-retry_after // 60))
    messages.error(request, ngettext(
        "Er zijn vanaf uw internetadres te veel aanmeldingen geprobeerd. Probeer het over %(minutes)s minuut opnieuw.",
        "Er zijn vanaf uw internetadres te veel aanmeldingen geprobeerd. Probeer het over %(minutes)s minuten opnieuw.",
        minutes) % {"minutes": minutes})
    typed = {name: request.POST.get(name, "") for name in ResidentSignupForm.base_fields
             if name not in ("password1", "password2", "adult")}
    response = render(request, "frontend/signup.html", {"form": ResidentSignupForm(initial=typed)}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's /taal/; a signed-in person's choice is also stored in their profile, so their mails follow it (a
    visitor's, when they log in during this visit)."""
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    if request.method == "POST":
        from boeking.accounts.language import choose

        choose(request, request.POST.get("language", ""))
    return response


def _own_booking(request: HttpRequest, pk: int) -> Booking:
    booking = get_object_or_404(Booking.objects.select_related("room__location", "house"), pk=pk)
    if not (access.is_booker(request.user, booking) or access.is_admin(request.user)):
        raise Http404
    return booking


@login_required
def mijn(request: HttpRequest) -> HttpResponse:
    if not can_see_bookings(request.user):
        return render(request, "frontend/mijn.html", {"municipality": True})
    # A series is one entry (frontend.series.mine_entry), not one card per date; one-off bookings as before.
    from .series import mine_entry, mine_queryset

    bookings = list(Booking.objects.filter(booker=request.user, series__isnull=True).select_related("room", "house")
                    .order_by("-start"))
    moment = now()
    upcoming = [b for b in bookings if b.end >= moment and b.status in BookingStatus.HOLDING]
    other = [b for b in bookings if b not in upcoming]
    series = [mine_entry(s, moment) for s in mine_queryset(request.user)]
    return render(request, "frontend/mijn.html", {
        "upcoming": sorted(upcoming, key=lambda b: b.start), "other": other,
        "series": [e for e in series if e["running"]], "series_other": [e for e in series if not e["running"]],
        "feed_url": private_feed_url(request.user, request),
        "feed_api": api_path("me-feed", fallback="/api/v1/me/feed/"),
    })


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _own_booking(request, pk)
    actions = booking_actions(request.user, booking, now())
    terms = None
    if actions["cancel"]:
        terms = pricing.cancellation_terms(booking, at=now(), by_volunteer=False,
                                           free_days=RuleSettings.current().free_cancellation_days)
    return render(request, "frontend/booking_detail.html", {
        "actions": actions, "decision_days": RuleSettings.current().decision_days,
        "booking": booking, "start": local(booking.start), "end": local(booking.end),
        "lines": price_rows(booking.price_lines), "rules": rule_rows(booking.rule_results), "terms": terms,
        "ics_url": api_path("booking-ics", booking.pk, fallback=f"/api/v1/bookings/{booking.pk}/ics/"),
        "cancel_form": CancelForm(),
    })


@login_required
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the refund and fee first; POST: cancel."""
    booking = _own_booking(request, pk)
    if not booking_actions(request.user, booking, now())["cancel"]:
        messages.error(request, _("Deze boeking kan niet meer worden geannuleerd."))
        return redirect("mijn-booking", pk=pk)
    terms = pricing.cancellation_terms(booking, at=now(), by_volunteer=False,
                                       free_days=RuleSettings.current().free_cancellation_days)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Uw boeking is geannuleerd."))
            return redirect("mijn-booking", pk=pk)
    return render(request, "frontend/booking_cancel.html", {
        "booking": booking, "terms": terms, "form": form, "start": local(booking.start)})


@login_required
def booking_pay(request: HttpRequest, pk: int) -> HttpResponse:
    """Pay an approved booking. Offline: the instructions. Stripe: the Payment Element, fed by
    POST /api/v1/bookings/{id}/payment/ (static/frontend/pay.js); only then may the page load https://js.stripe.com."""
    booking = _own_booking(request, pk)
    provider = payments.payment_mode_of(booking)
    due = booking_actions(request.user, booking, now())["pay"]
    context = {"booking": booking, "provider": provider, "start": local(booking.start), "end": local(booking.end),
               "lines": price_rows(booking.price_lines),
               "payment_api": api_path("booking-payment", booking.pk, fallback=f"/api/v1/bookings/{booking.pk}/payment/"),
               "due": due, "amount_cents": payments.outstanding_cents(booking),
               "instructions": payments.offline_instructions(booking, payments.outstanding_cents(booking)) if due else ""}
    response = render(request, "frontend/booking_pay.html", context)
    if provider == "stripe" and due:
        return _stripe_csp(response)
    return response


def _stripe_csp(response: HttpResponse) -> HttpResponse:
    from django.utils.csp import CSP

    policy = dict(settings.SECURE_CSP)
    policy["script-src"] = [*policy["script-src"], "https://js.stripe.com"]
    policy["frame-src"] = ["https://js.stripe.com", "https://hooks.stripe.com"]
    policy["connect-src"] = [CSP.SELF, "https://api.stripe.com"]
    response._csp_config = policy  # what django.views.decorators.csp.csp_override sets; here per booking
    return response

"""A resident's pages: sign up, my bookings (/mijn/), one booking with pay and cancel."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from boeking import access, pricing, services
from boeking.access import can_see_bookings
from boeking.auth import client_ip
from boeking.clock import local, now
from boeking.errors import DomainError, InvalidInput
from boeking.models import Booking, BookingStatus, RuleSettings
from boeking.services import payments
from boeking.services.accounts import resident_signup, signup_retry_after

from .forms import CancelForm, SignupForm
from .helpers import api_path, booking_actions, price_rows, private_feed_url, rule_rows


def signup(request: HttpRequest) -> HttpResponse:
    """Sign up as a resident. At most `ZAALBOEK_SIGNUP_LIMIT` attempts per client address per window (429 with the
    form, unchecked, and when to try again); an address already registered gets the same answer whether it was
    registered long ago or a moment ago by a parallel sign-up."""
    if request.user.is_authenticated:
        return redirect("mijn")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        retry_after = signup_retry_after(client_ip(request))
        if retry_after is not None:
            return _signup_limited(request, retry_after)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = resident_signup(email=data["email"], password=data["password"], first_name=data["first_name"],
                                       last_name=data["last_name"], postcode=data["postcode"], phone=data["phone"],
                                       adult_declared=data["adult"], language=request.LANGUAGE_CODE)
            except InvalidInput as exc:
                if exc.code == "email_taken":  # the form's own wording: the same answer as a sequential duplicate
                    form.add_error("email", _("Er bestaat al een account met dit e-mailadres. Log in."))
                elif exc.code == "invalid_postcode":
                    form.add_error("postcode", exc.detail)
                else:
                    form.add_error("email" if exc.code == "invalid_email" else None, exc.detail)
            else:
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(request, _("Welkom! Uw account is aangemaakt."))
                target = request.GET.get("next", "")
                safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                       require_https=request.is_secure())
                # A URL, never a view name: redirect("0") would try to reverse it (a 500).
                return HttpResponseRedirect(target) if target and safe else redirect("home")
    return render(request, "frontend/signup.html", {"form": form})


def _signup_limited(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429: the form again with what was typed (not the password), not validated, so it tells nothing about the
    address; and when to try again."""
    minutes = max(1, -(-retry_after // 60))
    messages.error(request, ngettext(
        "Er zijn vanaf uw internetadres te veel aanmeldingen geprobeerd. Probeer het over %(minutes)s minuut opnieuw.",
        "Er zijn vanaf uw internetadres te veel aanmeldingen geprobeerd. Probeer het over %(minutes)s minuten opnieuw.",
        minutes) % {"minutes": minutes})
    typed = {name: request.POST.get(name, "") for name in SignupForm.base_fields if name not in ("password", "adult")}
    response = render(request, "frontend/signup.html", {"form": SignupForm(initial=typed)}, status=429)
    response["Retry-After"] = str(retry_after)
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
    bookings = list(Booking.objects.filter(booker=request.user).select_related("room", "house").order_by("-start"))
    moment = now()
    upcoming = [b for b in bookings if b.end >= moment and b.status in BookingStatus.HOLDING]
    other = [b for b in bookings if b not in upcoming]
    return render(request, "frontend/mijn.html", {
        "upcoming": sorted(upcoming, key=lambda b: b.start), "other": other,
        "feed_url": private_feed_url(request.user),
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

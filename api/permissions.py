"""Who may do what: every capability in one place, by name. Views ask these; querysets filter with them.

| capability | who |
|---|---|
| can_book | residents, association contacts, volunteers, admins (not the municipality) |
| can_see_bookings | everyone signed in except municipality officers (they get 403: aggregates only) |
| can_decide (approve, reject, mark paid, refund deposit) | volunteers of the booking's house, admins |
| can_cancel | the booker, volunteers of the booking's house, admins |
| can_manage_house (closures) | volunteers of that house, admins |
"""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from boeking.models import Booking, House, Role


def role_of(user) -> str | None:
    if not user or not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def is_municipality(user) -> bool:
    return role_of(user) == Role.MUNICIPALITY


def volunteer_house_ids(user) -> set[int]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_zaalboek_house_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("house_id", flat=True))
        user._zaalboek_house_ids = cached
    return cached


def can_book(user) -> bool:
    return role_of(user) in {Role.RESIDENT, Role.ASSOCIATION, Role.VOLUNTEER, Role.ADMIN}


def can_see_bookings(user) -> bool:
    return bool(user and user.is_authenticated) and not is_municipality(user)


def can_manage_house(user, house: House | int) -> bool:
    house_id = house.pk if isinstance(house, House) else house
    return role_of(user) == Role.ADMIN or house_id in volunteer_house_ids(user)


def can_decide(user, booking: Booking) -> bool:
    return can_manage_house(user, booking.house_id)


def can_cancel(user, booking: Booking) -> bool:
    return booking.booker_id == getattr(user, "pk", None) or can_manage_house(user, booking.house_id)


def can_pay(user, booking: Booking) -> bool:
    """Only the booker pays (volunteers record offline payments with mark-paid)."""
    return bool(user and user.is_authenticated) and booking.booker_id == user.pk


class CanBook(BasePermission):
    message = "Alleen bewoners, verenigingen en besturen kunnen boeken."

    def has_permission(self, request, view):
        return can_book(request.user)


class CanSeeBookings(BasePermission):
    message = "De gemeente ziet alleen geaggregeerde cijfers en meldingen, geen boekingen."

    def has_permission(self, request, view):
        return can_see_bookings(request.user)


# --- the municipality's side (issue 8) --------------------------------------------------------------------------
# | can_see_usage | municipality officers and admins (every house), volunteers (their own houses) |
# | can_set_rules (caps, rule settings) | municipality officers and admins |
# | can_see_meldingen | municipality officers and admins |


def can_see_usage(user) -> bool:
    return is_municipality(user) or role_of(user) == Role.ADMIN or bool(volunteer_house_ids(user))


def usage_house_ids(user) -> set[int] | None:
    """The houses whose usage `user` sees: None for all (municipality, admin), else the houses they volunteer for."""
    if is_municipality(user) or role_of(user) == Role.ADMIN:
        return None
    return volunteer_house_ids(user)


def can_set_rules(user) -> bool:
    return is_municipality(user) or role_of(user) == Role.ADMIN


def can_see_meldingen(user) -> bool:
    return is_municipality(user) or role_of(user) == Role.ADMIN


class CanSeeUsage(BasePermission):
    message = "Alleen de gemeente en besturen (voor hun eigen huizen) zien het gebruik."

    def has_permission(self, request, view):
        return can_see_usage(request.user)


class CanSeeMeldingen(BasePermission):
    message = "Alleen de gemeente ziet de meldingen."

    def has_permission(self, request, view):
        return can_see_meldingen(request.user)

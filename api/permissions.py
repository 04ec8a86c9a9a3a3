"""DRF permission classes. Each one asks `boeking.access`, where every "who may do what" answer lives."""

from __future__ import annotations

from rest_framework.permissions import BasePermission

from boeking import access


class CanBook(BasePermission):
    message = "Alleen bewoners, verenigingen en besturen kunnen boeken."

    def has_permission(self, request, view):
        if access.email_unverified(request.user):  # 403 `email_unverified`: says why, not just "no"
            from boeking.accounts import EMAIL_UNVERIFIED
            from boeking.errors import NotAllowed

            raise NotAllowed("email_unverified", EMAIL_UNVERIFIED)
        return access.can_book(request.user)


class CanSeeBookings(BasePermission):
    message = "De gemeente ziet alleen geaggregeerde cijfers en meldingen, geen boekingen."

    def has_permission(self, request, view):
        return access.can_see_bookings(request.user)


class CanSeeUsage(BasePermission):
    message = "Alleen de gemeente en besturen (voor hun eigen huizen) zien het gebruik."

    def has_permission(self, request, view):
        return access.can_see_usage(request.user)


class CanSeeMeldingen(BasePermission):
    message = "Alleen de gemeente ziet de meldingen."

    def has_permission(self, request, view):
        return access.can_see_meldingen(request.user)

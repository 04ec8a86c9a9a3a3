"""Who may do what: every "may this person do this to that object?" answer, once, by name.

Services, rules, querysets, the API's permission classes (`api/permissions.py`), the pages (`frontend/`), the
admin and the management commands all ask these functions; none of them works an answer out on its own.

One source of truth for "volunteer of house X": a `Membership` row (user, house). The profile's role says which
kind of account someone has (resident, association, volunteer, municipality); it never grants rights to a house.
In code the role is `volunteer`, in URLs `/bestuur/`, in Dutch labels "bestuurslid" (the board of a house, or its
professional operator). A superuser is the installation's administrator ("applicatiebeheerder") and may do
everything a volunteer may do, for every house.

| capability | who |
|---|---|
| `can_book` | residents (e-mail verified), association contacts, volunteers, admins (not the municipality, not anonymous) |
| `bookable_kinds(user, house)` | volunteers of the house, admins: every kind; residents: the private kinds; associations: association |
| `series_kinds(user, house)` | volunteers of the house, admins: association, community; associations: association |
| `can_see_bookings` | everyone signed in except municipality officers (aggregates only) |
| `can_manage_house` (decide, mark paid, deposits, closures, series decisions, agenda with details) | volunteers of that house, admins |
| `can_decide(user, booking)` | `can_manage_house` of the booking's house |
| `can_cancel(user, booking)` | the booker, `can_manage_house` of the booking's house |
| `can_pay(user, booking)` | the booker only (volunteers record offline payments with mark-paid) |
| `can_change_series(user, series)` | the booker of the series, `can_manage_house` of its house |
| `can_see_usage` / `usage_house_ids` | municipality and admins (all houses), volunteers (their houses) |
| `can_set_rules` | municipality officers, admins |
| `can_see_meldingen` | municipality officers, admins |
| `can_manage_invoices(user, house)` (invoice runs, paid, credit notes, books) | `can_manage_house` of that house, admins |
| `can_see_invoice(user, invoice)` / `invoices_filter` | the association contact it is for, `can_manage_invoices`; not the municipality |

Whether the *state* of an object allows an action (a started booking cannot be cancelled…) is not asked here but
in `boeking.states`; a page shows a button when both say yes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from .models import PRIVATE_KINDS, Booking, BookingKind, House, Membership, Role, Series

if TYPE_CHECKING:
    from .models import Closure

SERIES_KINDS = (BookingKind.ASSOCIATION, BookingKind.COMMUNITY)


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def role_of(user) -> str | None:
    """The account's role (`Role`): `admin` for superusers, else the profile's role; None when anonymous."""
    if not _signed_in(user):
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def is_admin(user) -> bool:
    return _signed_in(user) and user.is_superuser


def is_municipality(user) -> bool:
    return role_of(user) == Role.MUNICIPALITY


def volunteer_house_ids(user) -> frozenset[int]:
    """The houses `user` volunteers for (their memberships). Cached on the user object for the request."""
    if not _signed_in(user):
        return frozenset()
    cached = getattr(user, "_zaalboek_house_ids", None)
    if cached is None:
        cached = frozenset(Membership.objects.filter(user_id=user.pk).values_list("house_id", flat=True))
        user._zaalboek_house_ids = cached
    return cached


def is_volunteer(user, house: House | int | None = None) -> bool:
    """A volunteer of `house` (or, without a house, of any house). Admins count as volunteers of every house."""
    if is_admin(user):
        return True
    ids = volunteer_house_ids(user)
    if house is None:
        return bool(ids)
    return _house_id(house) in ids


def managed_houses(user) -> QuerySet[House]:
    """The houses whose board pages `user` may use: all active houses for admins, else their memberships."""
    if is_admin(user):
        return House.objects.filter(active=True)
    return House.objects.filter(pk__in=volunteer_house_ids(user))


def board_members(house: House | int):
    """The active user accounts of the board of `house` (they get the board's mails)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__house_id=_house_id(house), is_active=True).distinct()


def email_unverified(user) -> bool:
    """A signed-in resident whose e-mail address still awaits verification (issue 17): they signed up themselves
    (allauth keeps an `EmailAddress` row) and none of their addresses is verified yet. Accounts made by an
    administrator, the demo or before sign-up verified addresses have no such row and count as verified. One query,
    cached on the user object for the request; only residents are asked."""
    if not _signed_in(user) or role_of(user) != Role.RESIDENT:
        return False
    cached = getattr(user, "_zaalboek_email_unverified", None)
    if cached is None:
        from allauth.account.models import EmailAddress

        flags = set(EmailAddress.objects.filter(user_id=user.pk).values_list("verified", flat=True))
        cached = bool(flags) and True not in flags
        user._zaalboek_email_unverified = cached
    return cached


def can_book(user) -> bool:
    """May request bookings: residents (with a verified address: `email_unverified`), association contacts,
    volunteers, admins."""
    if email_unverified(user):
        return False
    return role_of(user) in {Role.RESIDENT, Role.ASSOCIATION, Role.VOLUNTEER, Role.ADMIN} or is_volunteer(user)


def bookable_kinds(user, house: House | int) -> frozenset[str]:
    """The booking kinds `user` may request in `house`; empty for anonymous users and the municipality."""
    if is_volunteer(user, house):
        return frozenset(BookingKind.values)
    role = role_of(user)
    if role == Role.RESIDENT:
        return frozenset(PRIVATE_KINDS)
    if role == Role.ASSOCIATION:
        return frozenset({BookingKind.ASSOCIATION})
    return frozenset()


def series_kinds(user, house: House | int) -> frozenset[str]:
    """The kinds of series `user` may request in `house` (series are never for private events)."""
    if is_volunteer(user, house):
        return frozenset(SERIES_KINDS)
    if role_of(user) == Role.ASSOCIATION:
        return frozenset({BookingKind.ASSOCIATION})
    return frozenset()


def may_delete_own_account(user) -> bool:
    """Staff and administrator accounts are removed by another administrator, never by themselves."""
    return _signed_in(user) and not (user.is_superuser or user.is_staff)


def can_see_bookings(user) -> bool:
    return _signed_in(user) and not is_municipality(user)


def can_manage_house(user, house: House | int) -> bool:
    return is_volunteer(user, house)


def can_decide(user, booking: Booking) -> bool:
    return can_manage_house(user, booking.house_id)


def is_booker(user, obj: Booking | Series) -> bool:
    return _signed_in(user) and obj.booker_id is not None and obj.booker_id == user.pk


def can_cancel(user, booking: Booking) -> bool:
    return is_booker(user, booking) or can_manage_house(user, booking.house_id)


def can_pay(user, booking: Booking) -> bool:
    """Only the booker pays (volunteers record offline payments with mark-paid)."""
    return is_booker(user, booking)


def can_see_booking(user, booking: Booking) -> bool:
    return is_booker(user, booking) or can_manage_house(user, booking.house_id)


def can_change_series(user, series: Series) -> bool:
    return is_booker(user, series) or can_manage_house(user, series.house_id)


def can_manage_closure(user, closure: Closure) -> bool:
    return can_manage_house(user, closure.house_id)


def visible_filter(user, *, booker_field: str = "booker", house_field: str = "house_id") -> Q | None:
    """The rows `user` may see as a Q (own rows and rows of houses they volunteer for); None means all (admins).
    Anonymous users and the municipality see none: `Q(pk__in=[])`."""
    if not can_see_bookings(user):
        return Q(pk__in=[])
    if is_admin(user):
        return None
    return Q(**{booker_field: user}) | Q(**{f"{house_field}__in": volunteer_house_ids(user)})


# --- the municipality's side ------------------------------------------------------------------------------------


def can_see_usage(user) -> bool:
    return is_municipality(user) or is_volunteer(user)


def usage_house_ids(user) -> frozenset[int] | None:
    """The houses whose usage `user` sees: None for all (municipality, admin), else the houses they volunteer for."""
    if is_municipality(user) or is_admin(user):
        return None
    return volunteer_house_ids(user)


def can_set_rules(user) -> bool:
    return is_municipality(user) or is_admin(user)


def can_see_meldingen(user) -> bool:
    return is_municipality(user) or is_admin(user)


# --- invoices for associations (boeking.invoicing) ---------------------------------------------------------------


def can_manage_invoices(user, house: House | int) -> bool:
    return can_manage_house(user, house)


def can_see_invoice(user, invoice) -> bool:
    if not can_see_bookings(user):
        return False
    return (invoice.contact_id is not None and invoice.contact_id == user.pk) or can_manage_invoices(user, invoice.house_id)


def invoices_filter(user) -> Q | None:
    """The invoices `user` may see, as `visible_filter` (own, and of the houses they volunteer for)."""
    return visible_filter(user, booker_field="contact")


def _house_id(house: House | int) -> int:
    return house.pk if isinstance(house, House) else int(house)

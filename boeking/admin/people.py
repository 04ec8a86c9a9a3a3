"""Accounts: Django's users with their profile (the kind of account) and memberships (the houses they volunteer
for). Who may do what follows from these rows in `boeking.access`; nothing here decides it."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from boeking.models import Membership, Profile

from .base import EMPTY

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    max_num = 1


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ("house",)


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = (ProfileInline, MembershipInline)
    list_display = (*BaseUserAdmin.list_display, "role_display")
    list_filter = (*BaseUserAdmin.list_filter, "profile__role")
    list_select_related = ("profile",)

    @admin.display(description=_("rol"), ordering="profile__role")
    def role_display(self, obj):
        """The profile's role as stored (what the filter next to it selects on)."""
        profile = getattr(obj, "profile", None)  # RelatedObjectDoesNotExist is an AttributeError
        return profile.get_role_display() if profile else EMPTY


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "postcode", "organisation", "adult_declared", "language")
    list_filter = ("role", "adult_declared", "language")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "user__first_name", "user__last_name", "postcode",
                     "organisation")
    autocomplete_fields = ("user",)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "house", "role")
    list_filter = ("role", "house")
    list_select_related = ("user", "house")
    search_fields = ("user__username", "user__email", "house__name")
    autocomplete_fields = ("user", "house")

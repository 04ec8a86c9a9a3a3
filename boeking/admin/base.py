"""What the admins share: columns the models cannot label, running a service per selected object, read-only
admins, and admins whose saves and deletes are service calls."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.admin.utils import display_for_value
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from boeking.errors import DomainError
from boeking.pricing import euro

EMPTY = "—"


def col(name: str, label: str) -> Callable[..., Any]:
    """A read-only field `name` shown under `label` instead of the model's verbose name (choices by their label,
    empty as a dash). Only for labels the model does not have or that mean something else on this page.
    Works in `list_display` and as a ModelAdmin attribute (then called bound, hence `*args`)."""

    def value(*args):
        obj = args[-1]
        getter = getattr(obj, f"get_{name}_display", None)
        return display_for_value(getter() if getter else getattr(obj, name), EMPTY)

    value.__name__ = name
    return admin.display(description=label, ordering=name)(value)


def cents(name: str, label: str) -> Callable[..., Any]:
    """A column showing integer cents as `€ 1.234,50` (the model's label says "(cent)")."""

    def value(*args):
        return euro(getattr(args[-1], name) or 0)

    value.__name__ = name
    return admin.display(description=label, ordering=name)(value)


def error_text(exc: DomainError) -> str:
    return f"{exc.code} – {exc.detail}"


def run_each(model_admin, request, queryset, call: Callable[[Any], Any], success: Callable[[int], str]) -> None:
    """An admin action's work: `call(obj)` (a service) per selected object, in id order; a refused object is reported
    with its code and does not stop the others; one success message counts the rest."""
    done = 0
    for obj in queryset.order_by("pk"):
        try:
            call(obj)
        except DomainError as exc:
            model_admin.message_user(request, f"#{obj.pk}: {error_text(exc)}", messages.ERROR)
        else:
            done += 1
    if done:
        model_admin.message_user(request, success(done), messages.SUCCESS)


class ReasonActionForm(ActionForm):
    """The action bar with a reason, for the reject and cancel actions."""

    reason = forms.CharField(label=_("Reden (bij afwijzen of annuleren):"), required=False,
                             widget=forms.TextInput(attrs={"size": 40}))


class ReadOnlyAdminMixin:
    """Viewable, never added, changed or deleted here (for admins and inlines)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceForm(forms.ModelForm):
    """A form whose input is judged by the service that saves it (see `ServiceAdmin`).

    `ModelForm.clean` is not called, so the model's uniqueness and constraint checks are left to the service, which
    refuses those cases with its own code and words (the database constraints remain the last guard). Each field's
    own validators still run."""

    check_with_service: Callable[[ServiceForm], None] | None = None

    def clean(self):
        return self.cleaned_data

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self.errors and self.check_with_service is not None:
            self.check_with_service()


class ServiceAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes are service calls (`save_by_service`, `delete_by_service`), so they are
    refused and audited exactly as through the API.

    Before anything is saved, the form asks the same service in a savepoint that is always rolled back: a refusal
    appears next to the field named in `error_fields` (by error code) or above the form, and the input stays. A
    refusal that only comes at the real save, or on deleting, becomes a message instead of a server error."""

    form = ServiceForm
    error_fields: dict[str, str] = {}

    def save_by_service(self, request, obj, form, change):
        """Call the service with the form's values; return the row it wrote (None: nothing to write)."""
        raise NotImplementedError

    def delete_by_service(self, request, obj) -> None:
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        def check_with_service(bound_form):
            with transaction.atomic():
                try:
                    model_admin.save_by_service(request, bound_form.instance, bound_form, change)
                except DomainError as exc:
                    field = model_admin.error_fields.get(exc.code)
                    bound_form.add_error(field if field in bound_form.fields else None, exc.detail)
                transaction.set_rollback(True)  # a trial: nothing it wrote stays, its on_commit hooks are dropped

        return type(form.__name__, (form,), {"check_with_service": check_with_service})

    def save_model(self, request, obj, form, change):
        saved = self.save_by_service(request, obj, form, change)
        if saved is not None:
            # The admin's `obj` now stands for the row the service wrote (for the log and the redirect).
            obj.pk = saved.pk
            obj._state.adding = False
            obj._state.db = saved._state.db
            for field in saved._meta.concrete_fields:
                setattr(obj, field.attname, getattr(saved, field.attname))

    def delete_model(self, request, obj):
        self.delete_by_service(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing: one refusal keeps every selected row
            for obj in queryset.order_by("pk"):
                self.delete_by_service(request, obj)

    def _refused(self, request, exc: DomainError, url: str) -> HttpResponseRedirect:
        # The admin's own transaction has been rolled back by then.
        self.message_user(request, error_text(exc), messages.ERROR)
        return HttpResponseRedirect(url)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            return self._refused(request, exc, request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as exc:  # "delete selected"
            return self._refused(request, exc, request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            opts = self.opts
            return self._refused(request, exc, reverse(f"admin:{opts.app_label}_{opts.model_name}_change",
                                                       args=[object_id], current_app=self.admin_site.name))

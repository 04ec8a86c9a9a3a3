"""Shared by the admin tests: URLs, messages, posting actions and unchanged forms back."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import local_dt

# Saturday evenings well within notice (14 days) and advance (365 days) of the frozen clock (4 January 2027).
PARTY_1 = (local_dt(2027, 3, 6, 19), local_dt(2027, 3, 6, 23))
PARTY_2 = (local_dt(2027, 3, 13, 19), local_dt(2027, 3, 13, 23))


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def message_texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_action(client, model, action: str, objects, **extra):
    return client.post(url(model, "changelist"), {"action": action, "_selected_action": [o.pk for o in objects], **extra})


def form_post_data(response) -> dict:
    """What a browser would post back for an unchanged admin change form (main form and inline formsets)."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data = {}
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None or value is False:
                continue
            data[bound.html_name] = "on" if value is True else value
    return data


def form_errors(response) -> dict[str, list[str]]:
    """The admin form's errors by field ("__all__" for those above the form)."""
    return {name: [str(e) for e in errors] for name, errors in response.context["adminform"].form.errors.items()}

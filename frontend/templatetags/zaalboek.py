"""Template helpers: euro amounts, local times, form widgets with Utrecht classes and ARIA links to their messages."""

from __future__ import annotations

import datetime as dt

from django import forms, template
from django.utils.translation import gettext as _

from boeking.clock import local
from boeking.pricing import euro as _euro

register = template.Library()

WIDGET_CLASSES = {
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input utrecht-checkbox--custom",
}


@register.filter
def euro(cents) -> str:
    """`€ 392,50` with a non-breaking space, so the sign never ends a line on its own."""
    return _euro(int(cents or 0)).replace("€ ", "€\u00a0")


@register.filter
def localtime_nl(moment: dt.datetime | None, fmt: str = "datetime") -> str:
    """`za 14-03-2027 19:00` (nl) or `Sat 14-03-2027 19:00` (en), always the Amsterdam wall clock."""
    if moment is None:
        return ""
    loc = local(moment)
    days = [_("ma"), _("di"), _("wo"), _("do"), _("vr"), _("za"), _("zo")]
    if fmt == "time":
        return f"{loc:%H:%M}"
    if fmt == "date":
        return f"{days[loc.weekday()]} {loc:%d-%m-%Y}"
    return f"{days[loc.weekday()]} {loc:%d-%m-%Y %H:%M}"


@register.filter
def weekday_date(day: dt.date) -> str:
    names = [_("maandag"), _("dinsdag"), _("woensdag"), _("donderdag"), _("vrijdag"), _("zaterdag"), _("zondag")]
    return f"{names[day.weekday()]} {day:%d-%m-%Y}"


@register.filter
def audit_words(entry) -> str:
    """An audit entry in words in the active language (`frontend.helpers.audit_words`), never its code."""
    from frontend.helpers import audit_words as words

    return words(entry)


@register.filter
def widget_kind(field) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "text"


@register.simple_tag
def zb_widget(field):
    widget = field.field.widget
    css = next((c for cls, c in WIDGET_CLASSES.items() if isinstance(widget, cls)),
               "utrecht-textbox utrecht-textbox--html-input")
    if field.errors and "checkbox" not in css:
        css += " utrecht-textbox--invalid" if "textbox" in css else ""
    described = []
    if field.errors:
        described.append(f"{field.auto_id}_error")
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    attrs = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    if field.field.required and not isinstance(widget, forms.CheckboxInput):
        attrs["aria-required"] = "true"
    return field.as_widget(attrs=attrs)

"""Series (recurring bookings) and the dates they skip. Nothing is edited on the forms: whole series are decided
with actions that call the series services; their occurrences are ordinary bookings (see `bookings`)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.db import models
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from boeking import services
from boeking.clock import format_local
from boeking.models import Series, SeriesSkip

from .base import EMPTY, ReadOnlyAdminMixin, ReasonActionForm, col, run_each


class SeriesSkipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SeriesSkip
    extra = 0
    fields = ("date", "reason", "detail")
    readonly_fields = fields


@admin.register(Series)
class SeriesAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "room", "kind", "status", "first_date", "until", "start_time", "end_time",
                    "occurrence_count")
    list_filter = ("status", "kind", "house")
    list_select_related = ("room__house",)
    search_fields = ("id__exact", "title", "organisation", "booker_name", "booker_email", "room__name", "house__name")
    date_hierarchy = "first_date"
    inlines = (SeriesSkipInline,)
    fields = ("status", "kind", "room", "house", "recurrence_display", ("first_date", "until"),
              ("start_time", "end_time"), "guests", "title", "booker_display", "booker_name", "booker_email",
              "booker_phone", "organisation", "parent", "occurrences_display", "decision_reason", "decided_at",
              "decided_by", "created_at", "updated_at")
    readonly_fields = flatten_fieldsets(((None, {"fields": fields}),))
    action_form = ReasonActionForm
    actions = ("approve_series", "reject_series", "cancel_series")

    booker_display = col("booker", _("account"))  # the account, next to the applicant's name and e-mail

    def has_decide_permission(self, request):
        # Django's change permission, which the read-only mixin hides (there is no form to change); the services
        # check that the user is the house's board or an admin (`boeking.access`).
        return admin.ModelAdmin.has_change_permission(self, request)

    def _each_series(self, request, queryset, service, success: Callable[[int], str], **kwargs) -> None:
        run_each(self, request, queryset, lambda series: service(series=series, actor=request.user, **kwargs), success)

    @admin.action(description=_("Geselecteerde reeksen goedkeuren"), permissions=["decide"])
    def approve_series(self, request, queryset):
        self._each_series(request, queryset, services.series_approve,
                          lambda n: ngettext("%(n)d reeks goedgekeurd.", "%(n)d reeksen goedgekeurd.", n) % {"n": n})

    @admin.action(description=_("Geselecteerde reeksen afwijzen (reden verplicht)"), permissions=["decide"])
    def reject_series(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Vul een reden in naast de actie om reeksen af te wijzen; "
                                         "er is niets afgewezen."), messages.ERROR)
            return
        self._each_series(request, queryset, services.series_reject,
                          lambda n: ngettext("%(n)d reeks afgewezen.", "%(n)d reeksen afgewezen.", n) % {"n": n},
                          reason=reason)

    @admin.action(description=_("Geselecteerde reeksen annuleren (alle toekomstige datums)"), permissions=["decide"])
    def cancel_series(self, request, queryset):
        self._each_series(request, queryset, services.series_cancel,
                          lambda n: ngettext("%(n)d reeks geannuleerd.", "%(n)d reeksen geannuleerd.", n) % {"n": n},
                          reason=request.POST.get("reason", "").strip())

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(occurrences_total=models.Count("occurrences"))

    @admin.display(description=_("boekingen"), ordering="occurrences_total")
    def occurrence_count(self, obj):
        return obj.occurrences_total

    @admin.display(description=_("herhaling"))
    def recurrence_display(self, obj):
        rules = list(getattr(obj.recurrence, "rrules", None) or [])
        if not rules:
            return EMPTY
        try:
            text = "; ".join(rule.to_text() for rule in rules)
        except Exception:  # an RRULE django-recurrence cannot put into words: the raw rule below still shows it
            text = ""
        return format_html("{}<br><code>{}</code>", text, str(obj.recurrence))

    @admin.display(description=_("boekingen"))
    def occurrences_display(self, obj):
        occurrences = obj.occurrences.order_by("start")
        if not occurrences:
            return EMPTY
        items = format_html_join(
            "", '<li><a href="{}">#{}</a> {} – {}</li>',
            ((reverse("admin:boeking_booking_change", args=[b.pk]), b.pk, format_local(b.start),
              b.get_status_display()) for b in occurrences),
        )
        return format_html('<ul style="margin-left:0;padding-left:0;list-style:none">{}</ul>', items)


@admin.register(SeriesSkip)
class SeriesSkipAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("date", "series", "reason", "detail")
    list_filter = ("reason",)
    list_select_related = ("series__room__house",)
    search_fields = ("series__title", "series__organisation", "detail")
    fields = ("series", "date", "reason", "detail")
    readonly_fields = fields

"""The operator's view of the work after the click: the queue's jobs (retrying, failed for good, re-run), the
scheduled jobs and their runs, sent mail keys, and which reminders each house sends."""

from __future__ import annotations

from django.conf import settings
from django.contrib import admin, messages
from django.tasks import TaskResultStatus
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult, get_date_max

from . import queue, schedule
from .models import HouseReminderSettings, Job, JobRun, Reminder, ScheduledJob, SentMail

# One list of jobs, ours: django-tasks-db's own admin shows the same rows without retries or re-runs.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StateFilter(admin.SimpleListFilter):
    title = _("toestand")
    parameter_name = "toestand"

    def lookups(self, request, model_admin):
        return [("dead", _("definitief mislukt")), ("retrying", _("wacht op een nieuwe poging")),
                ("waiting", _("in de wachtrij")), ("running", _("bezig")), ("done", _("gelukt"))]

    def queryset(self, request, queryset):
        ready = queryset.filter(status=TaskResultStatus.READY)
        return {
            "dead": queryset.filter(status=TaskResultStatus.FAILED),
            "retrying": ready.exclude(exception_class_path=""),
            "waiting": ready.filter(exception_class_path=""),
            "running": queryset.filter(status=TaskResultStatus.RUNNING),
            "done": queryset.filter(status=TaskResultStatus.SUCCESSFUL),
        }.get(self.value(), queryset)


@admin.register(Job)
class JobAdmin(ReadOnly, admin.ModelAdmin):
    """Every job of the queue. Failed for good ("definitief mislukt", after its last attempt): its error is shown and
    "Opnieuw uitvoeren" puts it back with a fresh set of attempts; that also runs a waiting retry now."""

    list_display = ["what", "state", "tries", "enqueued_at", "next_attempt", "finished_at", "error"]
    list_filter = [StateFilter, "status", "queue_name"]
    search_fields = ["task_path", "exception_class_path"]
    ordering = ["-enqueued_at"]
    actions = ["rerun"]
    fields = ["id", "what", "state", "tries", "enqueued_at", "started_at", "next_attempt", "finished_at",
              "worker_ids", "return_value", "error", "formatted_traceback"]
    readonly_fields = fields

    @admin.display(description=_("taak"))
    def what(self, obj: Job) -> str:
        arguments = obj.args_kwargs.get("args", []) + [f"{k}={v}" for k, v in obj.args_kwargs.get("kwargs", {}).items()]
        return f"{obj.task_name}({', '.join(str(a) for a in arguments)})"

    @admin.display(description=_("toestand"))
    def state(self, obj: Job) -> str:
        if obj.status == TaskResultStatus.READY and obj.exception_class_path:
            return str(_("wacht op een nieuwe poging"))
        if obj.status == TaskResultStatus.FAILED:
            return str(_("definitief mislukt"))
        return obj.get_status_display()

    @admin.display(description=_("pogingen"))
    def tries(self, obj: Job) -> str:
        return f"{queue.attempts(obj)} / {queue.max_attempts(obj.task_path)}"

    @admin.display(description=_("volgende poging"))
    def next_attempt(self, obj: Job):
        if obj.status != TaskResultStatus.READY or obj.run_after == get_date_max():
            return "–" if obj.status != TaskResultStatus.READY else _("zo snel mogelijk")
        return obj.run_after

    @admin.display(description=_("laatste fout"))
    def error(self, obj: Job) -> str:
        if not obj.exception_class_path:
            return "–"
        last_line = obj.traceback.strip().splitlines()[-1] if obj.traceback.strip() else ""
        return last_line[:200] or obj.exception_class_path

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj: Job):
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "–"

    def has_rerun_permission(self, request) -> bool:
        return request.user.has_perm("jobs.change_job")

    @admin.action(description=_("Opnieuw uitvoeren (mislukte taken; wachtende pogingen nu)"), permissions=["rerun"])
    def rerun(self, request, queryset):
        count = queue.rerun(queryset)
        for job in queryset.filter(status=TaskResultStatus.READY):
            self.log_change(request, job, f"re-run by {request.user}")
        self.message_user(request, _("%(count)d taak/taken staan weer in de wachtrij.") % {"count": count},
                          messages.SUCCESS if count else messages.WARNING)


class JobRunInline(admin.TabularInline):
    model = JobRun
    fields = ["slot", "started_at", "finished_at", "outcome", "detail"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ["-started_at"]

    def get_queryset(self, request):
        # The latest runs only (a job that runs every 5 minutes has thousands).
        recent = JobRun.objects.order_by("-started_at").values("pk")[:2000]
        return super().get_queryset(request).filter(pk__in=recent)


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnly, admin.ModelAdmin):
    """The scheduled jobs: when each runs, its last run and outcome; "Nu uitvoeren" queues a run now."""

    list_display = ["name", "when", "last_started_at", "last_finished_at", "last_outcome", "last_detail",
                    "running_since"]
    list_filter = ["last_outcome"]
    fields = ["name", "when", "last_slot", "last_started_at", "last_finished_at", "last_outcome", "last_detail",
              "running_since"]
    readonly_fields = fields
    inlines = [JobRunInline]
    actions = ["run_now"]

    @admin.display(description=_("wanneer (cron, Europe/Amsterdam)"))
    def when(self, obj: ScheduledJob) -> str:
        return settings.ZAALBOEK_SCHEDULE.get(obj.name, "–")

    def has_run_permission(self, request) -> bool:
        return request.user.has_perm("jobs.change_scheduledjob")

    @admin.action(description=_("Nu uitvoeren (via de wachtrij)"), permissions=["run"])
    def run_now(self, request, queryset):
        for job in queryset:
            schedule.enqueue(job.name, queue.wall_now())
        self.message_user(request, _("In de wachtrij gezet; een worker voert ze uit."), messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        # Every job of the schedule has a row, also before its first run.
        for name in schedule.JOBS:
            ScheduledJob.objects.get_or_create(name=name)
        return super().changelist_view(request, extra_context)


@admin.register(JobRun)
class JobRunAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["job", "slot", "started_at", "finished_at", "outcome", "detail"]
    list_filter = ["outcome", "job"]
    date_hierarchy = "started_at"


@admin.register(SentMail)
class SentMailAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["event", "about", "sent_at"]
    list_filter = ["event"]
    search_fields = ["about"]
    date_hierarchy = "sent_at"


@admin.register(Reminder)
class ReminderAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["booking", "kind", "queued_at"]
    list_filter = ["kind"]
    list_select_related = ["booking__room__house"]
    raw_id_fields = ["booking"]


@admin.register(HouseReminderSettings)
class HouseReminderSettingsAdmin(admin.ModelAdmin):
    """Which reminders each house sends; a house without a row here sends them all."""

    list_display = ["house", "payment", "event", "decision", "deposit"]
    list_editable = ["payment", "event", "decision", "deposit"]
    list_select_related = ["house"]
    autocomplete_fields = ["house"]

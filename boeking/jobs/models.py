"""What the jobs app keeps: sent-mail keys, reminders queued, reminder settings per house, scheduled runs.

The queue itself is django-tasks-db's table (`Job` below is a proxy of it, for the admin); nothing here holds personal
data (a sent mail is a hash of what it was about, its event and its recipient).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult


class SentMail(models.Model):
    """One message that went out. Its row is written in the same transaction as the message is sent: a retried or
    repeated job finds the key and sends nothing again (idempotent per booking or series, event and recipient)."""

    key = models.CharField(_("sleutel"), max_length=64, unique=True)  # sha256 of about, event, occasion, recipient
    about = models.CharField(_("over"), max_length=40)  # "booking:12", "series:3", "melding:7"
    event = models.CharField(_("gebeurtenis"), max_length=40)
    sent_at = models.DateTimeField(_("verzonden op"))

    class Meta:
        verbose_name = _("verzonden e-mail")
        verbose_name_plural = _("verzonden e-mails")
        indexes = [models.Index(fields=["about", "event"], name="jobs_sentmail_about_event")]

    def __str__(self) -> str:
        return f"{self.event} {self.about}"


class ReminderKind(models.TextChoices):
    PAYMENT = "payment", _("betaalherinnering (aanvrager)")
    EVENT = "event", _("herinnering vooraf (aanvrager)")
    DECISION = "decision", _("aanvraag verloopt bijna (bestuur)")
    DEPOSIT = "deposit", _("borg nog af te handelen (bestuur)")


class HouseReminderSettings(models.Model):
    """Which reminders a house sends; a house without a row sends all of them."""

    house = models.OneToOneField("boeking.House", verbose_name=_("huis"), on_delete=models.CASCADE, primary_key=True,
                                 related_name="reminder_settings")
    payment = models.BooleanField(_("betaalherinnering aan de aanvrager"), default=True,
                                  help_text=_("Vóór de betaaltermijn afloopt, zolang er niet betaald is."))
    event = models.BooleanField(_("herinnering vooraf aan de aanvrager"), default=True,
                                help_text=_("Twee dagen vooraf: datum, adres, huisregels en wie te bellen."))
    decision = models.BooleanField(_("bestuur: aanvraag verloopt bijna"), default=True,
                                   help_text=_("Een dag voordat een onbesliste aanvraag verloopt."))
    deposit = models.BooleanField(_("bestuur: borg nog af te handelen"), default=True,
                                  help_text=_("Na afloop, zolang de borg niet is terugbetaald of ingehouden."))

    class Meta:
        verbose_name = _("herinneringen van een huis")
        verbose_name_plural = _("herinneringen per huis")

    def __str__(self) -> str:
        return str(self.house)

    @classmethod
    def sends(cls, house_id: int, kind: str) -> bool:
        """Whether the house sends reminders of `kind` (a ReminderKind); on unless its row turns it off."""
        row = cls.objects.filter(house_id=house_id).values(kind).first()
        return True if row is None else bool(row[kind])


class Reminder(models.Model):
    """A reminder queued for a booking: at most one of each kind per booking, so an hourly scan never repeats one."""

    booking = models.ForeignKey("boeking.Booking", verbose_name=_("boeking"), on_delete=models.CASCADE,
                                related_name="+")
    kind = models.CharField(_("soort"), max_length=20, choices=ReminderKind.choices)
    queued_at = models.DateTimeField(_("klaargezet op"))

    class Meta:
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        constraints = [models.UniqueConstraint(fields=["booking", "kind"], name="jobs_one_reminder_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.booking_id}"


class Outcome(models.TextChoices):
    RUNNING = "running", _("bezig")
    OK = "ok", _("gelukt")
    FAILED = "failed", _("mislukt")
    SKIPPED = "skipped", _("overgeslagen")


class ScheduledJob(models.Model):
    """A scheduled job (boeking/jobs/schedule.py) and its last run. The row is also its lock: a run claims it
    (`running_since`) in one UPDATE, so a second run at the same time, or of the same slot, is skipped."""

    name = models.CharField(_("naam"), max_length=50, primary_key=True)
    last_slot = models.DateTimeField(_("laatste tijdstip volgens schema"), null=True, blank=True)
    last_started_at = models.DateTimeField(_("laatst gestart"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("laatst klaar"), null=True, blank=True)
    last_outcome = models.CharField(_("uitkomst"), max_length=10, choices=Outcome.choices, blank=True)
    last_detail = models.TextField(_("details"), blank=True)
    running_since = models.DateTimeField(_("bezig sinds"), null=True, blank=True)
    running_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("geplande taak")
        verbose_name_plural = _("geplande taken")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a scheduled job, skipped ones included."""

    job = models.ForeignKey(ScheduledJob, verbose_name=_("geplande taak"), on_delete=models.CASCADE,
                            related_name="runs")
    slot = models.DateTimeField(_("tijdstip volgens schema"))
    started_at = models.DateTimeField(_("gestart"))
    finished_at = models.DateTimeField(_("klaar"), null=True, blank=True)
    outcome = models.CharField(_("uitkomst"), max_length=10, choices=Outcome.choices)
    detail = models.TextField(_("details"), blank=True)

    class Meta:
        verbose_name = _("uitvoering")
        verbose_name_plural = _("uitvoeringen")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_jobrun_job_started")]

    def __str__(self) -> str:
        return f"{self.job_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class Job(DBTaskResult):
    """The queue's jobs (django-tasks-db's table), as the admin shows them: retries, failures, re-runs."""

    class Meta:
        proxy = True
        verbose_name = _("taak")
        verbose_name_plural = _("taken")

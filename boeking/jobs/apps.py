from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "boeking.jobs"
    label = "jobs"
    verbose_name = "Achtergrondtaken"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import queue  # noqa: F401  (connects the retry handler to django.tasks' task_finished)

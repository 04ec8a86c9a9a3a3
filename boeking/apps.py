from django.apps import AppConfig
from django.db.models.signals import post_delete


def _opening_hours_deleted(sender, instance, **kwargs):
    """Every way an OpeningHours row goes (its delete(), a queryset's, a cascade) keeps its house's weekly_hours."""
    from .models import refresh_weekly_hours

    refresh_weekly_hours({instance.house_id})


class BoekingConfig(AppConfig):
    name = "boeking"
    verbose_name = "Zaalboek"

    def ready(self):
        post_delete.connect(_opening_hours_deleted, sender="boeking.OpeningHours",
                            dispatch_uid="boeking.opening_hours_deleted")

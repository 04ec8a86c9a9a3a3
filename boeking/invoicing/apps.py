from django.apps import AppConfig


class InvoicingConfig(AppConfig):
    name = "boeking.invoicing"
    label = "invoicing"
    verbose_name = "Facturen"
    default_auto_field = "django.db.models.BigAutoField"

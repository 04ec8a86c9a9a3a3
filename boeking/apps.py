from django.apps import AppConfig


class BoekingConfig(AppConfig):
    name = "boeking"
    verbose_name = "Zaalboek"

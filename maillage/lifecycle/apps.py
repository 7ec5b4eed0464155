from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "maillage.lifecycle"
    label = "lifecycle"
    verbose_name = "Étapes de la CPTS"

from django.apps import AppConfig


class UnscheduledConfig(AppConfig):
    name = "maillage.unscheduled"
    label = "unscheduled"
    verbose_name = "Soins non programmés"

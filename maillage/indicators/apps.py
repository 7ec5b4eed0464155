from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "maillage.indicators"
    label = "indicators"
    verbose_name = "Indicateurs"

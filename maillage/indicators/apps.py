from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class IndicatorsConfig(AppConfig):
    name = "maillage.indicators"
    label = "indicators"
    verbose_name = "Indicateurs"

    def ready(self):
        # Each mission app declares its indicators in its own `indicators.py`; the external ones
        # (entered by hand) are declared here.
        autodiscover_modules("indicators")
        from maillage.indicators import external  # noqa: F401

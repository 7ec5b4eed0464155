from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Socle"

    def ready(self):
        # Each app declares its periodic jobs in its own `periodic.py` (maillage/core/periodic.py).
        autodiscover_modules("periodic")

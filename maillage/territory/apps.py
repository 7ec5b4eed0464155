from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "maillage.territory"
    label = "territory"
    verbose_name = "Territoires"

    def ready(self):
        from maillage.territory import published

        published.connect()

from django.apps import AppConfig


class AssociationConfig(AppConfig):
    name = "maillage.association"
    label = "association"
    verbose_name = "Association (adhérents, cotisations, assemblées)"

    def ready(self):
        from maillage.association import periodic  # noqa: F401 — registers the scheduled jobs

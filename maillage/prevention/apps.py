from django.apps import AppConfig


class PreventionConfig(AppConfig):
    name = "maillage.prevention"
    label = "prevention"
    verbose_name = "Prévention (campagnes, actions, résultats)"

    def ready(self):
        # The mission's indicators and its lines of the yearly ACI report (issue 17).
        from maillage.prevention import indicators  # noqa: F401

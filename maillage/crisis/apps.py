from django.apps import AppConfig


class CrisisConfig(AppConfig):
    name = "maillage.crisis"
    label = "crisis"
    verbose_name = "Crises sanitaires (plan, activation, centres, stocks, cas)"

    def ready(self):
        # The mission's indicators and its lines of the yearly ACI report (issue 17).
        from maillage.crisis import indicators  # noqa: F401

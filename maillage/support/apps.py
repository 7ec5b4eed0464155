from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "maillage.support"
    label = "support"
    verbose_name = "Accompagnement des professionnels (attractivité, offres, nouveaux installés)"

    def ready(self):
        # The mission's indicators and its lines of the yearly ACI report (issue 17).
        from maillage.support import indicators  # noqa: F401

from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "maillage.quality"
    label = "quality"
    verbose_name = "Qualité et pertinence (groupes de pairs, protocoles, retours d'expérience)"

    def ready(self):
        # The mission's indicators and its lines of the yearly ACI report (issue 17).
        from maillage.quality import indicators  # noqa: F401

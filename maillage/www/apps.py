from django.apps import AppConfig


class WwwConfig(AppConfig):
    name = "maillage.www"
    label = "www"
    verbose_name = "Interface"

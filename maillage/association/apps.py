from django.apps import AppConfig


class AssociationConfig(AppConfig):
    name = "maillage.association"
    label = "association"
    verbose_name = "Association (adhérents, cotisations, assemblées)"

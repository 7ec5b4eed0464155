from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "maillage.funding"
    label = "funding"
    verbose_name = "Financement ACI"

from django.apps import AppConfig


class ProjetConfig(AppConfig):
    name = "maillage.projet"
    label = "projet"
    verbose_name = "Projet de santé et diagnostic territorial"

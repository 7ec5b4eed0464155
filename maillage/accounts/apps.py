from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maillage.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

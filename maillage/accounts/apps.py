from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "maillage.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from maillage.accounts import signals  # noqa: F401 (connects the audit receivers)

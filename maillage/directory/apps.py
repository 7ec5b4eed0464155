from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self):
        from maillage.directory import listing

        listing.connect()

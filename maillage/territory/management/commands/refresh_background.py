from django.core.management.base import BaseCommand

from maillage.territory import background


class Command(BaseCommand):
    help = "Recalcule les contours des départements et des régions (fond des cartes) à partir des communes."

    def handle(self, *args, **options):
        drawn = background.refresh_background()
        self.stdout.write(f"Contours recalculés : {drawn} départements dessinés.")

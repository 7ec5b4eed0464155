"""Rebuilds the table of who works on each CPTS's territory (`directory.Listing`) from scratch.

Never needed in normal operation (imports and territory edits keep it up to date): after a
restore of part of the database, or a write made by hand in SQL."""

from django.core.management.base import BaseCommand
from django.db import transaction

from maillage.directory import listing
from maillage.directory.models import Listing


class Command(BaseCommand):
    help = "Reconstruit la liste des professionnels de chaque territoire de CPTS."

    def handle(self, *args, **options):
        with transaction.atomic():
            listing.rebuild_all()
        self.stdout.write(f"{Listing.objects.count()} professionnels listés sur les territoires des CPTS.")

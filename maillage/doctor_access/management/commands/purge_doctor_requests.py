from django.core.management.base import BaseCommand

from maillage.core.french import agree, plural
from maillage.doctor_access.actions.privacy import anonymise_due


class Command(BaseCommand):
    help = (
        "Anonymise les demandes de médecin traitant closes depuis plus longtemps que le délai de leur CPTS "
        "(12 mois par défaut). --dry-run pour compter sans rien changer."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run, **options):
        ids = anonymise_due(dry_run=dry_run)
        done = agree(len(ids), "anonymisée", "anonymisées")
        verb = f"{agree(len(ids), 'serait', 'seraient')} {done}" if dry_run else done
        self.stdout.write(f"{plural(len(ids), 'demande')} {verb}.")

from django.core.management.base import BaseCommand, CommandError

from maillage.projet import zoning


class Command(BaseCommand):
    help = (
        "Importe le zonage médecins généralistes par commune (ZIP, ZAC, ZAR, HZ) depuis un fichier CSV. "
        "Simulation par défaut : ajoutez --apply pour enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV (colonnes code_insee et zonage_mg)")
        parser.add_argument(
            "--apply", action="store_true", help="enregistrer les changements (sans cette option : simulation)"
        )
        parser.add_argument("--report", metavar="FICHIER", help="rapport CSV de toutes les lignes rejetées")

    def handle(self, *args, **options):
        try:
            outcome = zoning.run(options["file"], apply=options["apply"])
        except zoning.ZoningError as exc:
            raise CommandError(f"{exc} Rien n'a été enregistré.") from exc
        for line in zoning.render(outcome):
            self.stdout.write(line)
        if options["report"] and outcome.rejected:
            try:
                zoning.write_report(outcome, options["report"])
            except zoning.ZoningError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Rapport des lignes rejetées : {options['report']}")

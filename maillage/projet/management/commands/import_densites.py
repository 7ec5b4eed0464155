from django.core.management.base import BaseCommand, CommandError

from maillage.projet import densities


class Command(BaseCommand):
    help = (
        "Importe les densités de référence des professionnels de santé libéraux par département, région et "
        "France depuis le fichier Data ameli « effectif et densité par tranche d'âge, sexe et territoire » (CSV). "
        "Simulation par défaut : ajoutez --apply pour enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier CSV de Data ameli (séparateur « ; »)")
        parser.add_argument(
            "--apply", action="store_true", help="enregistrer les changements (sans cette option : simulation)"
        )
        parser.add_argument("--source", default=densities.AMELI_SOURCE, help="source affichée sous les densités")
        parser.add_argument("--url", default=densities.AMELI_URL, help="adresse de la source")

    def handle(self, *args, **options):
        try:
            outcome = densities.run(
                options["file"], apply=options["apply"], source=options["source"], url=options["url"]
            )
        except densities.DensityFileError as exc:
            raise CommandError(f"{exc} Rien n'a été enregistré.") from exc
        for line in densities.render(outcome):
            self.stdout.write(line)

"""What import_rpps and import_finess share: arguments, errors, output."""

from django.core.management.base import BaseCommand, CommandError

from maillage.directory import summary
from maillage.directory.sources import Progress, SourceError


class ImportCommand(BaseCommand):
    importer = None  # a BaseImport subclass
    title = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="fichier de l'extraction nationale")
        parser.add_argument(
            "--apply", action="store_true", help="enregistrer les changements (sans cette option : simulation)"
        )
        parser.add_argument(
            "--report",
            metavar="FICHIER",
            help="rapport CSV des lignes rejetées (par défaut : à côté du fichier importé)",
        )
        parser.add_argument(
            "--allow-mass-removal",
            action="store_true",
            help="appliquer même un fichier qui retire beaucoup de lignes, ne contient que son en-tête ou "
            "semble tronqué (voir la simulation)",
        )

    def handle(self, *args, **options):
        try:
            job = self.importer(
                options["file"],
                apply=options["apply"],
                report_path=options["report"],
                progress=Progress(stream=self.stdout),
                allow_mass_removal=options["allow_mass_removal"],
            )
            outcome = job.execute()
        except SourceError as exc:
            raise CommandError(f"{exc} Rien n'a été enregistré.") from exc
        except KeyboardInterrupt as exc:
            raise CommandError(
                "Import interrompu : rien n'a été enregistré, la base est dans son état précédent."
            ) from exc
        for line in summary.render(outcome, self.title, self.layout_label(job)):
            self.stdout.write(line)

    def layout_label(self, job) -> str:
        raise NotImplementedError

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from maillage.territory import reference
from maillage.territory.shapes import default_source


class Command(BaseCommand):
    help = "Installe ou met à jour le référentiel territorial (régions, départements, EPCI, communes)."

    def add_arguments(self, parser):
        parser.add_argument("--cog-dir", default=str(settings.COG_DATA_DIR), help="dossier des JSON du COG")
        parser.add_argument("--no-shapes", action="store_true", help="sans contours ni centroïdes")
        parser.add_argument("--force", action="store_true", help="réinstaller même si rien n'a changé")

    def handle(self, *args, **options):
        shapes = None if options["no_shapes"] else default_source()
        try:
            report = reference.install(options["cog_dir"], shapes, force=options["force"], log=self.stdout.write)
        except reference.ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        if report.skipped:
            self.stdout.write("Référentiel territorial déjà à jour.")
            return
        for key, value in report.as_dict().items():
            self.stdout.write(f"  {key} : {value}")
        for cpts, old, new in report.moved_links:
            self.stdout.write(f"  {cpts} : commune {old} remplacée par {new}")
        share = 100 * report.with_centroid / report.units if report.units else 0
        self.stdout.write(
            self.style.SUCCESS(f"Référentiel installé ({report.units} unités, {share:.2f} % avec centroïde).")
        )

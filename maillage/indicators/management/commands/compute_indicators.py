from django.core.management.base import BaseCommand, CommandError

from maillage.indicators.actions import record_values
from maillage.indicators.periods import Period, PeriodError
from maillage.indicators.registry import REGISTRY
from maillage.territory.models import Cpts


class Command(BaseCommand):
    help = "Calcule et enregistre les indicateurs de chaque CPTS pour une période (mois, trimestre ou année)."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="2026-11, 2026-T4 ou 2026 (par défaut : le mois en cours)")
        parser.add_argument("--cpts", default="", help="l'adresse (slug) d'une CPTS ; toutes par défaut")

    def handle(self, *args, period, cpts, **options):
        try:
            chosen = Period.parse(period) if period else Period.current_month()
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        found = Cpts.objects.all()
        if cpts:
            found = found.filter(slug=cpts)
            if not found.exists():
                raise CommandError(f"Aucune CPTS n'a l'adresse « {cpts} ».")
        for one in found:
            values = record_values(one, chosen)
            self.stdout.write(f"{one.name} — {chosen.label} :")
            for code, value in values.items():
                self.stdout.write(f"  {REGISTRY[code].label} : {value}")

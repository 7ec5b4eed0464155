from django.core.management.base import BaseCommand, CommandError

from maillage.core.french import plural
from maillage.doctor_access.actions import matching
from maillage.territory.models import Cpts


class Command(BaseCommand):
    help = (
        "Propose les patients en attente d'un médecin traitant aux médecins volontaires de la CPTS. "
        "Simulation par défaut : ajoutez --apply pour créer les propositions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cpts", required=True, help="l'adresse (slug) de la CPTS")
        parser.add_argument("--apply", action="store_true", help="crée les propositions et prévient les médecins")

    def handle(self, *args, cpts, apply, **options):
        found = Cpts.objects.filter(slug=cpts).first()
        if found is None:
            raise CommandError(f"Aucune CPTS n'a l'adresse « {cpts} ».")
        result = matching.apply(found, None)[0] if apply else matching.plan(found)
        self.stdout.write(
            f"{found.name} : {plural(result.waiting, 'patient')} en attente, "
            f"{plural(result.places, 'place offerte', 'places offertes')}, "
            f"{plural(len(result.proposals), 'proposition')} ({result.seconds * 1000:.0f} ms)."
        )
        for planned in result.proposals:
            request = planned.request
            self.stdout.write(
                f"  {request.reference} (priorité {request.priority}, {request.commune.name}) → "
                f"Dr {planned.offer.professional.full_name} "
                f"({planned.offer.commune.name}, {planned.distance_km:.1f} km)"
            )
        if result.unplaced:
            self.stdout.write(f"Sans proposition : {plural(len(result.unplaced), 'patient')}.")
        self.stdout.write(
            "Propositions créées, médecins prévenus."
            if apply
            else "Simulation : rien n'a été enregistré (--apply pour créer)."
        )

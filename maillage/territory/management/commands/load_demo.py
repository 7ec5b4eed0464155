from django.core.management.base import BaseCommand, CommandError

from maillage.territory import demo
from maillage.territory.models import Cpts


class Command(BaseCommand):
    help = "Charge la démonstration (CPTS réelles, personnes fictives) ; sans effet si elle est déjà là."

    def add_arguments(self, parser):
        parser.add_argument("--no-directory", action="store_true", help="sans l'annuaire de démonstration")

    def handle(self, *args, **options):
        try:
            accounts = demo.load()
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        if not options["no_directory"]:
            # The directory is loaded through the national importers, from generated files.
            from maillage.directory import demo as directory_demo

            self.stdout.write("Annuaire de démonstration (fichiers RPPS et FINESS fictifs) :")
            slugs = [spec.slug for spec in demo.CPTS]
            demo_cpts = list(Cpts.objects.filter(slug__in=slugs).order_by("slug"))
            directory_demo.load(demo_cpts, log=self.stdout.write)
            # Waiting patients and volunteer GPs (the GPs come from the directory just loaded).
            from maillage.doctor_access import demo as doctor_access_demo

            self.stdout.write("Médecin traitant (patients et médecins fictifs) :")
            doctor_access_demo.load(demo_cpts, log=self.stdout.write)
            from maillage.unscheduled import demo as unscheduled_demo

            self.stdout.write("Soins non programmés (créneaux et demandes fictifs) :")
            unscheduled_demo.load(demo_cpts, log=self.stdout.write)
            from maillage.indicators import demo as indicators_demo

            self.stdout.write("Indicateurs (valeurs de la CPAM saisies, indicateurs calculés de 2025 et 2026) :")
            indicators_demo.load(demo_cpts, log=self.stdout.write)
            from maillage.funding import demo as funding_demo

            self.stdout.write("Financement ACI (contrats de démonstration) :")
            funding_demo.load(demo_cpts, log=self.stdout.write)
            # Patients' pathways: the teams come from the directory, the hospital from its FINESS file.
            from maillage.pathways import demo as pathways_demo

            self.stdout.write("Parcours des patients (patients fictifs, équipes de l'annuaire de démonstration) :")
            pathways_demo.load(demo_cpts, log=self.stdout.write)
            # Issue 16 — the association: its members come from the directory (professionals, FINESS).
            from maillage.association import demo as association_demo

            self.stdout.write("Association (adhérents, cotisations, assemblées, conseil d'administration) :")
            association_demo.load(demo_cpts, log=self.stdout.write)
        # Phases and milestones of each CPTS (needs nothing of the directory).
        from maillage.lifecycle import demo as lifecycle_demo

        self.stdout.write("Parcours des CPTS (phases, jalons, échéances) :")
        lifecycle_cpts = list(Cpts.objects.filter(slug__in=[spec.slug for spec in demo.CPTS]).order_by("slug"))
        lifecycle_demo.load(lifecycle_cpts, log=self.stdout.write)
        from maillage.projet import demo as projet_demo

        self.stdout.write("Projets de santé (fiches-actions de démonstration) :")
        projet_demo.load(list(Cpts.objects.filter(slug__in=[s.slug for s in demo.CPTS])), log=self.stdout.write)
        if not options["no_directory"]:
            # Issue 17 — the other ACI missions (prévention, qualité, accompagnement, crise): after the
            # lifecycle (the crisis plan's adoption dates the mission's start once the ACI is signed)
            # and the projets (a campaign, a group, a plan names the fiche-action it serves).
            from maillage.crisis import demo as crisis_demo
            from maillage.prevention import demo as prevention_demo
            from maillage.quality import demo as quality_demo
            from maillage.support import demo as support_demo

            self.stdout.write("Prévention, qualité, accompagnement des professionnels, crises sanitaires :")
            for mission_demo in (prevention_demo, quality_demo, support_demo, crisis_demo):
                mission_demo.load(demo_cpts, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(f"Démonstration prête. Comptes (mot de passe commun : {demo.DEMO_PASSWORD}) :")
        )
        for email, roles in accounts:
            self.stdout.write(f"  {email:48} {roles}")

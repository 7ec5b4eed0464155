from django.core.management.base import BaseCommand, CommandError

from maillage.territory import demo


class Command(BaseCommand):
    help = "Charge la démonstration (CPTS réelles, personnes fictives) ; sans effet si elle est déjà là."

    def handle(self, *args, **options):
        try:
            accounts = demo.load()
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Démonstration prête. Comptes (mot de passe commun : {demo.DEMO_PASSWORD}) :")
        )
        for email, roles in accounts:
            self.stdout.write(f"  {email:48} {roles}")

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from maillage.core import audit
from maillage.unscheduled.models import SasConsumer


class Command(BaseCommand):
    help = "Crée une clé d'accès à l'interface SAS (/fhir/Slot) pour un client ; la clé n'est affichée qu'une fois."

    def add_arguments(self, parser):
        parser.add_argument("name", help="le nom du client, par exemple « Plateforme SAS nationale »")
        parser.add_argument("--cn", default="", help="le CN de son certificat IGC-Santé (avec --ou), en plus de la clé")
        parser.add_argument("--ou", default="", help="l'OU de son certificat IGC-Santé (avec --cn)")

    def handle(self, *args, name, cn, ou, **options):
        if bool(cn.strip()) != bool(ou.strip()):
            raise CommandError("Le CN et l'OU du certificat se donnent ensemble (--cn et --ou).")
        with transaction.atomic():
            consumer, key = SasConsumer.create_with_key(
                name, certificate_cn=" ".join(cn.split()), certificate_ou=" ".join(ou.split())
            )
            audit.record("unscheduled.sas_key.created", obj=consumer, details={"name": consumer.name})
        self.stdout.write(
            f"Client « {consumer.name} » créé. Clé (à transmettre de façon sûre, elle ne sera plus affichée) :"
        )
        self.stdout.write(key)
        self.stdout.write("En-tête à envoyer : « Authorization: Bearer <clé> ».")

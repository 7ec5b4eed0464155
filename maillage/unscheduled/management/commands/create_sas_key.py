from django.core.management.base import BaseCommand
from django.db import transaction

from maillage.core import audit
from maillage.unscheduled.models import SasConsumer


class Command(BaseCommand):
    help = "Crée une clé d'accès à l'interface SAS (/fhir/Slot) pour un client ; la clé n'est affichée qu'une fois."

    def add_arguments(self, parser):
        parser.add_argument("name", help="le nom du client, par exemple « Plateforme SAS nationale »")

    def handle(self, *args, name, **options):
        with transaction.atomic():
            consumer, key = SasConsumer.create_with_key(name)
            audit.record("unscheduled.sas_key.created", obj=consumer, details={"name": consumer.name})
        self.stdout.write(
            f"Client « {consumer.name} » créé. Clé (à transmettre de façon sûre, elle ne sera plus affichée) :"
        )
        self.stdout.write(key)
        self.stdout.write("En-tête à envoyer : « Authorization: Bearer <clé> ».")

from maillage.directory.finess_import import FinessImport
from maillage.directory.management.commands._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe l'extraction FINESS d'etalab (structures et géolocalisation). "
        "Simulation par défaut : ajoutez --apply pour enregistrer."
    )
    importer = FinessImport
    title = "FINESS"

    def layout_label(self, job) -> str:
        return job.layout.label

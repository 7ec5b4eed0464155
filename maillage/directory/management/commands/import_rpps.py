from maillage.directory.management.commands._import import ImportCommand
from maillage.directory.rpps_import import RppsImport


class Command(ImportCommand):
    help = (
        "Importe l'extraction RPPS « PS_LibreAcces_Personne_activite » (professionnels et activités). "
        "Simulation par défaut : ajoutez --apply pour enregistrer."
    )
    importer = RppsImport
    title = "RPPS"

    def layout_label(self, job) -> str:
        return f"{job.header.width} colonnes"

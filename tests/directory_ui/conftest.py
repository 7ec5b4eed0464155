"""A small directory on the territory of the CPTS Châtillon-Malakoff-Vanves (`idf`).

Who is where (centroids are real, to the hundred metres):
- Élodie Lefèvre, médecin généraliste at Malakoff: member, published enrichment;
- Jean Dupont, infirmier at Vanves: enrichment NOT published, has an MSSanté address;
- Anne Martin, masseur-kinésithérapeute at Montrouge (1.6 km from Malakoff, outside the territory);
- Paul Étienne, pharmacien at Marseille;
- Zoé Ancien, gone from the national file (inactive), had an activity at Malakoff;
- Lucie Partie, whose only activity at Châtillon is gone.
"""

import pytest

from maillage.directory.models import DirectoryEntry
from tests.directory_ui.helpers import SKILLS, pro, skill
from tests.factories import CommuneFactory, DepartementFactory, StructureFactory

CENTROIDS = {
    "92020": (48.8024, 2.2930),  # Châtillon
    "92046": (48.8169, 2.2944),  # Malakoff
    "92075": (48.8215, 2.2889),  # Vanves
    "92040": (48.8245, 2.2700),  # Issy-les-Moulineaux
    "92049": (48.8163, 2.3163),  # Montrouge
    "75113": (48.8283, 2.3623),  # Paris 13e
    "75056": (48.8566, 2.3522),  # Paris
}


@pytest.fixture
def directory(idf):
    for code in SKILLS:
        skill(code)
    communes = idf["communes"]
    for code, (lat, lon) in CENTROIDS.items():
        communes[code].latitude, communes[code].longitude = lat, lon
        communes[code].save()
    marseille = CommuneFactory(
        code="13055",
        name="Marseille",
        latitude=43.2965,
        longitude=5.3698,
        departement=DepartementFactory(code="13", name="Bouches-du-Rhône", region__code="93", region__name="PACA"),
    )
    cmv = idf["cmv"]
    lefevre = pro(communes["92046"], last_name="Lefèvre", first_name="Élodie")
    dupont = pro(
        communes["92075"],
        last_name="Dupont",
        first_name="Jean",
        profession_code="60",
        profession_label="Infirmier",
        savoir_faire_code="",
        savoir_faire_label="",
    )
    martin = pro(
        communes["92049"],
        last_name="Martin",
        first_name="Anne",
        profession_code="70",
        profession_label="Masseur-Kinésithérapeute",
        savoir_faire_code="",
        savoir_faire_label="",
    )
    etienne = pro(
        marseille, last_name="Étienne", first_name="Paul", profession_code="21", profession_label="Pharmacien"
    )
    ancien = pro(communes["92046"], last_name="Ancien", first_name="Zoé", active=False)
    partie = pro(communes["92020"], last_name="Partie", first_name="Lucie")
    for gone in partie.activities.all():  # saved one by one: the territory listing follows saves
        gone.active = False
        gone.save()

    published = DirectoryEntry.objects.create(
        cpts=cmv,
        professional=lefevre,
        is_member=True,
        languages=["anglais", "espagnol"],
        accepts_new_patients=True,
        new_patient_capacity=20,
        takes_part_in_snp=True,
        mssante_address="elodie.lefevre@medecin.mssante.fr",
        public_listing=True,
    )
    published.skills.set([skill("pediatrie")])
    hidden = DirectoryEntry.objects.create(
        cpts=cmv,
        professional=dupont,
        languages=["arabe"],
        accepts_new_patients=True,
        mssante_address="jean.dupont@infirmier.mssante.fr",
        public_listing=False,
    )
    hidden.skills.set([skill("plaies-complexes")])
    # Another CPTS's enrichment of the same professional: never shown in cmv's pages.
    DirectoryEntry.objects.create(cpts=idf["issy"], professional=dupont, is_member=True, languages=["breton"])

    structures = {
        "centre": StructureFactory(short_name="CENTRE DE SANTE DES LILAS", commune=communes["92046"]),
        "pharmacie": StructureFactory(
            short_name="PHARMACIE DU MARCHE",
            commune=communes["92075"],
            commune_code="92075",
            postal_line="92170 VANVES",
            category_code="620",
            category_label="Pharmacie d'Officine",
        ),
        "hopital": StructureFactory(
            short_name="HOPITAL LOINTAIN",
            commune=marseille,
            commune_code="13055",
            postal_line="13005 MARSEILLE",
            category_code="355",
            category_label="Centre Hospitalier (C.H.)",
        ),
        "ferme": StructureFactory(short_name="CENTRE FERME", commune=communes["92046"], active=False),
    }
    return {
        **idf,
        "marseille": marseille,
        "lefevre": lefevre,
        "dupont": dupont,
        "martin": martin,
        "etienne": etienne,
        "ancien": ancien,
        "partie": partie,
        "published": published,
        "hidden": hidden,
        "structures": structures,
    }

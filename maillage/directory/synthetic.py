"""Fictional professionals and structures written in the real national formats.

The demo and the benchmarks load their directory through the real importers, from files that this
module writes: RPPS `PS_LibreAcces_Personne_activite` lines (valid RPPS check digits, real
profession, savoir-faire, mode and sector codes, real commune codes) and FINESS etalab lines
(valid FINESS check digits, real category codes, Lambert-93 coordinates). People are invented:
first and last names are drawn from lists of common French names.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass

from maillage.directory.rpps import ACTIVITY_COLUMNS, PROFESSIONAL_COLUMNS

FEMALE_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura", "Marie", "Claire", "Anne",
    "Sophie", "Nathalie", "Isabelle", "Hélène", "Céline", "Pauline", "Lucie", "Élodie", "Fatou", "Amina",
    "Nadia", "Yasmine",
]  # fmt: skip
MALE_NAMES = [
    "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Alexandre", "Romain", "Pierre", "Hugo", "Lucas",
    "Louis", "Paul", "Mathieu", "Olivier", "Philippe", "Laurent", "Éric", "Karim", "Mehdi", "Yann",
    "Sébastien", "Vincent", "Moussa", "Hamid",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
    "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
    "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin",
    "Masson", "Sanchez", "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
    "Roche", "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Pérez", "Marchand", "Dufour", "Blanchard",
    "Marie", "Barbier", "Brun", "Dumas", "Brunet",
]  # fmt: skip


@dataclass(frozen=True)
class Profession:
    code: str
    label: str
    weight: float  # share of the lines of the national extraction, roughly
    rpps: bool  # RPPS (type 8) or still ADELI (type 0)
    liberal_share: float
    savoir_faire: tuple[tuple[str, str], ...] = ()


PROFESSIONS = (
    Profession(
        "10",
        "Médecin",
        0.26,
        True,
        0.55,
        (
            ("SM54", "Médecine générale"),
            ("SM54", "Médecine générale"),
            ("SM54", "Médecine générale"),
            ("SM26", "Cardiologie et maladies vasculaires"),
            ("SM40", "Pédiatrie"),
            ("SM20", "Gynécologie-obstétrique"),
            ("SM42", "Psychiatrie"),
            ("SM15", "Dermatologie et vénéréologie"),
        ),
    ),
    Profession("60", "Infirmier", 0.33, True, 0.25),
    Profession("21", "Pharmacien", 0.07, True, 0.6),
    Profession("70", "Masseur-Kinésithérapeute", 0.08, True, 0.85),
    Profession("40", "Chirurgien-Dentiste", 0.03, True, 0.9),
    Profession("50", "Sage-Femme", 0.02, True, 0.35),
    Profession("91", "Orthophoniste", 0.02, True, 0.85),
    Profession("80", "Pédicure-Podologue", 0.01, True, 0.95),
    Profession("92", "Orthoptiste", 0.005, False, 0.5),
    Profession("93", "Psychologue", 0.06, False, 0.4),
    Profession("94", "Ergothérapeute", 0.01, False, 0.2),
    Profession("96", "Psychomotricien", 0.01, False, 0.3),
    Profession("95", "Diététicien", 0.01, False, 0.5),
    Profession("98", "Manipulateur ERM", 0.02, False, 0.0),
    Profession("28", "Opticien-Lunetier", 0.015, False, 0.0),
    Profession("26", "Audioprothésiste", 0.005, False, 0.0),
)
# Sectors of activity (TRE_R02) by mode: liberal practices, then salaried settings.
LIBERAL_SECTORS = (("SA07", "Cabinet individuel"), ("SA08", "Cabinet de groupe"), ("SA09", "Exercice en société"))
SALARIED_SECTORS = (
    ("SA01", "Etablissement public de santé"),
    ("SA03", "Etab. Privé PSPH"),
    ("SA04", "Etab. Privé Non PSPH"),
    ("SA05", "Centre de santé"),
    ("SA16", "Etab. pour Handicapés"),
    ("SA17", "Etab. pour Personnes Agées"),
)
STREETS = ("RUE", "Rue"), ("AV", "Avenue"), ("BD", "Boulevard"), ("PL", "Place"), ("CHE", "Chemin")
STREET_NAMES = [
    "DE LA REPUBLIQUE", "VICTOR HUGO", "JEAN JAURES", "DU GENERAL DE GAULLE", "PASTEUR", "DES ECOLES",
    "DE LA GARE",
]  # fmt: skip

RPPS_HEADER_52 = [name for name, _ in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS[:-4]]
RPPS_HEADER_56 = [name for name, _ in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS]


def luhn_digit(payload: str) -> str:
    """The digit that makes `payload` + digit pass the Luhn check."""
    total = 0
    for i, char in enumerate(reversed(payload)):
        value = int(char)
        if i % 2 == 0:  # doubled: these positions become odd once the check digit is appended
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return str((10 - total % 10) % 10)


def rpps_number(serial: int) -> str:
    payload = f"1{serial:09d}"
    return payload + luhn_digit(payload)


def adeli_number(departement: str, serial: int) -> str:
    dep = departement if departement.isdigit() else "20"
    return f"{dep[:2]}{serial % 10_000_000:07d}"[:9]


def finess_number(departement: str, serial: int) -> str:
    dep = {"2A": "2A", "2B": "2B"}.get(departement, departement[:2])
    payload = f"{dep}{serial % 1_000_000:06d}"
    # The Luhn digit is computed on the digits (Corsica counts as 20, see core.identifiers).
    return payload + luhn_digit(payload.replace("2A", "20").replace("2B", "20"))


@dataclass(frozen=True)
class Place:
    """Where an activity takes place: a real commune."""

    code: str
    name: str
    postal_code: str
    departement: str
    population: int = 1  # professionals settle where people live: sites are drawn by population


def _pick_profession(rng: random.Random, professions=PROFESSIONS) -> Profession:
    return rng.choices(professions, weights=[p.weight for p in professions])[0]


def _activity_fields(rng: random.Random, profession: Profession, place: Place, serial: int) -> dict:
    liberal = rng.random() < profession.liberal_share
    sector_code, sector_label = rng.choice(LIBERAL_SECTORS if liberal else SALARIED_SECTORS)
    street_type, street_type_label = rng.choice(STREETS)
    return {
        "mode_code": "L" if liberal else "S",
        "mode_label": "Libéral" if liberal else "Salarié",
        "siret": f"{serial % 10**14:014d}" if liberal else "",
        "structure_id": f"R{serial:09d}",
        "company_name": "" if liberal else f"CENTRE DE SANTE {place.name.upper()}",
        "street_number": str(rng.randint(1, 120)),
        "street_type_code": street_type,
        "street_type_label": street_type_label,
        "street_label": rng.choice(STREET_NAMES),
        "postal_code": place.postal_code,
        "commune_code": place.code,
        "commune_label": place.name,
        "country_code": "99000",
        "country_label": "France",
        "phone": f"01{rng.randint(0, 99_999_999):08d}",
        "departement_code": place.departement,
        "registration_authority": "RPPS" if profession.rpps else "ARS/ADELI",
        "sector_code": sector_code,
        "sector_label": sector_label,
    }


def rpps_lines(
    count: int,
    places: list[Place],
    *,
    seed: int = 1,
    columns: int = 52,
    first_serial: int = 0,
    professions: tuple[Profession, ...] = PROFESSIONS,
    header: bool = True,
) -> Iterator[str]:
    """`count` activity lines (header first) for about count / 1.3 fictional professionals."""
    rng = random.Random(seed)
    names = RPPS_HEADER_56 if columns == 56 else RPPS_HEADER_52
    keys = [key for _, key in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS][: len(names)]
    if header:
        yield "|".join(names) + "|"
    weights, total = [], 0
    for place in places:
        total += max(place.population, 1)
        weights.append(total)
    written, serial = 0, first_serial
    while written < count:
        serial += 1
        profession = _pick_profession(rng, professions)
        place = rng.choices(places, cum_weights=weights)[0]
        if profession.rpps:
            id_type, identifier = "8", rpps_number(serial)
        else:
            id_type, identifier = "0", adeli_number(place.departement, serial)
        female = rng.random() < 0.6
        savoir = rng.choice(profession.savoir_faire) if profession.savoir_faire else ("", "")
        person = {
            "id_type": id_type,
            "identifier": identifier,
            "national_id": id_type + identifier,
            "exercise_civility_code": "DR" if profession.code in ("10", "40") else "",
            "exercise_civility_label": "Docteur" if profession.code in ("10", "40") else "",
            "civility_code": "MME" if female else "M",
            "civility_label": "Madame" if female else "Monsieur",
            "last_name": rng.choice(LAST_NAMES).upper(),
            "first_name": rng.choice(FEMALE_NAMES if female else MALE_NAMES),
            "profession_code": profession.code,
            "profession_label": profession.label,
            "category_code": "C",
            "category_label": "Civil",
            "savoir_faire_type_code": "S" if savoir[0] else "",
            "savoir_faire_type_label": "Spécialité ordinale" if savoir[0] else "",
            "savoir_faire_code": savoir[0],
            "savoir_faire_label": savoir[1],
        }
        activities = 1 if rng.random() < 0.78 else rng.randint(2, 3)
        for n in range(min(activities, count - written)):
            site = place if n == 0 else rng.choices(places, cum_weights=weights)[0]
            row = {**person, **_activity_fields(rng, profession, site, serial * 4 + n)}
            yield "|".join(row.get(key, "") for key in keys) + "|"
            written += 1


# FINESS categories (TRE_R66) and aggregates (TRE_R65) of the structures a CPTS works with.
STRUCTURE_KINDS = {
    "hospital": ("355", "Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers"),
    "ssr": ("109", "Etablissement de Soins de Suite et de Réadaptation", "1106", "Etablissements de Soins de Suite"),
    "ehpad": ("500", "Etablissement d'hébergement pour personnes âgées dépendantes", "4401", "EHPAD"),
    "pharmacy": ("620", "Pharmacie d'Officine", "3301", "Pharmacies d'Officine"),
    "msp": ("603", "Maison de santé (L.6223-3)", "2204", "Maisons de santé pluriprofessionnelles"),
    "health_centre": ("124", "Centre de Santé", "2203", "Centres de Santé"),
}


@dataclass(frozen=True)
class FictionalStructure:
    kind: str
    name: str
    place: Place
    x: float  # Lambert-93
    y: float


def finess_lines(
    structures: list[FictionalStructure], *, seed: int = 1, date: str = "2026-05-12", first_serial: int = 900_000
) -> Iterator[str]:
    """A FINESS etalab extraction: metadata line, `structureet` lines, then `geolocalisation` lines."""
    rng = random.Random(seed)
    yield f"finess;etalab;111;{date}"
    numbers = []
    for i, s in enumerate(structures, start=1):
        et = finess_number(s.place.departement, first_serial + i)
        ej = finess_number(s.place.departement, first_serial + 50_000 + i)
        numbers.append(et)
        category, category_label, aggregate, aggregate_label = STRUCTURE_KINDS[s.kind]
        fields = [
            "structureet", et, ej, s.name.upper()[:38], s.name.upper(), "", "",
            str(rng.randint(1, 90)), "RUE", rng.choice(STREET_NAMES), "", "",
            s.place.code[2:], s.place.departement, "", f"{s.place.postal_code} {s.place.name.upper()}",
            f"01{rng.randint(0, 99_999_999):08d}", "", category, category_label, aggregate, aggregate_label,
            "", "", "01", "Etablissement Tarif Libre", "", "", "2001-01-01", "2001-01-01", date, "",
        ]  # fmt: skip
        yield ";".join(fields) + ";"
    for et, s in zip(numbers, structures, strict=True):
        source = "1,ATLASANTE,100,IGN,BD_ADRESSE,EPSG:2154 RGF93 / Lambert-93 (Métropole)"
        yield f"geolocalisation;{et};{s.x:.1f};{s.y:.1f};{source};{date}"

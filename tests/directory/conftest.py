"""Helpers of the import tests: small extractions written in tmp_path, the communes they name."""

from io import StringIO

import pytest
from django.core.management import call_command

from maillage.core.identifiers import luhn_ok
from maillage.directory.rpps import ACTIVITY_COLUMNS, PROFESSIONAL_COLUMNS
from tests.factories import CommuneFactory, DepartementFactory, RegionFactory

TITLES_52 = [title for title, _ in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS[:-4]]
TITLES_56 = [title for title, _ in PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS]
FIELD_OF = dict(PROFESSIONAL_COLUMNS + ACTIVITY_COLUMNS)


def rpps_number(seed: int) -> str:
    """A valid RPPS number (11 digits, Luhn) for a test person."""
    base = f"1{seed:09d}"
    return next(base + str(d) for d in range(10) if luhn_ok(base + str(d)))


def rpps_line(titles=TITLES_52, **values) -> str:
    """One line in the extraction's format; `rpps=` sets type 8 and both identifiers at once."""
    if "rpps" in values:
        number = values.pop("rpps")
        values = {"id_type": "8", "identifier": number, "national_id": "8" + number, **values}
    defaults = {"last_name": "MARTIN", "first_name": "Claire", "profession_code": "10", "profession_label": "Médecin"}
    row = {**defaults, **values}
    return "|".join(row.get(FIELD_OF[title], "") for title in titles) + "|"


def write_rpps(path, lines, *, titles=TITLES_52, encoding="utf-8", newline="\n", final_newline=True):
    text = newline.join(["|".join(titles) + "|", *lines]) + (newline if final_newline else "")
    path.write_bytes(text.encode(encoding))
    return path


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def ain(db):
    """The communes of the RPPS and FINESS samples in the Ain."""
    departement = DepartementFactory(
        code="01", name="Ain", region=RegionFactory(code="84", name="Auvergne-Rhône-Alpes")
    )
    names = {
        "01004": "Ambérieu-en-Bugey",
        "01034": "Belley",
        "01053": "Bourg-en-Bresse",
        "01241": "Meillonnas",
        "01451": "Viriat",
    }
    return {code: CommuneFactory(code=code, name=name, departement=departement) for code, name in names.items()}


@pytest.fixture
def overseas(db):
    """Communes of the FINESS sample in Guyane, La Réunion and Guadeloupe's former collectivities."""
    made = {}
    for region, departement, name, communes in [
        ("03", "973", "Guyane", {"97302": "Cayenne"}),
        ("04", "974", "La Réunion", {"97411": "Saint-Denis", "97410": "Saint-Benoît", "97408": "La Possession"}),
        ("977", "977", "Saint-Barthélemy", {"97701": "Saint-Barthélemy"}),
        ("978", "978", "Saint-Martin", {"97801": "Saint-Martin"}),
    ]:
        dep = DepartementFactory(code=departement, name=name, region=RegionFactory(code=region, name=name))
        for code, label in communes.items():
            made[code] = CommuneFactory(code=code, name=label, departement=dep)
    return made

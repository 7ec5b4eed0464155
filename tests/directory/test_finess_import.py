import json
import math
import shutil
from datetime import date

import pytest
from django.conf import settings
from django.core.management.base import CommandError

from maillage.core.geo import distance_km
from maillage.core.models import AuditEntry
from maillage.directory.finess import insee_code
from maillage.directory.models import ImportRun, Structure
from tests.directory.conftest import run

EXTRACT = "finess_etalab_extrait_brut_20260512.txt"
GEOLOCATION = "finess_etalab_geolocalisation_exemples_2026.txt"
HEADER = "finess;etalab;111;2026-05-12"


def structure_line(finess="010000024", name="CH DE FLEYRIAT", departement="01", commune="451", long_name=""):
    fields = ["structureet", finess, "010780054", name, long_name, *[""] * 7, commune, departement, "AIN"]
    fields += ["01440 VIRIAT", "0474454647", "", "355", "Centre Hospitalier (C.H.)", "1102", "Centres Hospitaliers"]
    fields += ["26010004500012", "8610Z", "03", "ARS", "1", "Etablissement public de santé"]
    fields += ["1979-02-13", "1979-02-13", "2020-02-04", ""]
    assert len(fields) == 32
    return ";".join(fields)


def write(path, lines, encoding="utf-8"):
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def extract(shared_data, tmp_path):
    return shutil.copy(shared_data / EXTRACT, tmp_path / EXTRACT)


# Independent conversions, from the published formulas (IGN ALG0004; Snyder, USGS 1395 p. 63), to
# check pyproj's results: if both agree within a few metres, neither is misconfigured.
def lambert93_to_wgs84(x, y):
    n, c, xs, ys, e = 0.7256077650532670, 11754255.426096, 700000.0, 12655612.049876, 0.0818191910428158
    iso = -math.log(math.hypot(x - xs, y - ys) / c) / n
    lon = math.radians(3) + math.atan2(x - xs, ys - y) / n
    lat = 2 * math.atan(math.exp(iso)) - math.pi / 2
    for _ in range(20):
        factor = ((1 + e * math.sin(lat)) / (1 - e * math.sin(lat))) ** (e / 2)
        lat = 2 * math.atan(factor * math.exp(iso)) - math.pi / 2
    return math.degrees(lat), math.degrees(lon)


def utm_to_wgs84(x, y, zone):
    a, f, k0 = 6378137.0, 1 / 298.257222101, 0.9996
    e2 = f * (2 - f)
    ep2 = e2 / (1 - e2)
    e1 = (1 - math.sqrt(1 - e2)) / (1 + math.sqrt(1 - e2))
    mu = y / k0 / (a * (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256))
    phi = (
        mu
        + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
        + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
        + (151 * e1**3 / 96) * math.sin(6 * mu)
        + (1097 * e1**4 / 512) * math.sin(8 * mu)
    )
    sin, cos, tan = math.sin(phi), math.cos(phi), math.tan(phi)
    n1 = a / math.sqrt(1 - e2 * sin**2)
    t1, c1 = tan**2, ep2 * cos**2
    r1 = a * (1 - e2) / (1 - e2 * sin**2) ** 1.5
    d = (x - 500000) / (n1 * k0)
    lat = phi - (n1 * tan / r1) * (
        d**2 / 2
        - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * ep2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * ep2 - 3 * c1**2) * d**6 / 720
    )
    lon = (zone * 6 - 183) + math.degrees(
        (d - (1 + 2 * t1 + c1) * d**3 / 6 + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * ep2 + 24 * t1**2) * d**5 / 120)
        / cos
    )
    return math.degrees(lat), lon


def metres(structure, expected):
    return 1000 * distance_km(structure.latitude, structure.longitude, *expected)


def test_overseas_code_rule():
    assert insee_code("01", "451") == "01451"
    assert insee_code("2A", "4") == "2A004"
    assert insee_code("9C", "302") == "97302"  # Cayenne
    assert insee_code("9D", "411") == "97411"  # Saint-Denis
    assert insee_code("9F", "606") == "97606"  # Chirongui, Mayotte
    assert insee_code("9J", "613") == "98613"  # Uvea, Wallis-et-Futuna
    assert insee_code("9A", "123") == "97701"  # Saint-Barthélemy, filed under Guadeloupe
    assert insee_code("9A", "127") == "97801"  # Saint-Martin
    assert insee_code("", "127") == ""


def test_every_sample_line_names_a_commune_of_the_reference(shared_data):
    path = settings.COG_DATA_DIR / "communes.json"
    if not path.exists():
        pytest.skip("Référentiel absent : lancez « make setup » (npm ci) pour installer le COG.")
    current = {c["code"] for c in json.loads(path.read_text(encoding="utf-8")) if c["type"] == "commune-actuelle"}
    lines = (shared_data / EXTRACT).read_text(encoding="utf-8").splitlines()[1:]
    codes = [insee_code(line.split(";")[13], line.split(";")[12]) for line in lines]
    assert len(codes) == 14
    assert [code for code in codes if code not in current] == []


def test_import_of_the_real_extraction(extract, ain, overseas):
    dry = run("import_finess", extract)
    assert "Import FINESS — finess_etalab_extrait_brut_20260512.txt (extraction etalab du 2026-05-12, UTF-8)" in dry
    assert "Structures : 14 nouvelles, 0 modifiée, 0 inchangée, 0 disparue." in dry
    assert Structure.objects.count() == 0

    output = run("import_finess", extract, "--apply")
    assert "Changements enregistrés." in output
    # Martinique (2), Mayotte (2) and Wallis are not in this test's reference: codes kept, reported.
    assert "5 avertissements (commune inconnue : 5)" in output
    communes = dict(Structure.objects.values_list("finess_et", "commune_id"))
    assert communes["010000024"] == "01451"
    assert communes["970300026"] == communes["970302287"] == "97302"  # Cayenne
    assert (communes["970400024"], communes["970405767"], communes["970409645"]) == ("97411", "97410", "97408")
    assert (communes["970102018"], communes["970100400"]) == ("97701", "97801")
    martinique = Structure.objects.get(finess_et="970210126")
    assert (martinique.commune_id, martinique.commune_code, martinique.departement_code) == (None, "97207", "9B")

    fleyriat = Structure.objects.get(finess_et="010000024")
    assert fleyriat.name == "CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT"
    assert (fleyriat.category_code, fleyriat.aggregate_category_label) == ("355", "Centres Hospitaliers")
    assert (fleyriat.siret, fleyriat.ape_code, fleyriat.phone) == ("26010004500012", "8610Z", "0474454647")
    assert (fleyriat.opened_on, fleyriat.source_updated_on) == (date(1979, 2, 13), date(2020, 2, 4))
    assert Structure.objects.get(finess_et="980501506").short_name == 'LIEU DE VIE "MAVOUNA MEMA 1"'

    again = run("import_finess", extract, "--apply")
    assert "Structures : 0 nouvelle, 0 modifiée, 14 inchangées, 0 disparue." in again
    assert "Aucun changement" in again
    assert AuditEntry.objects.filter(action="directory.finess.imported").count() == 2


def test_geolocation_file_updates_known_structures(shared_data, tmp_path, ain):
    run("import_finess", write(tmp_path / "et.txt", [HEADER, structure_line()]), "--apply")
    geolocation = shutil.copy(shared_data / GEOLOCATION, tmp_path / GEOLOCATION)
    output = run("import_finess", geolocation, "--apply")
    assert "Coordonnées : 1 nouvelle, 0 modifiée, 0 inchangée." in output
    assert "1 avertissement (structure inconnue : 1)" in output
    assert "aucune structure n'est retirée" in output
    fleyriat = Structure.objects.get()
    assert fleyriat.active
    assert metres(fleyriat, lambert93_to_wgs84(870262.2, 6571540.8)) < 1
    assert metres(fleyriat, (46.2223, 5.2092)) < 20  # the hospital, Viriat, next to Bourg-en-Bresse
    assert (fleyriat.coordinates_epsg, fleyriat.geocoded_on) == (2154, date(2026, 5, 4))
    assert "Lambert-93" in fleyriat.coordinates_source
    again = run("import_finess", geolocation, "--apply")
    assert "Coordonnées : 0 nouvelle, 0 modifiée, 1 inchangée." in again


def test_antilles_coordinates_in_utm_20n(shared_data, tmp_path, db):
    guadeloupe = structure_line(finess="970100012", name="CHU POINTE-A-PITRE", departement="9A", commune="120")
    geolocation = (shared_data / GEOLOCATION).read_text(encoding="utf-8").splitlines()[1]
    run("import_finess", write(tmp_path / "both.txt", [HEADER, guadeloupe, geolocation]), "--apply")
    structure = Structure.objects.get()
    assert structure.coordinates_epsg == 5490
    assert metres(structure, utm_to_wgs84(657242.9, 1795384.4, zone=20)) < 1
    assert 16.0 < structure.latitude < 16.5 and -61.7 < structure.longitude < -61.3


def test_historical_layout_with_header_and_lost_accents(shared_data, tmp_path, ain):
    path = shutil.copy(shared_data / "finess_etalab_stock_et_20201231_sample.csv", tmp_path / "stock.csv")
    output = run("import_finess", path, "--apply")
    assert "(ancien format annuel avec en-tête, UTF-8)" in output
    assert "Structures : 100 nouvelles" in output
    assert "Coordonnées : 100 nouvelles" in output
    assert "caractères perdus dans la source" in output
    fleyriat = Structure.objects.get(finess_et="010000024")
    assert fleyriat.commune_id == "01451"
    assert metres(fleyriat, lambert93_to_wgs84(870215.7, 6571590.5)) < 1


def test_latin1_file(tmp_path, ain):
    line = structure_line(name="CENTRE MÉDICAL DE L'ŒUVRE", long_name="CENTRE MÉDICO-SOCIAL")
    output = run("import_finess", write(tmp_path / "latin1.txt", [HEADER, line], encoding="cp1252"), "--apply")
    assert "Windows-1252" in output
    structure = Structure.objects.get()
    assert (structure.short_name, structure.long_name) == ("CENTRE MÉDICAL DE L'ŒUVRE", "CENTRE MÉDICO-SOCIAL")


def test_rejected_lines_and_warnings(tmp_path, ain):
    lines = [
        HEADER,
        structure_line(),  # 2
        structure_line(finess="010000025"),  # 3: bad check digit
        structure_line(finess="010000032")[:-30] + ";",  # 4: fields missing
        "equipementsocial;010000024;1;2",  # 5: unknown section
        structure_line(finess="010000032", commune="999"),  # 6: unknown commune
        structure_line(),  # 7: same structure again
        "geolocalisation;010000032;908351.7;1795384.4;1,ATLASANTE,100,IGN,BD_ADRESSE,V2.2,LAMBERT_93;2021-01-04",  # 8
        "geolocalisation;010000024;870262.2;6571540.8;EPSG:2154;2026",  # 9: date cut short, no end of line
    ]
    path = tmp_path / "bad.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    output = run("import_finess", path, "--apply", "--allow-mass-removal")  # line 9 has no end of line
    assert "4 lignes rejetées" in output
    assert "2 avertissements (commune inconnue : 1, coordonnées inutilisables : 1)" in output
    report = (tmp_path / "bad.txt.rejets.csv").read_text(encoding="utf-8-sig")
    assert "3;rejet;numéro FINESS « 010000025 » invalide" in report
    assert "4;rejet;ligne structureet de 30 champs au lieu de 32" in report
    assert "5;rejet;section « equipementsocial » non prise en charge" in report
    assert "6;avertissement;commune « 01999 » absente du référentiel" in report
    assert "7;rejet;structure 010000024 en double : déjà décrite par la ligne 2" in report
    assert "8;avertissement;coordonnées ignorées : point hors de la zone du système EPSG:2154" in report
    assert "9;avertissement;date" not in report  # a date cut short is not worth a line
    assert Structure.objects.count() == 2


def test_gone_structures_are_deactivated(extract, tmp_path, db):
    run("import_finess", extract, "--apply")
    output = run(
        "import_finess", write(tmp_path / "one.txt", [HEADER, structure_line()]), "--apply", "--allow-mass-removal"
    )
    assert "Structures : 0 nouvelle, 1 modifiée, 0 inchangée, 13 disparues." in output
    assert Structure.objects.active().count() == 1
    assert Structure.objects.inactive().count() == 13


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "est vide"),
        ("Type d'identifiant PP|Identifiant PP|Nom d'exercice|\n", "l'extraction RPPS, pas une extraction FINESS"),
        (
            "structureet|010000024|010780054|CH|\n",
            "Séparateur incorrect : les champs sont séparés par une barre verticale",
        ),
        (
            "section,nofinesset,nofinessej,rs,rslongue\n",
            "Séparateur incorrect : les champs sont séparés par une virgule",
        ),
        ("bonjour;le;monde\n", "Format FINESS non reconnu"),
    ],
    ids=["empty", "rpps", "pipe", "comma", "unknown"],
)
def test_whole_file_errors(tmp_path, db, content, message):
    path = tmp_path / "finess.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("import_finess", path, "--apply")
    assert not ImportRun.objects.exists()


def test_truncated_last_line(tmp_path, db):
    path = tmp_path / "cut.txt"
    path.write_text("\n".join([HEADER, structure_line(), structure_line(finess="010000032")[:60]]), encoding="utf-8")
    with pytest.raises(CommandError, match=r"la dernière ligne \(3\) s'arrête sans fin de ligne"):
        run("import_finess", path, "--apply")
    assert not Structure.objects.exists()
    output = run("import_finess", path, "--apply", "--allow-mass-removal")
    assert "1 ligne rejetée (ligne tronquée : 1)" in output
    assert list(Structure.objects.values_list("finess_et", flat=True)) == ["010000024"]


def test_a_moved_structure_is_searched_by_its_new_town_and_the_summary_names_the_line_alone(tmp_path, ain):
    first = write(tmp_path / "a.txt", [HEADER, structure_line()])
    run("import_finess", first, "--apply")
    assert Structure.objects.get().search_city == "viriat"
    moved = write(tmp_path / "b.txt", [HEADER, structure_line().replace("01440 VIRIAT", "01000 ST DENIS LES BOURG")])
    output = run("import_finess", moved, "--apply")
    assert Structure.objects.get().search_city == "saint denis les bourg"
    assert "Champs modifiés : ligne d'acheminement (1)." in output
    assert "recherche" not in output  # the derived search column is not a change a user made

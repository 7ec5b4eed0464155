"""Exports of the search, for the coordinator only: CSV for Excel FR, XLSX, one audit entry each."""

import csv
import io

import pytest
from openpyxl import load_workbook

from maillage.core.models import AuditEntry
from tests.directory_ui.helpers import pro
from tests.factories import RoleFactory

CSV = "/c/cmv/annuaire/export.csv"
XLSX = "/c/cmv/annuaire/export.xlsx"


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel then reads the accents right
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    return [["" if value is None else value for value in row] for row in sheet.iter_rows(values_only=True)]


def test_csv_export_of_the_current_search(directory, coordinator_client):
    response = coordinator_client.get(CSV, {"commune": "92046", "radius": "3"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="annuaire-cmv-professionnels-' in response["Content-Disposition"]
    rows = read_csv(response)
    header, lines = rows[0], rows[1:]
    assert header[:4] == ["Identifiant national", "Civilité", "Nom", "Prénom"]
    by_name = {line[2]: dict(zip(header, line, strict=True)) for line in lines}
    assert set(by_name) == {"Lefèvre", "Dupont"}
    lefevre = by_name["Lefèvre"]
    assert lefevre["Identifiant national"] == directory["lefevre"].national_id
    assert lefevre["Commune"] == "Malakoff" and lefevre["Code commune"] == "92046"
    assert lefevre["Téléphone"] == "0146000001"
    assert lefevre["Adhérent"] == "oui" and lefevre["Compétences"] == "Pédiatrie"
    assert lefevre["Langues parlées"] == "anglais, espagnol"
    assert lefevre["MSSanté"] == "elodie.lefevre@medecin.mssante.fr"
    assert by_name["Dupont"]["Adhérent"] == "non"  # his membership of another CPTS is not ours

    entry = AuditEntry.objects.get(action="directory.export")
    assert entry.cpts == directory["cmv"]
    assert entry.details == {
        "format": "csv",
        "table": "professionals",
        "filters": {"commune": "92046", "radius": 3, "scope": "territory"},
        "rows": 2,
    }


def test_export_has_every_matching_row_not_only_the_page(directory, coordinator_client):
    second_site = directory["lefevre"].activities.get()
    second_site.pk, second_site.key, second_site.trade_name = None, "autre-site", "Centre de Vanves"
    second_site.commune = directory["communes"]["92075"]
    second_site.save()
    for n in range(30):
        pro(directory["communes"]["92020"], last_name=f"Zorro{n:02d}")
    rows = read_csv(coordinator_client.get(CSV))[1:]
    assert len(rows) == 33  # 32 professionals, Lefèvre on two lines (one per site)
    assert [row[7] for row in rows if row[2] == "Lefèvre"] == ["Cabinet de Malakoff", "Centre de Vanves"]
    assert AuditEntry.objects.get(action="directory.export").details["rows"] == 33


def test_xlsx_export(directory, coordinator_client):
    response = coordinator_client.get(XLSX, {"name": "dup"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = read_xlsx(response)
    assert rows[0][2:6] == ["Nom", "Prénom", "Profession", "Savoir-faire"]
    assert len(rows) == 2
    assert rows[1][2:5] == ["Dupont", "Jean", "Infirmier"]
    assert rows[1][19] == "jean.dupont@infirmier.mssante.fr"
    details = AuditEntry.objects.get(action="directory.export").details
    assert details["format"] == "xlsx" and details["rows"] == 1 and details["filters"]["name"] == "dup"


@pytest.mark.parametrize("url", [CSV, XLSX])
def test_structures_export(directory, coordinator_client, url):
    response = coordinator_client.get(url, {"table": "structures", "scope": "all"})
    rows = read_csv(response) if url == CSV else read_xlsx(response)
    assert rows[0][:4] == ["FINESS établissement", "FINESS entité juridique", "Raison sociale", "Catégorie"]
    assert sorted(row[2] for row in rows[1:]) == [
        "CENTRE DE SANTE DES LILAS",
        "HOPITAL LOINTAIN",
        "PHARMACIE DU MARCHE",
    ]
    assert AuditEntry.objects.get(action="directory.export").details["table"] == "structures"


def test_formulas_in_the_national_files_never_run(directory, coordinator_client):
    pro(directory["communes"]["92046"], last_name='=HYPERLINK("http://x")', first_name="+33")
    csv_rows = read_csv(coordinator_client.get(CSV, {"scope": "all"}))
    assert ['\'=HYPERLINK("http://x")', "'+33"] in [row[2:4] for row in csv_rows]
    sheet = load_workbook(io.BytesIO(coordinator_client.get(XLSX).content)).worksheets[0]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("http://x")']
    assert cells and cells[0].data_type == "s"  # text, not a formula


@pytest.mark.parametrize("kind", ["member", "regulator"])
def test_only_the_coordinator_exports(directory, login, kind):
    client = login(RoleFactory(cpts=directory["cmv"], kind=kind).user, with_mfa=True)
    assert client.get(CSV).status_code == 404
    assert client.get(XLSX).status_code == 404
    assert not AuditEntry.objects.filter(action="directory.export").exists()


def test_invalid_filters_export_nothing(directory, coordinator_client):
    response = coordinator_client.get(CSV, {"commune": "Atlantide"})
    assert response.status_code == 400
    assert "Commune inconnue" in response.content.decode()
    assert not AuditEntry.objects.filter(action="directory.export").exists()

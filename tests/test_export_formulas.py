"""Every CSV and XLSX Maillage writes carries data, never a formula (maillage/core/exports.py).

Text that looks like a formula is typed into each text field an export carries; each file is read
back as a spreadsheet would: no XLSX cell is a formula and its text is intact; a CSV cell starts
with the single quote that keeps Excel from computing it. Numbers stay numbers.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from maillage.core.exports import csv_row, xlsx_row
from maillage.crisis.models import Crisis
from maillage.directory.models import DirectoryEntry
from maillage.directory.sources import Issue, Report
from maillage.funding.models import ContractIndicator, IndicatorStep
from maillage.projet import zoning
from tests.directory_ui.helpers import pro
from tests.factories import StructureFactory
from tests.funding.conftest import FOUND, avenant_2, cmv_contract, keep  # noqa: F401 (fixtures)
from tests.projet.conftest import bergerac_coordinator, dordogne  # noqa: F401 (fixtures)

FORMULAS = {
    "equals": '=HYPERLINK("http://pirate.example/","Cliquez")',
    "plus": "+33 1 46 00 00 01",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SOMME(A1:A9)",
    "tab": "\t=1+1",
    "return": "\r=1+1",
}
STARTS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cells(content: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula(content: bytes, expected: list[str]) -> None:
    cells = xlsx_cells(content)
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    missing = [text for text in expected if not any(text in value for value in texts)]
    assert missing == []  # the text is kept whole, without a quote added


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def assert_quoted(rows: list[list[str]], expected: list[str]) -> None:
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if cell.startswith(STARTS)] == []
    assert [text for text in expected if "'" + text not in cells] == []


def test_the_helpers_leave_numbers_alone():
    assert csv_row([-3, Decimal("-2.5"), 0, None, "-3", "=1", "Dupont"]) == [-3, Decimal("-2.5"), 0, "", "'-3", "'=1", "Dupont"]  # fmt: skip
    workbook = openpyxl.Workbook()
    workbook.active.append(xlsx_row(workbook.active, [-3, Decimal("-2.5"), "=1+1", "@x"]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    cells = {cell.value: cell.data_type for cell in xlsx_cells(buffer.getvalue())}
    assert cells == {-3: "n", -2.5: "n", "=1+1": "s", "@x": "s"}


@pytest.fixture
def formula_directory(idf):
    commune = idf["communes"]["92046"]
    professional = pro(
        commune,
        last_name=FORMULAS["equals"],
        first_name=FORMULAS["plus"],
        profession_label=FORMULAS["minus"],
        savoir_faire_label=FORMULAS["at"],
    )
    activity = professional.activities.get()
    activity.trade_name, activity.phone = FORMULAS["tab"], FORMULAS["return"]
    activity.save()
    DirectoryEntry.objects.create(
        cpts=idf["cmv"],
        professional=professional,
        languages=["=langue"],
        mssante_address="=mssante@example.fr",
        public_listing=True,
    )
    StructureFactory(short_name=FORMULAS["equals"], commune=commune, commune_code=commune.code, phone="-0146")
    return professional


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_directory_exports_of_professionals(formula_directory, coordinator_client):
    expected = [*FORMULAS.values(), "=langue", "=mssante@example.fr"]
    rows = read_csv(_body(coordinator_client.get("/c/cmv/annuaire/export.csv", {"scope": "all"})))
    assert_quoted(rows, expected)
    assert_no_formula(coordinator_client.get("/c/cmv/annuaire/export.xlsx", {"scope": "all"}).content, expected)


def test_directory_exports_of_structures(formula_directory, coordinator_client):
    query = {"table": "structures", "scope": "all"}
    assert_quoted(read_csv(_body(coordinator_client.get("/c/cmv/annuaire/export.csv", query))), [FORMULAS["equals"], "-0146"])  # fmt: skip
    content = coordinator_client.get("/c/cmv/annuaire/export.xlsx", query).content
    assert_no_formula(content, [FORMULAS["equals"], "-0146"])


def test_the_funding_report(idf, cmv_contract, coordinator_client):  # noqa: F811
    cmv = idf["cmv"]
    cmv.name = FORMULAS["equals"]
    cmv.save()
    cmv_contract.tier_reason = FORMULAS["at"]
    cmv_contract.save()
    cmv_contract.rule_set.label = FORMULAS["minus"]
    cmv_contract.rule_set.save()
    Crisis.objects.create(  # recognised by the ARS: the report names it
        cpts=cmv,
        kind="epidemic",
        title=FORMULAS["plus"],
        starts_on=date(2025, 1, 20),
        declared_by="ars",
        recognised_on=date(2025, 2, 1),
    )
    keep(cmv, FOUND, 2025, 35)
    # A code outside the registry is shown as typed: the label of the line is the coordinator's text.
    typed = ContractIndicator.objects.create(contract=cmv_contract, code=FORMULAS["equals"], mission="access", higher_is_better=True)  # fmt: skip
    IndicatorStep.objects.create(indicator=typed, lower=None, upper=None, amount=Decimal(100))
    content = coordinator_client.get("/c/cmv/financement/rapport.xlsx?annee=2025").content
    assert_no_formula(content, [FORMULAS["equals"], FORMULAS["at"], FORMULAS["minus"], FORMULAS["plus"]])
    assert FORMULAS["equals"] in [cell.value for cell in xlsx_cells(content)]  # the line's label, whole
    assert 4000 in [cell.value for cell in xlsx_cells(content)]  # amounts stay numbers


def test_the_diagnostic_workbook(dordogne, bergerac_coordinator):  # noqa: F811
    cpts = dordogne["cpts"]
    cpts.name = FORMULAS["equals"]
    cpts.save()
    commune = dordogne["communes"]["24037"]
    commune.name = FORMULAS["at"]
    commune.save()
    content = bergerac_coordinator.get("/c/bergerac/diagnostic.xlsx").content
    assert_no_formula(content, [FORMULAS["equals"], FORMULAS["at"]])
    assert 8_000 in [cell.value for cell in xlsx_cells(content)]  # a population stays a number


def test_the_rejected_lines_reports(tmp_path):
    report = Report(tmp_path / "rejets.csv", explicit=True)
    report.add(Issue(line=3, kind="x", detail="champ illisible", excerpt=FORMULAS["equals"]))
    report.close()
    assert_quoted(read_csv((tmp_path / "rejets.csv").read_bytes()), [FORMULAS["equals"]])
    outcome = zoning.Outcome(file_name="zonage.csv", applied=False)
    outcome.rejected.append(zoning.Rejected(line=2, reason="code inconnu", excerpt=FORMULAS["minus"]))
    zoning.write_report(outcome, tmp_path / "zonage.csv")
    assert_quoted(read_csv((tmp_path / "zonage.csv").read_bytes()), [FORMULAS["minus"]])

"""Small-number secrecy on rates too: a CPTS with 3 unscheduled-care requests, 2 of them served
within 24 hours. A regional reader sees neither the count (« < 5 ») nor the rate over those three
people (« non diffusé »), on every surface; the coordinator sees both."""

import io
from datetime import timedelta

import docx
import openpyxl
import pytest
from django.utils import timezone

from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.projet import diagnostic, document, workbook
from maillage.projet.models import ProjetSante
from maillage.unscheduled.actions.desk import book, take_request
from maillage.unscheduled.actions.slots import open_slot
from maillage.unscheduled.enums import Kind
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory
from tests.funding.conftest import SERVED, avenant_2, cmv_contract, keep  # noqa: F401 (fixtures)

REQUESTS = "unscheduled.requests"
HIDDEN = "non diffusé (moins de 5 personnes)"
SERVED_INDICATOR = registry.get(SERVED)


def _request(idf, member, n):
    data = {"last_name": f"Petit{n}", "first_name": "Jeanne", "phone": "0600000000", "email": "j@exemple.fr",
            "commune": idf["communes"]["92020"], "reason": "fièvre depuis 3 jours", "urgency": "24h"}  # fmt: skip
    return take_request(idf["cmv"], data, member, confirm_duplicate=True)


@pytest.fixture
def three_requests(idf):
    """This month: three requests, two booked within the hour (66.7 % served within 24 h)."""
    member = RoleFactory(cpts=idf["cmv"]).user
    gp = ProfessionalFactory(last_name="Bernard")
    ActivityFactory(professional=gp, commune=idf["communes"]["92046"])
    now = timezone.now().replace(second=0, microsecond=0)
    soon = now + timedelta(hours=1, minutes=-(now.minute % 15))
    for n in range(3):
        request = _request(idf, member, n)
        if n < 2:
            start = soon + timedelta(minutes=30 * n)
            slot = open_slot(idf["cmv"], gp, member, start=start, end=start + timedelta(minutes=20),
                             kind=Kind.PRACTICE, types=("CPTS", "SNP"))  # fmt: skip
            book(request, slot, member)
    return idf["cmv"]


@pytest.fixture
def regional_user(idf):
    return RoleFactory(regional=True, region=idf["region"]).user


def test_the_registry_hides_a_rate_over_fewer_than_five_people(three_requests):
    period = Period.current_month()
    values = registry.compute(three_requests, period, [REQUESTS, SERVED])
    assert values == {REQUESTS: 3, SERVED: 66.7}
    assert registry.for_region(registry.get(REQUESTS), values) == "< 5"
    assert registry.for_region(SERVED_INDICATOR, values) == HIDDEN
    assert registry.for_region(SERVED_INDICATOR, {SERVED: 66.7, REQUESTS: 12}) == 66.7
    # Without the population in the values it is computed; unknown, the rate is withheld.
    assert registry.for_region(SERVED_INDICATOR, {SERVED: 66.7}, cpts=three_requests, period=period) == HIDDEN
    assert registry.for_region(SERVED_INDICATOR, {SERVED: 66.7}) == HIDDEN


def test_every_statistic_that_is_not_a_count_says_over_whom():
    undeclared = [
        i.code for i in registry.computed() if not i.counts_people and i.population is None and i.kind != "count"
    ]
    # Not about people: doctors' slots per week. Every other rate, ratio and median names its population.
    assert undeclared == ["unscheduled.slots_per_week"]
    with pytest.raises(ValueError, match="say over whom it is computed"):
        registry.register(
            "test.rate", label="x", mission="unscheduled", unit="%", kind="percentage", counts_people=False
        )


def test_the_api(three_requests, login, regional_user, coordinator_client):
    url = "/api/v1/cpts/cmv/indicators"
    rows = {row["code"]: row["valeur"] for row in login(regional_user).get(url).json()["indicateurs"]}
    assert (rows[REQUESTS], rows[SERVED]) == ("< 5", HIDDEN)
    rows = {row["code"]: row["valeur"] for row in coordinator_client.get(url).json()["indicateurs"]}
    assert (rows[REQUESTS], rows[SERVED]) == (3, 66.7)


@pytest.fixture
def funding_2025(idf, cmv_contract):  # noqa: F811
    keep(idf["cmv"], REQUESTS, 2025, 3)
    keep(idf["cmv"], SERVED, 2025, 66.7)
    return cmv_contract


def test_the_funding_page_and_documents(funding_2025, login, regional_user, coordinator_client):
    regional = login(regional_user)
    page = regional.get("/c/cmv/financement/?annee=2025").content.decode()
    assert f'<td class="num">{HIDDEN}</td>' in page and "66,7" not in page
    assert '<td class="num">66,7</td>' in coordinator_client.get("/c/cmv/financement/?annee=2025").content.decode()
    label = SERVED_INDICATOR.label
    word = docx.Document(io.BytesIO(regional.get("/c/cmv/financement/rapport.docx?annee=2025").content))
    cells = [[c.text for c in row.cells][:3] for row in word.tables[1].rows]
    assert [label, "accès aux soins", HIDDEN] in cells
    for client, shown in ((regional, HIDDEN), (coordinator_client, "66,7")):
        sheet = openpyxl.load_workbook(io.BytesIO(client.get("/c/cmv/financement/rapport.xlsx?annee=2025").content))
        rows = [row[:3] for row in sheet.active.iter_rows(values_only=True)]
        assert (label, "accès aux soins", shown) in rows


def test_the_indicators_pages(three_requests, login, regional_user, coordinator_client):
    regional = login(regional_user)
    text = regional.get("/c/cmv/indicateurs/").content.decode()
    assert HIDDEN in text and "66,7" not in text and "&lt; 5" in text
    mine = coordinator_client.get("/c/cmv/indicateurs/").content.decode()
    assert HIDDEN not in mine and "66,7" in mine

    period = Period.current_month()
    keep_month = {"period_start": period.start, "period_end": period.end}
    three_requests.indicator_values.create(code=SERVED, period=period.code, value=66.7, **keep_month)
    detail = regional.get(f"/c/cmv/indicateurs/{SERVED}/")
    assert HIDDEN in detail.content.decode() and "66,7" not in detail.content.decode()
    assert "66,7" in coordinator_client.get(f"/c/cmv/indicateurs/{SERVED}/").content.decode()


def test_the_diagnostic_page_workbook_and_projet_document(three_requests, login, regional_user, coordinator_client):
    year = timezone.localdate().year
    hidden = diagnostic.compute(three_requests, year=year, regional=True)
    figures = {f.code: f.value for f in hidden.missions}
    assert (figures[REQUESTS], figures[SERVED]) == ("< 5", HIDDEN)
    shown = {f.code: f.value for f in diagnostic.compute(three_requests, year=year).missions}
    assert (shown[REQUESTS], shown[SERVED]) == (3, 66.7)

    sheet = openpyxl.load_workbook(io.BytesIO(workbook.build(hidden)))["Missions"]
    values = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert values["Demandes de soins non programmés reçues"] == "< 5"
    assert values["Part des demandes prises en charge en moins de 24 heures"] == HIDDEN
    word = docx.Document(io.BytesIO(document.build(three_requests, ProjetSante(cpts=three_requests), hidden)))
    cells = [[c.text for c in row.cells] for table in word.tables for row in table.rows]
    assert ["Demandes de soins non programmés reçues", "< 5", "demandes", ""] in cells
    assert not any("66,7" in cell for row in cells for cell in row)

    page = login(regional_user).get("/c/cmv/diagnostic/").content.decode()
    assert HIDDEN in page and "66,7" not in page
    assert "66,7" in coordinator_client.get("/c/cmv/diagnostic/").content.decode()

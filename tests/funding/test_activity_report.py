"""Issue 17 — the yearly ACI report says, per mission, what was done (from the missions' records)."""

import io
from decimal import Decimal

from docx import Document
from openpyxl import load_workbook

from maillage.funding import documents, report
from maillage.indicators import activity
from maillage.indicators.registry import Mission
from tests.conftest import _login
from tests.factories import RoleFactory


def _words(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    return "\n".join(
        [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]
    )


def test_each_mission_says_what_it_did_and_regional_readers_see_no_small_count(cmv_contract, monkeypatch):
    seen = []

    def prevention(cpts, year):
        seen.append((cpts, year))
        return [
            activity.Line("Campagnes de prévention menées", 2, "Octobre rose, Mois sans tabac"),
            activity.Line("Personnes sensibilisées", 3, counts_people=True),
            activity.Line("Heures de professionnels", Decimal("12.5")),
        ]

    monkeypatch.setattr(activity, "ACTIVITIES", {Mission.PREVENTION: [prevention], Mission.QUALITY: []})
    built = report.build(cmv_contract, 2025)
    own = _words(documents.docx_bytes(built))
    assert "Ce qui a été fait en 2025, par mission" in own
    assert "Octobre rose, Mois sans tabac" in own and "12,5" in own
    assert "rien d'enregistré dans Maillage cette année" in own  # quality: nothing that year
    assert seen == [(cmv_contract.cpts, 2025)]
    regional = _words(documents.docx_bytes(built, regional=True))
    assert "< 5" in regional
    sheet = load_workbook(io.BytesIO(documents.xlsx_bytes(built))).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert 2 in values  # a count stays a number in the spreadsheet


def test_the_funding_page_shows_what_each_mission_did(cmv_contract, monkeypatch):
    def quality(cpts, year):
        return [activity.Line("Séances de groupes de pairs", 4, "GAP antibiothérapie")]

    monkeypatch.setattr(activity, "ACTIVITIES", {Mission.QUALITY: [quality]})
    client = _login(RoleFactory(coordinator=True, cpts=cmv_contract.cpts).user)
    page = client.get("/c/cmv/financement/?annee=2025").content.decode()
    assert "Ce qui a été fait en 2025, par mission" in page
    assert "Séances de groupes de pairs" in page and "GAP antibiothérapie" in page


def test_a_campaigns_results_reach_the_yearly_report(cmv_contract):
    """Done when: a campaign with an action and its results shows in the ACI report, without retyping."""
    from datetime import date

    from maillage.prevention import actions

    cmv = cmv_contract.cpts
    draft = actions.CampaignDraft(theme="colorectal", title="Mars bleu à Vanves", objective="Dépister.",
                                  starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 31))  # fmt: skip
    campaign = actions.create_campaign(cmv, draft, None)
    event = actions.plan_event(campaign, actions.EventDraft(kind="stand", day=date(2025, 3, 12), place="Marché"), None)
    actions.record_results(
        event, actions.Results(people_reached=48, tests_distributed=3), None, today=date(2025, 3, 12)
    )
    built = report.build(cmv_contract, 2025)
    own = _words(documents.docx_bytes(built))
    assert "Mars bleu à Vanves" in own and "Personnes touchées" in own and "48" in own
    regional = _words(documents.docx_bytes(built, regional=True))
    assert "48" in regional and "< 5" in regional  # 3 tests given: a count of people under 5

"""Issue 16 item 4 — the representativeness report: its figures match the members and the
directory; a regional reader sees no name and no count under 5; the files hold the same."""

import io
from datetime import timedelta
from html import unescape

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from maillage.association import report as representativeness
from maillage.association.actions.board import MandateDraft, create_mandate
from maillage.association.models import Member
from maillage.association.models.board import BoardRole, Body
from tests.association.board_helpers import member
from tests.factories import ActivityFactory, ProfessionalFactory, RoleFactory

pytestmark = pytest.mark.django_db


def _professional(commune, profession="10"):
    professional = ProfessionalFactory(profession_code=profession)
    ActivityFactory(professional=professional, commune=commune)
    return professional


@pytest.fixture
def territory(idf):
    """cmv: 6 doctors and 2 nurses in Malakoff, 3 pharmacists in Châtillon, nobody in Vanves;
    members: 3 doctors (one on the bureau) and a nurse in Malakoff, a commune (Vanves), a
    hospital; an expired doctor and a pending one (not counted)."""
    cmv, communes = idf["cmv"], idf["communes"]
    malakoff, chatillon, vanves = communes["92046"], communes["92020"], communes["92075"]
    doctors = [_professional(malakoff) for _ in range(6)]
    nurses = [_professional(malakoff, "60") for _ in range(2)]
    for _ in range(3):
        _professional(chatillon, "21")
    today = timezone.localdate()
    people = [
        member(cmv, professional=doctors[0], profession_code="10", commune=malakoff, last_name="Garnier"),
        member(cmv, professional=doctors[1], profession_code="10", commune=malakoff, last_name="Roux"),
        member(cmv, professional=doctors[2], profession_code="10", commune=malakoff, status=Member.Status.GRACE),
        member(cmv, professional=nurses[0], profession_code="60", commune=malakoff),
        member(cmv, "collectivites", kind=Member.Kind.LEGAL, name="Commune de Vanves", commune=vanves,
               legal_kind=Member.LegalKind.COMMUNE),
        member(cmv, "sanitaire", kind=Member.Kind.LEGAL, name="Hôpital Nord", legal_kind=Member.LegalKind.STRUCTURE),
    ]  # fmt: skip
    member(cmv, professional=doctors[3], profession_code="10", commune=malakoff, status=Member.Status.EXPIRED)
    member(cmv, professional=doctors[4], profession_code="10", commune=malakoff, status=Member.Status.PENDING)
    start, end = today - timedelta(days=100), today + timedelta(days=600)
    create_mandate(cmv, MandateDraft(people[0], Body.BUREAU, BoardRole.PRESIDENT, start, end), None)
    create_mandate(cmv, MandateDraft(people[0], Body.BOARD, BoardRole.DIRECTOR, start, end), None)
    create_mandate(cmv, MandateDraft(people[4], Body.BOARD, BoardRole.DIRECTOR, start, end), None)
    return people


def test_the_figures_match_the_members_and_the_directory(idf, territory):
    cmv = idf["cmv"]
    report = representativeness.build(cmv, timezone.localdate())
    voting = Member.objects.of_cpts(cmv).voting()
    assert report.members == voting.count() == 6
    assert report.board_members == 2
    colleges = {line.code: (line.members, line.board) for line in report.colleges}
    assert colleges == {"liberaux": (4, 1), "sanitaire": (1, 0), "medico_social": (0, 0), "collectivites": (1, 1),
                        "usagers": (0, 0)}  # fmt: skip
    assert sum(line.members for line in report.colleges) == report.members
    assert sum(line.members for line in report.professions) == report.members
    assert sum(line.members for line in report.communes) == report.members
    for lines in (report.colleges, report.professions, report.communes):
        assert sum(line.board for line in lines) == report.board_members
    professions = {line.code: (line.professionals, line.members, line.board) for line in report.professions}
    assert professions == {"10": (6, 3, 1), "60": (2, 1, 0), "21": (3, 0, 0), "": (None, 2, 1)}
    by_label = {line.label: line for line in report.professions}
    assert by_label["médecin"].share == 50.0 and by_label["pharmacien"].share == 0.0
    communes = {line.label: (line.professionals, line.members) for line in report.communes}
    assert communes == {"Châtillon": (3, 0), "Malakoff": (8, 4), "Vanves": (0, 1),
                        representativeness.OUTSIDE: (None, 1)}  # fmt: skip
    assert [line.label for line in report.unrepresented_professions] == ["pharmacien"]
    assert [line.label for line in report.unrepresented_communes] == ["Châtillon"]
    assert [line.code for line in report.colleges_without_board] == ["sanitaire", "medico_social", "usagers"]
    assert [(s.role, s.name) for s in report.seats][:1] == [("président", territory[0].display_name)]


def test_a_board_member_whose_membership_lapsed_still_sits_until_the_mandate_ends(idf, territory):
    Member.objects.filter(pk=territory[4].pk).update(status=Member.Status.EXPIRED)
    report = representativeness.build(idf["cmv"], timezone.localdate())
    assert (report.members, report.board_members) == (5, 2)
    collectivites = next(line for line in report.colleges if line.code == "collectivites")
    assert (collectivites.members, collectivites.board) == (0, 1)
    for lines in (report.colleges, report.professions, report.communes):
        assert sum(line.members for line in lines) == report.members
        assert sum(line.board for line in lines) == report.board_members


def test_a_past_date_reads_the_board_of_that_day(idf, territory):
    report = representativeness.build(idf["cmv"], timezone.localdate() - timedelta(days=200))
    assert report.board_members == 0 and report.seats == []


def test_the_coordinator_reads_the_page_and_downloads_both_files(idf, territory, login):
    client = login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    page = client.get("/c/cmv/association/representativite/")
    assert page.status_code == 200
    text = unescape(page.content.decode())
    assert "Garnier" in text and "pharmacien" in text
    assert "Communes où exercent des professionnels sans adhérent : Châtillon." in text

    response = client.get("/c/cmv/association/representativite.xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="representativite-cmv-')
    workbook = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in workbook["Synthèse"].iter_rows(values_only=True)}
    assert summary["Adhérents à jour"] == 6 and summary["Membres du conseil ou du bureau"] == 2
    colleges = {row[0]: row[1:] for row in workbook["Collèges"].iter_rows(min_row=2, values_only=True)}
    assert sum(members for members, _board in colleges.values()) == 6
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            assert not any(cell.data_type == "f" for cell in row)

    document = Document(io.BytesIO(client.get("/c/cmv/association/representativite.docx").content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any("Garnier" in cell for cell in cells)


def test_a_regional_reader_sees_no_name_and_no_count_under_5(idf, territory, login):
    client = login(RoleFactory(regional=True, region=idf["region"]).user)
    page = client.get("/c/cmv/association/representativite/")
    assert page.status_code == 200
    text = page.content.decode()
    for person in territory:
        assert person.display_name not in text
    assert "Garnier" not in text and "Roux" not in text and "Hôpital Nord" not in text
    assert "&lt; 5" in text and "aucun nom" in text

    workbook = load_workbook(io.BytesIO(client.get("/c/cmv/association/representativite.xlsx").content))
    values = [cell for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert not any(isinstance(v, int | float) and 0 < v < 5 for v in values)
    assert "< 5" in values
    assert not any(isinstance(v, str) and ("Garnier" in v or "Roux" in v or "Hôpital" in v) for v in values)
    document = Document(io.BytesIO(client.get("/c/cmv/association/representativite.docx").content))
    cells = " ".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "Garnier" not in cells and "< 5" in cells


def test_another_regions_viewer_and_a_member_get_404(idf, login):
    from tests.factories import RegionFactory

    other = login(RoleFactory(regional=True, region=RegionFactory(code="76", name="Occitanie")).user)
    assert other.get("/c/cmv/association/representativite/").status_code == 404
    member_client = login(RoleFactory(cpts=idf["cmv"]).user)
    assert member_client.get("/c/cmv/association/representativite.xlsx").status_code == 404


def test_an_unreadable_date_is_said_and_today_shown(idf, territory, login):
    client = login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user)
    response = client.get("/c/cmv/association/representativite/?au=hier")
    assert response.status_code == 400
    assert "« hier » n'est pas une date" in unescape(response.content.decode())


def test_the_report_reads_a_fixed_number_of_queries_whatever_the_members(idf, territory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            representativeness.build(idf["cmv"], timezone.localdate())
        return len(captured)

    before = queries()
    for n in range(20):
        member(idf["cmv"], profession_code="70", commune=idf["communes"]["92075"], last_name=f"Kiné{n}")
    assert queries() == before <= 8

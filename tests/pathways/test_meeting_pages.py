"""The RCP pages: scheduling from a pathway, the meeting's page for each reader, declaring it held,
a patient's decisions turned into tasks, the minutes download and the participation export."""

import csv
import html
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook

from maillage.core.models import AuditEntry
from maillage.directory.models import Partner
from maillage.pathways.actions.meetings import MeetingDraft, mark_held, schedule
from maillage.pathways.actions.team import add_member
from maillage.pathways.models import Meeting, MeetingStatus, Task
from maillage.pathways.states import CareRole


def text_of(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def meeting(world, enrolled):
    return schedule(
        world["cmv"],
        MeetingDraft(title="RCP gériatrie", starts_at=timezone.now() - timedelta(hours=1), pathways=[enrolled],
                     participants=[world["gp"], world["nurse"], world["coordinator"]], remote=True),
        world["coordinator"],
    )  # fmt: skip


def test_the_pathway_page_shows_its_meetings_and_a_link_to_schedule_one(world, enrolled, meeting, login):
    page = text_of(login(world["nurse_user"]).get(f"/c/cmv/parcours-patients/{enrolled.pk}/"))
    assert "RCP gériatrie" in page and f"/c/cmv/rcp/nouvelle/?parcours={enrolled.pk}" in page


def test_scheduling_from_a_pathway_prefills_it_and_saves(world, enrolled, login):
    client = login(world["coordinator"])
    form = client.get(f"/c/cmv/rcp/nouvelle/?parcours={enrolled.pk}")
    assert form.status_code == 200
    assert f'value="{enrolled.pk}" id="id_pathways_0" checked' in form.content.decode()
    day = timezone.localdate() + timedelta(days=4)
    response = client.post(
        "/c/cmv/rcp/nouvelle/",
        {"title": "RCP du jeudi", "day": day.isoformat(), "hour": "14:00", "place": "Salle de la mairie",
         "pathways": [enrolled.pk], "participants": [f"p{world['gp'].pk}", f"u{world['coordinator'].pk}"]},
    )  # fmt: skip
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/c/cmv/rcp/{meeting.pk}/"
    assert timezone.localtime(meeting.starts_at).hour == 14 and meeting.participants.count() == 2


def test_a_participant_outside_the_teams_is_refused_on_the_page(world, enrolled, login):
    response = login(world["coordinator"]).post(
        "/c/cmv/rcp/nouvelle/",
        {"title": "RCP", "day": timezone.localdate().isoformat(), "hour": "09:00", "remote": "on",
         "pathways": [enrolled.pk], "participants": [f"p{world['physio'].pk}"]},
    )  # fmt: skip
    assert response.status_code == 400 and not Meeting.objects.exists()
    assert "Choisissez les participants parmi les équipes de soins" in text_of(response)


def test_the_meeting_page_shows_the_notes_to_the_team_not_to_the_coordinator_without_consent(
    world, enrolled, meeting, login
):
    mark_held(meeting, world["coordinator"])
    entry = meeting.patients.get()
    entry.decisions = "Lit médicalisé."
    entry.save()
    nurse_page = text_of(login(world["nurse_user"]).get(f"/c/cmv/rcp/{meeting.pk}/"))
    assert "Lit médicalisé." in nurse_page and "Moreau Jeanne" in nurse_page
    coordinator_page = text_of(login(world["coordinator"]).get(f"/c/cmv/rcp/{meeting.pk}/"))
    assert "Lit médicalisé." not in coordinator_page and "n'a pas consenti" in coordinator_page
    assert AuditEntry.objects.filter(action="pathways.meeting.viewed", health_data=True).count() == 2
    assert login(world["other_nurse_user"]).get(f"/c/cmv/rcp/{meeting.pk}/").status_code == 404
    assert login(world["coordinator"]).get(f"/c/cmv/rcp/{meeting.pk}/patients/{entry.pk}/").status_code == 302


def test_declaring_held_with_times_then_recording_a_decision_and_a_task(world, enrolled, meeting, login):
    client = login(world["coordinator"])
    seats = {seat.professional_id: seat.pk for seat in meeting.participants.all()}
    refused = client.post(f"/c/cmv/rcp/{meeting.pk}/tenue/", {"version": meeting.version,
                                                              f"minutes-{seats[world['gp'].pk]}": "700"})  # fmt: skip
    assert refused.status_code == 400 and "entre 0 et 600 minutes" in text_of(refused)
    done = client.post(f"/c/cmv/rcp/{meeting.pk}/tenue/", {"version": meeting.version,
                                                           f"minutes-{seats[world['gp'].pk]}": "40"})  # fmt: skip
    assert done.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    entry = meeting.patients.get()
    nurse = enrolled.team.get(professional=world["nurse"])
    due = timezone.localdate() + timedelta(days=2)
    response = login(world["gp_user"]).post(
        f"/c/cmv/rcp/{meeting.pk}/patients/{entry.pk}/",
        {"questions": "Retour à domicile ?", "decisions": "Retour à domicile validé.", "step_1": "Visite à J+2",
         "due_1": due.isoformat(), "assignee_1": nurse.pk, "version": entry.version},
    )  # fmt: skip
    assert response.status_code == 302
    assert Task.objects.get(title="Visite à J+2").assignee == nurse


def test_the_minutes_download_as_docx_with_an_ascii_name(world, enrolled, meeting, login):
    mark_held(meeting, world["coordinator"])
    response = login(world["gp_user"]).get(f"/c/cmv/rcp/{meeting.pk}/compte-rendu.docx")
    assert response.status_code == 200
    day = timezone.localtime(meeting.starts_at)
    assert response["Content-Disposition"] == f'attachment; filename="rcp-{day:%Y-%m-%d}.docx"'
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "RCP gériatrie" in text and "Moreau Jeanne" in text
    assert AuditEntry.objects.get(action="pathways.meeting.minutes_downloaded").health_data


def test_the_participation_export_as_csv_and_xlsx_never_runs_a_formula(world, enrolled, meeting, login):
    odd = Partner.objects.create(cpts=world["cmv"], kind=Partner.Kind.OTHER, name='=HYPERLINK("x")')
    add_member(enrolled, odd, CareRole.OTHER, world["coordinator"])
    meeting.participants.create(partner=odd, name=odd.name, function="autre", minutes=20)
    mark_held(meeting, world["coordinator"])
    client = login(world["coordinator"])
    today = timezone.localdate()
    query = f"?du={(today - timedelta(days=1)).isoformat()}&au={today.isoformat()}"
    response = client.get("/c/cmv/rcp/participation.csv" + query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[0][0] == "Participant" and len(rows) == 5
    # The meeting began an hour ago: yesterday's date between midnight and one in the morning.
    held_on = timezone.localtime(meeting.starts_at)
    assert ['\'=HYPERLINK("x")', "autre", "", f"{held_on:%d/%m/%Y}", meeting.reference, "20"] in rows
    assert "Moreau" not in body and enrolled.reference not in body
    workbook = load_workbook(io.BytesIO(client.get("/c/cmv/rcp/participation.xlsx" + query).content))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    formula = next(cell for cell in cells if cell.value == '=HYPERLINK("x")')
    assert formula.data_type == "s"
    bad = client.get("/c/cmv/rcp/participation.csv?du=hier")
    assert bad.status_code == 400 and "n'est pas une date" in bad.content.decode()
    assert login(world["gp_user"]).get("/c/cmv/rcp/participation.csv").status_code == 404

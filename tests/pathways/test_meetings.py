"""Réunions de concertation pluriprofessionnelle (RCP): the rules of the actions (each refusal in
French, nothing half-saved), who sees which patients of a meeting, the audited reads, the minutes
as DOCX (opened with python-docx) and the participation export."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from docx import Document

from maillage.core.models import AuditEntry
from maillage.indicators.periods import Period
from maillage.indicators.registry import REGISTRY
from maillage.pathways import minutes
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.consent import record_information
from maillage.pathways.actions.enrolment import Enrolment, enrol
from maillage.pathways.actions.meetings import (
    MeetingDraft,
    NextStep,
    cancel,
    edit_meeting,
    list_meetings,
    mark_held,
    participation_rows,
    read_meeting,
    record_minutes,
    record_outcome,
    reschedule,
    schedule,
)
from maillage.pathways.actions.team import remove_member
from maillage.pathways.models import Meeting, MeetingParticipant, MeetingStatus, MeetingTransition, Task
from maillage.pathways.states import CareRole, Decision
from tests.pathways.conftest import information, patient


def past(hours=2):
    return timezone.now() - timedelta(hours=hours)


def future(days=3):
    return timezone.now() + timedelta(days=days)


def draft(pathways, participants, *, when=None, **changes):
    values = {"title": "RCP du mardi", "starts_at": when or past(), "pathways": pathways,
              "participants": participants, "place": "Maison de santé de Malakoff"}  # fmt: skip
    return MeetingDraft(**{**values, **changes})


@pytest.fixture
def second(world):
    """M. Lemaire, diabetic, with the GP and the other nurse on his team (not the first nurse)."""
    from maillage.pathways.models import PathwayTemplate

    template = PathwayTemplate.objects.get(cpts=None, code="diabete-type-2-desequilibre")
    return enrol(
        world["cmv"],
        Enrolment(
            template=template,
            patient=patient(world["malakoff"], last_name="Lemaire", first_name="Paul", sex="M"),
            start_date=timezone.localdate(),
            information=information(),
            team=[(world["gp"], CareRole.GP), (world["other_nurse"], CareRole.NURSE)],
        ),
        world["coordinator"],
    )


@pytest.fixture
def held(world, enrolled):
    """An RCP held two hours ago about Mme Moreau: her GP, her nurse and the coordinator."""
    meeting = schedule(
        world["cmv"], draft([enrolled], [world["gp"], world["nurse"], world["coordinator"]]), world["coordinator"]
    )
    by_name = {p.professional_id: p.pk for p in meeting.participants.all()}
    mark_held(meeting, world["coordinator"], minutes={by_name[world["gp"].pk]: 45, by_name[world["nurse"].pk]: 30})
    return meeting


def consent_to_coordination(world, pathway):
    record_information(
        pathway, information(team=Decision.NON_OPPOSITION, coordination=Decision.CONSENT), world["coordinator"]
    )


# Scheduling and participants


def test_the_coordinator_schedules_an_rcp_with_the_team_and_herself(world, enrolled):
    meeting = schedule(
        world["cmv"],
        draft([enrolled], [world["gp"], world["nurse"], world["dac"], world["coordinator"]], when=future()),
        world["coordinator"],
    )
    assert meeting.status == MeetingStatus.PLANNED
    assert [e.pathway for e in meeting.patients.all()] == [enrolled]
    functions = dict(meeting.participants.values_list("name", "function"))
    assert functions[world["dac"].name] == "DAC (dispositif d'appui à la coordination)"
    assert "coordination de la CPTS" in functions.values()
    assert MeetingTransition.objects.get(meeting=meeting).target == MeetingStatus.PLANNED
    entry = AuditEntry.objects.get(action="pathways.meeting.scheduled")
    assert entry.health_data and entry.details["patients"] == [enrolled.reference]


@pytest.mark.parametrize("who", ["physio", "outsider", "other_nurse"])
def test_a_participant_outside_every_care_team_is_refused_and_nothing_is_saved(world, enrolled, who):
    with pytest.raises(PathwayError, match="ne fait partie de l'équipe de soins d'aucun des patients"):
        schedule(world["cmv"], draft([enrolled], [world["gp"], world[who]]), world["coordinator"])
    assert not Meeting.objects.exists() and not MeetingParticipant.objects.exists()


def test_a_participant_on_the_team_of_one_of_the_patients_is_enough(world, enrolled, second):
    meeting = schedule(
        world["cmv"], draft([enrolled, second], [world["nurse"], world["other_nurse"]]), world["coordinator"]
    )
    assert meeting.participants.count() == 2


def test_an_account_that_is_not_the_cpts_coordination_is_refused(world, enrolled):
    for user in (world["regulator"], world["coordinator_other"], world["gp_user"]):
        with pytest.raises(PathwayError, match="n'est pas coordinateur de la CPTS"):
            schedule(world["cmv"], draft([enrolled], [world["gp"], user]), world["coordinator"])
    assert not Meeting.objects.exists()


def test_a_professional_who_left_the_team_cannot_be_added(world, enrolled):
    remove_member(enrolled.team.get(professional=world["nurse"]), world["coordinator"])
    with pytest.raises(PathwayError, match="ne fait partie de l'équipe de soins"):
        schedule(world["cmv"], draft([enrolled], [world["gp"], world["nurse"]]), world["coordinator"])


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Indiquez l'intitulé"),
        ({"title": "x" * 201}, "trop long"),
        ({"place": "", "remote": False}, "Indiquez le lieu de la RCP, ou qu'elle se tient en visioconférence"),
        ({"pathways": []}, "au moins un patient"),
        ({"starts_at": None}, "Indiquez la date et l'heure"),
    ],
)
def test_a_meeting_without_what_it_needs_is_refused(world, enrolled, changes, message):
    values = draft([enrolled], [world["gp"]])
    for name, value in changes.items():
        setattr(values, name, value)
    with pytest.raises(PathwayError, match=message):
        schedule(world["cmv"], values, world["coordinator"])
    assert not Meeting.objects.exists()


def test_a_visio_meeting_needs_no_place(world, enrolled):
    meeting = schedule(world["cmv"], draft([enrolled], [world["gp"]], place="", remote=True), world["coordinator"])
    assert meeting.where == "en visioconférence"


def test_a_member_schedules_only_for_the_patients_they_see(world, enrolled, second):
    meeting = schedule(world["cmv"], draft([enrolled], [world["gp"], world["nurse"]]), world["nurse_user"])
    assert meeting.created_by == world["nurse_user"]
    with pytest.raises(NotVisible):
        schedule(world["cmv"], draft([second], [world["gp"]]), world["nurse_user"])
    for who in ("regulator", "regional", "coordinator_other", "no_role"):
        with pytest.raises(PathwayError):
            schedule(world["cmv"], draft([enrolled], [world["gp"]]), world[who])


# Held, minutes spent, state machine


def test_marking_held_records_each_participants_time(world, held):
    assert held.status == MeetingStatus.HELD
    spent = dict(held.participants.values_list("name", "minutes"))
    assert spent[world["gp"].full_name] == 45 and spent[world["nurse"].full_name] == 30
    assert list(MeetingTransition.objects.filter(meeting=held).values_list("target", flat=True)) == [
        "planned",
        "held",
    ]


@pytest.mark.parametrize("value", [601, -1, "une heure", 10_000])
def test_minutes_outside_0_to_600_are_refused_and_the_meeting_stays_planned(world, enrolled, value):
    meeting = schedule(world["cmv"], draft([enrolled], [world["gp"], world["nurse"]]), world["coordinator"])
    seat = meeting.participants.first()
    with pytest.raises(PathwayError, match="temps passé"):
        mark_held(meeting, world["coordinator"], minutes={seat.pk: value})
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    assert not MeetingParticipant.objects.filter(minutes__isnull=False).exists()


def test_minutes_of_0_and_600_are_accepted_and_can_be_corrected_later(world, held):
    seats = list(held.participants.order_by("pk"))
    record_minutes(held, world["coordinator"], {seats[0].pk: 0, seats[1].pk: 600})
    assert sorted(held.participants.exclude(minutes=None).values_list("minutes", flat=True)) == [0, 600]


def test_a_meeting_in_the_future_cannot_be_held(world, enrolled):
    meeting = schedule(
        world["cmv"], draft([enrolled], [world["gp"], world["nurse"]], when=future()), world["coordinator"]
    )
    with pytest.raises(PathwayError, match="avant d'avoir eu lieu"):
        mark_held(meeting, world["coordinator"])
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED


def test_a_meeting_needs_two_participants_to_be_held(world, enrolled):
    meeting = schedule(world["cmv"], draft([enrolled], [world["gp"]]), world["coordinator"])
    with pytest.raises(PathwayError, match="au moins 2 participants"):
        mark_held(meeting, world["coordinator"])


def test_the_state_machine_refuses_what_it_does_not_know(world, held):
    with pytest.raises(PathwayError, match="« tenue » : elle ne peut pas être annulée"):
        cancel(held, world["coordinator"])
    with pytest.raises(PathwayError, match="ne peut pas être déclarée tenue"):
        mark_held(held, world["coordinator"])


def test_cancelled_then_programmed_again(world, enrolled):
    meeting = schedule(world["cmv"], draft([enrolled], [world["gp"]], when=future()), world["coordinator"])
    cancel(meeting, world["coordinator"], note="Médecin absent")
    entry = meeting.patients.get()
    with pytest.raises(PathwayError, match="annulée"):
        record_outcome(entry, world["gp_user"], questions="Adapter le traitement ?")
    with pytest.raises(PathwayError, match="annulée"):
        edit_meeting(meeting, draft([enrolled], [world["gp"]]), world["coordinator"])
    reschedule(meeting, world["coordinator"])
    targets = list(MeetingTransition.objects.filter(meeting=meeting).values_list("target", "note"))
    assert targets == [("planned", ""), ("cancelled", "Médecin absent"), ("planned", "")]


# Questions, decisions, next steps


def test_decisions_and_next_steps_become_tasks_of_the_pathway(world, enrolled, held):
    entry = held.patients.get()
    nurse = enrolled.team.get(professional=world["nurse"])
    due = timezone.localdate() + timedelta(days=7)
    record_outcome(
        entry, world["gp_user"], questions="Faut-il un lit médicalisé ?",
        decisions="Demande de lit médicalisé.\n- Passage infirmier quotidien",
        next_steps=[NextStep("Commander le lit médicalisé", due, nurse), NextStep("Revoir l'ordonnance", due)],
    )  # fmt: skip
    task = Task.objects.get(title="Commander le lit médicalisé")
    assert task.pathway == enrolled and task.assignee == nurse and task.due_on == due
    assert Task.objects.get(title="Revoir l'ordonnance").assignee is None
    entry.refresh_from_db()
    assert entry.decisions.startswith("Demande de lit") and entry.decided_at is not None
    audit = AuditEntry.objects.get(action="pathways.meeting.outcome_recorded")
    assert audit.health_data and audit.details["suites"] == ["Commander le lit médicalisé", "Revoir l'ordonnance"]


def test_an_rcp_dated_in_the_future_refuses_decisions_and_saves_nothing(world, enrolled):
    meeting = schedule(
        world["cmv"], draft([enrolled], [world["gp"], world["nurse"]], when=future()), world["coordinator"]
    )
    entry = meeting.patients.get()
    tasks = Task.objects.count()
    with pytest.raises(PathwayError, match="dans le futur"):
        record_outcome(entry, world["gp_user"], questions="Q ?", decisions="Hospitalisation de jour.")
    with pytest.raises(PathwayError, match="dans le futur"):
        record_outcome(entry, world["gp_user"], next_steps=[NextStep("Appeler", timezone.localdate())])
    entry.refresh_from_db()
    assert entry.questions == "" and entry.decisions == "" and Task.objects.count() == tasks
    # Questions are asked beforehand: they are accepted.
    record_outcome(entry, world["gp_user"], questions="Faut-il revoir le traitement ?")
    entry.refresh_from_db()
    assert entry.questions == "Faut-il revoir le traitement ?"


def test_decisions_wait_until_the_meeting_is_declared_held(world, enrolled):
    meeting = schedule(world["cmv"], draft([enrolled], [world["gp"], world["nurse"]]), world["coordinator"])
    with pytest.raises(PathwayError, match="déclarez-la tenue d'abord"):
        record_outcome(meeting.patients.get(), world["gp_user"], decisions="Kiné à domicile.")


def test_a_next_step_given_to_someone_outside_the_team_refuses_everything(world, enrolled, second, held):
    entry = held.patients.get()
    stranger = second.team.get(professional=world["other_nurse"])  # on another patient's team
    tasks = Task.objects.count()
    with pytest.raises(PathwayError, match="ne fait pas partie de l'équipe de soins de ce patient"):
        record_outcome(
            entry, world["gp_user"], decisions="Pansements quotidiens.",
            next_steps=[NextStep("Premier pansement", timezone.localdate()),
                        NextStep("Deuxième pansement", timezone.localdate(), stranger)],
        )  # fmt: skip
    entry.refresh_from_db()
    assert entry.decisions == "" and Task.objects.count() == tasks
    assert not AuditEntry.objects.filter(action="pathways.meeting.outcome_recorded").exists()


def test_a_next_step_without_a_title_is_refused(world, held):
    with pytest.raises(PathwayError, match="Suite 1 : indiquez ce qui est à faire"):
        record_outcome(held.patients.get(), world["gp_user"], next_steps=[NextStep(" ", timezone.localdate())])


def test_the_coordinator_writes_decisions_only_with_the_patients_consent(world, enrolled, held):
    entry = held.patients.get()
    with pytest.raises(PathwayError, match="n'a pas consenti au partage de ses informations avec la coordination"):
        record_outcome(entry, world["coordinator"], decisions="Bilan gériatrique.")
    consent_to_coordination(world, enrolled)
    record_outcome(entry, world["coordinator"], decisions="Bilan gériatrique.")
    entry.refresh_from_db()
    assert entry.decisions == "Bilan gériatrique."


# Editing


def test_a_held_meeting_cannot_move_to_the_future(world, enrolled, held):
    with pytest.raises(PathwayError, match="ne peut pas être déplacée dans le futur"):
        edit_meeting(held, draft([enrolled], [world["gp"], world["nurse"]], when=future()), world["coordinator"])
    held.refresh_from_db()
    assert held.starts_at < timezone.now()


def test_a_patient_with_decisions_stays_in_the_meeting(world, enrolled, second, held):
    edit_meeting(held, draft([enrolled, second], [world["gp"], world["nurse"]]), world["coordinator"])
    record_outcome(held.patients.get(pathway=enrolled), world["gp_user"], decisions="Poursuite.")
    with pytest.raises(PathwayError, match="ce patient ne peut plus en être retiré"):
        edit_meeting(held, draft([second], [world["gp"]]), world["coordinator"])
    assert held.patients.count() == 2
    edit_meeting(held, draft([enrolled], [world["gp"], world["nurse"]]), world["coordinator"])
    assert [e.pathway for e in held.patients.all()] == [enrolled]


def test_a_participant_who_since_left_the_team_stays_in_the_meeting(world, enrolled, held):
    remove_member(enrolled.team.get(professional=world["nurse"]), world["coordinator"])
    edit_meeting(held, draft([enrolled], [world["gp"], world["nurse"]], title="RCP gériatrie"), world["coordinator"])
    held.refresh_from_db()
    assert held.title == "RCP gériatrie" and held.participants.filter(professional=world["nurse"]).exists()


def test_a_member_who_does_not_see_every_patient_cannot_change_the_meeting(world, enrolled, second):
    meeting = schedule(
        world["cmv"], draft([enrolled, second], [world["nurse"], world["other_nurse"]]), world["coordinator"]
    )
    with pytest.raises(PathwayError, match="Vous ne pouvez pas modifier cette RCP"):
        edit_meeting(meeting, draft([enrolled], [world["nurse"]]), world["nurse_user"])
    with pytest.raises(PathwayError, match="Vous ne pouvez pas modifier cette RCP"):
        cancel(meeting, world["nurse_user"])
    assert meeting.patients.count() == 2


# Reading: who sees which patients, audited


def test_a_member_sees_only_the_patients_of_their_teams(world, enrolled, second):
    meeting = schedule(
        world["cmv"], draft([enrolled, second], [world["nurse"], world["other_nurse"]]), world["coordinator"]
    )
    assert [p.entry.pathway for p in read_meeting(world["nurse_user"], meeting).patients] == [enrolled]
    assert [p.entry.pathway for p in read_meeting(world["other_nurse_user"], meeting).patients] == [second]
    assert len(read_meeting(world["gp_user"], meeting).patients) == 2
    assert len(read_meeting(world["coordinator"], meeting).patients) == 2
    for who in ("regulator", "regional", "coordinator_other", "no_role"):
        with pytest.raises(NotVisible):
            read_meeting(world[who], meeting)
    mine = list_meetings(world["nurse_user"], world["cmv"])
    assert mine == [meeting] and mine[0].shown == 1


def test_a_professional_who_left_every_team_no_longer_sees_the_meeting(world, enrolled, held):
    assert read_meeting(world["nurse_user"], held).patients
    remove_member(enrolled.team.get(professional=world["nurse"]), world["coordinator"])
    with pytest.raises(NotVisible):
        read_meeting(world["nurse_user"], held)
    assert list_meetings(world["nurse_user"], world["cmv"]) == []


def test_every_read_is_audited_with_the_health_data_flag(world, enrolled, held):
    read_meeting(world["gp_user"], held)
    read_meeting(world["coordinator"], held, purpose="minutes")
    list_meetings(world["coordinator"], world["cmv"])
    for action in ("pathways.meeting.viewed", "pathways.meeting.minutes_downloaded", "pathways.meeting.list_viewed"):
        assert AuditEntry.objects.get(action=action).health_data, action
    viewed = AuditEntry.objects.get(action="pathways.meeting.viewed")
    assert viewed.details["patients"] == [enrolled.reference] and viewed.details["contenu_clinique"] == [
        enrolled.reference
    ]
    minutes_read = AuditEntry.objects.get(action="pathways.meeting.minutes_downloaded")
    assert minutes_read.details["contenu_clinique"] == []  # no consent to the coordination


def test_the_coordinator_reads_the_notes_only_with_consent(world, enrolled, held):
    record_outcome(held.patients.get(), world["gp_user"], decisions="Bilan gériatrique.")
    assert read_meeting(world["coordinator"], held).patients[0].clinical is False
    consent_to_coordination(world, enrolled)
    assert read_meeting(world["coordinator"], held).patients[0].clinical is True


# The minutes as DOCX


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def test_the_minutes_list_the_date_participants_questions_decisions_and_next_steps(world, enrolled, held):
    nurse = enrolled.team.get(professional=world["nurse"])
    due = timezone.localdate() + timedelta(days=3)
    record_outcome(
        held.patients.get(), world["gp_user"], questions="Maintien à domicile possible ?",
        decisions="Maintien à domicile avec passage infirmier.",
        next_steps=[NextStep("Organiser le passage infirmier", due, nurse)],
    )  # fmt: skip
    text = docx_text(minutes.docx_bytes(read_meeting(world["gp_user"], held)))
    start = timezone.localtime(held.starts_at)
    assert f"{start:%d/%m/%Y} à {start:%H:%M}" in text
    assert f"{world['gp'].full_name} | Médecin | 45 minutes" in text
    assert f"{world['nurse'].full_name} | Infirmier | 30 minutes" in text
    assert "coordination de la CPTS | non renseigné" in text and "temps total : 1 h 15" in text
    assert "Moreau Jeanne — " + enrolled.reference in text and "Née le 02/05/1938" in text
    assert "Maintien à domicile possible ?" in text and "Maintien à domicile avec passage infirmier." in text
    assert f"Organiser le passage infirmier | {due:%d/%m/%Y} | {nurse.name} | à faire" in text
    assert minutes.filename(held) == f"rcp-{start:%Y-%m-%d}.docx" and minutes.filename(held).isascii()


def test_the_coordinators_minutes_leave_the_notes_out_without_consent(world, enrolled, held):
    record_outcome(held.patients.get(), world["gp_user"], decisions="Décision confidentielle.")
    text = docx_text(minutes.docx_bytes(read_meeting(world["coordinator"], held)))
    assert "Décision confidentielle." not in text and minutes.NOT_SHARED in text
    assert enrolled.reference in text  # the pathway's progress is the coordinator's to see


def test_a_members_minutes_hold_only_their_patients(world, enrolled, second):
    meeting = schedule(
        world["cmv"], draft([enrolled, second], [world["nurse"], world["other_nurse"]]), world["coordinator"]
    )
    text = docx_text(minutes.docx_bytes(read_meeting(world["nurse_user"], meeting)))
    assert "Moreau" in text and "Lemaire" not in text


# Participation export and indicators


def test_the_participation_export_names_professionals_and_minutes_never_a_patient(world, enrolled, held):
    today = timezone.localdate()
    rows = participation_rows(world["cmv"], world["coordinator"], today - timedelta(days=1), today)
    by_name = {row[0]: row for row in rows}
    gp = by_name[world["gp"].full_name]
    assert gp[1] == "Médecin" and gp[2] == world["gp"].national_id and gp[4] == held.reference and gp[5] == 45
    assert len(rows) == 3
    assert "Moreau" not in str(rows) and "Jeanne" not in str(rows) and enrolled.reference not in str(rows)
    earlier = (today - timedelta(days=30), today - timedelta(days=10))
    assert participation_rows(world["cmv"], world["coordinator"], *earlier) == []
    assert AuditEntry.objects.filter(action="pathways.meeting.participation_exported").count() == 2


def test_the_participation_export_is_the_coordinations(world, held):
    today = timezone.localdate()
    with pytest.raises(PathwayError, match="Seule la coordination"):
        participation_rows(world["cmv"], world["gp_user"], today, today)
    with pytest.raises(PathwayError, match="postérieur à sa fin"):
        participation_rows(world["cmv"], world["coordinator"], today, today - timedelta(days=1))


def test_indicators_count_rcp_held_and_distinct_professionals(world, enrolled, second, held):
    other = schedule(world["cmv"], draft([second], [world["gp"], world["other_nurse"]]), world["coordinator"])
    mark_held(other, world["coordinator"])
    schedule(world["cmv"], draft([second], [world["gp"]], when=future()), world["coordinator"])  # planned
    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today + timedelta(days=1), "test")
    assert REGISTRY["pathways.rcp_held"].value(world["cmv"], period) == 2
    # gp, nurse, other nurse: the coordinator is not counted, the gp once.
    assert REGISTRY["pathways.rcp_participants"].value(world["cmv"], period) == 3
    assert REGISTRY["pathways.rcp_held"].value(world["paris13"], period) == 0


def test_regional_readers_see_small_rcp_counts_hidden(world, held):
    from maillage.indicators import registry

    today = timezone.localdate()
    period = Period(today - timedelta(days=30), today + timedelta(days=1), "test")
    values = registry.compute(world["cmv"], period, ["pathways.rcp_held", "pathways.rcp_participants"])
    for code in values:
        assert registry.for_region(REGISTRY[code], values, cpts=world["cmv"], period=period) == "< 5"


def test_two_people_writing_the_same_patients_decisions_at_once_the_second_is_told(world, enrolled, held):
    from maillage.core.versioning import StaleEdit

    entry = held.patients.get()
    record_outcome(entry, world["gp_user"], decisions="Kinésithérapie à domicile.", expected_version=0)
    late = type(entry).objects.get(pk=entry.pk)
    late.version = 0  # read before the GP saved
    with pytest.raises(StaleEdit):
        record_outcome(late, world["nurse_user"], decisions="Autre chose.", expected_version=0)
    entry.refresh_from_db()
    assert entry.decisions == "Kinésithérapie à domicile."

"""Réunions de concertation pluriprofessionnelle (RCP): programmed, changed, held or cancelled,
their participants' time, and per patient the questions, decisions and next steps (tasks of the
pathway, through `actions.tasks.add_task`). Each write is one transaction with one audit entry;
each read of a meeting is audited with the health-data flag. Who sees what: access.py."""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.french import plural
from maillage.core.models import log_transition
from maillage.directory.models import Partner, Professional
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError, require
from maillage.pathways.actions.tasks import add_task
from maillage.pathways.models import (
    CareTeamMember,
    Meeting,
    MeetingNextStep,
    MeetingParticipant,
    MeetingPatient,
    MeetingStatus,
    MeetingTransition,
    Pathway,
)
from maillage.pathways.models.meetings import MAX_MINUTES, meeting_allowed
from maillage.pathways.states import PathwayStatus

MAX_PATIENTS, MAX_PARTICIPANTS, MAX_NEXT_STEPS, TEXT_MAX = 20, 40, 10, 4000
MIN_PARTICIPANTS = 2  # pluriprofessionnelle: at least two people
COORDINATION = "coordination de la CPTS"


def _when(moment) -> str:
    local = timezone.localtime(moment)
    return f"{local:%d/%m/%Y} à {local:%H:%M}"


@dataclass
class MeetingDraft:
    """What a meeting form holds. `participants`: professionals, partners (of the patients' care
    teams) and coordinators' accounts."""

    title: str
    starts_at: datetime
    pathways: list = field(default_factory=list)
    participants: list = field(default_factory=list)
    place: str = ""
    remote: bool = False


@dataclass
class NextStep:
    title: str
    due_on: date
    assignee: CareTeamMember | None = None  # None: « à affecter »


def _name(person) -> str:
    if isinstance(person, Professional):
        return person.full_name
    if isinstance(person, Partner):
        return person.name
    return person.get_full_name() or person.email


def _function(person) -> str:
    if isinstance(person, Professional):
        return person.profession_label or "professionnel de santé"
    if isinstance(person, Partner):
        return person.get_kind_display()
    return COORDINATION


def _seat(person) -> dict:
    if isinstance(person, Professional):
        return {"professional": person}
    if isinstance(person, Partner):
        return {"partner": person}
    return {"user": person}


def _check_draft(cpts, draft: MeetingDraft, actor, meeting=None) -> None:
    title = (draft.title or "").strip()
    require(title, "Indiquez l'intitulé de la RCP.")
    require(len(title) <= 200, "L'intitulé de la RCP est trop long (200 caractères au plus).")
    require(isinstance(draft.starts_at, datetime), "Indiquez la date et l'heure de la RCP.")
    require(
        MIN_YEAR <= draft.starts_at.year <= MAX_YEAR, f"La date de la RCP doit être entre {MIN_YEAR} et {MAX_YEAR}."
    )
    place = (draft.place or "").strip()
    require(place or draft.remote, "Indiquez le lieu de la RCP, ou qu'elle se tient en visioconférence.")
    require(len(place) <= 200, "Le lieu est trop long (200 caractères au plus).")
    pathways = list(draft.pathways)
    require(pathways, "Une RCP porte sur au moins un patient : choisissez son parcours.")
    require(len(pathways) <= MAX_PATIENTS, f"Une RCP porte sur {MAX_PATIENTS} patients au plus.")
    require(len({p.pk for p in pathways}) == len(pathways), "Un même patient figure deux fois dans la RCP.")
    already = set(meeting.patients.values_list("pathway_id", flat=True)) if meeting else set()
    for pathway in pathways:
        require(isinstance(pathway, Pathway) and pathway.cpts_id == cpts.pk, "Ce parcours n'est pas de la CPTS.")
        if not access.sees(actor, pathway):
            raise NotVisible()
        if pathway.pk not in already:
            require(
                pathway.status == PathwayStatus.ACTIVE,
                f"Le parcours {pathway.reference} est « {pathway.get_status_display()} » : "
                "il ne peut pas être inscrit à une RCP.",
            )
    people = list(draft.participants)
    require(len(people) <= MAX_PARTICIPANTS, f"Une RCP réunit {MAX_PARTICIPANTS} participants au plus.")
    keys = [(type(person).__name__, person.pk) for person in people]
    require(len(set(keys)) == len(keys), "Une même personne figure deux fois parmi les participants.")
    seated = set()
    if meeting is not None:
        seated = {participant.key for participant in meeting.participants.all()}
    pathway_ids = [p.pk for p in pathways]
    for person in people:
        _check_participant(cpts, person, pathway_ids, seated)


def _check_participant(cpts, person, pathway_ids, seated) -> None:
    """On the active care team of one of the meeting's patients, or a coordinator of the CPTS. A
    participant already recorded stays (they were on the team when added; the minutes keep them)."""
    if isinstance(person, Professional):
        key, on_team = f"p{person.pk}", {"professional": person}
    elif isinstance(person, Partner):
        key, on_team = f"a{person.pk}", {"partner": person}
    elif isinstance(person, get_user_model()):
        require(
            access.is_coordinator(person, cpts),
            f"{_name(person)} n'est pas coordinateur de la CPTS : seuls les membres des équipes de soins des "
            "patients et la coordination participent à une RCP.",
        )
        return
    else:
        raise PathwayError("Choisissez les participants parmi les équipes de soins des patients.")
    if key in seated:
        return
    require(
        CareTeamMember.objects.active().filter(pathway_id__in=pathway_ids, **on_team).exists(),
        f"{_name(person)} ne fait partie de l'équipe de soins d'aucun des patients de cette RCP : seuls les "
        "membres de ces équipes et la coordination de la CPTS y participent.",
    )


def _write_participants(meeting, people) -> None:
    wanted = {}
    for person in people:
        key = {Professional: "p", Partner: "a"}.get(type(person), "u") + str(person.pk)
        wanted[key] = person
    current = {participant.key: participant for participant in meeting.participants.all()}
    gone = [participant.pk for key, participant in current.items() if key not in wanted]
    MeetingParticipant.objects.filter(pk__in=gone).delete()
    MeetingParticipant.objects.bulk_create(
        MeetingParticipant(meeting=meeting, name=_name(person)[:255], function=_function(person)[:200], **_seat(person))
        for key, person in wanted.items()
        if key not in current
    )


def schedule(cpts, draft: MeetingDraft, actor) -> Meeting:
    """Programmes an RCP for the patients of `draft` (pathways the actor sees)."""
    require(access.may_schedule(actor, cpts), "Vous ne pouvez pas programmer de RCP dans cette CPTS.")
    _check_draft(cpts, draft, actor)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            cpts=cpts, title=draft.title.strip(), starts_at=draft.starts_at, remote=bool(draft.remote),
            place=(draft.place or "").strip(), created_by=audit.user_or_none(actor),
        )  # fmt: skip
        MeetingPatient.objects.bulk_create(MeetingPatient(meeting=meeting, pathway=p) for p in draft.pathways)
        _write_participants(meeting, draft.participants)
        log_transition(MeetingTransition, actor=actor, source="", target=MeetingStatus.PLANNED, meeting=meeting)
        audit.record(
            "pathways.meeting.scheduled", actor=actor, cpts=cpts, obj=meeting, health_data=True,
            details={"date": _when(meeting.starts_at), "patients": [p.reference for p in draft.pathways],
                     "participants": len(draft.participants)},
        )  # fmt: skip
    return meeting


def edit_meeting(meeting: Meeting, draft: MeetingDraft, actor, *, expected_version=None) -> Meeting:
    """Changes the meeting: title, date, place, patients, participants. A held meeting stays in the
    past, and a patient whose decisions are recorded stays in it."""
    require(access.may_organise(actor, meeting), "Vous ne pouvez pas modifier cette RCP.")
    require(meeting.status != MeetingStatus.CANCELLED, "Cette RCP est annulée : reprogrammez-la avant de la modifier.")
    _check_draft(meeting.cpts, draft, actor, meeting)
    if meeting.status == MeetingStatus.HELD and isinstance(draft.starts_at, datetime):
        require(
            draft.starts_at <= timezone.now(),
            "Cette RCP est tenue : sa date ne peut pas être déplacée dans le futur.",
        )
    kept = {p.pk for p in draft.pathways}
    removed = meeting.patients.exclude(pathway_id__in=kept).select_related("pathway")
    for entry in removed:
        require(
            not entry.decisions and not entry.next_steps.exists(),
            f"Les décisions de la RCP pour le parcours {entry.pathway.reference} sont enregistrées : "
            "ce patient ne peut plus en être retiré.",
        )
    with transaction.atomic():
        versioning.check_and_bump(meeting, expected_version)
        meeting.refresh_from_db(fields=["status"])
        require(meeting.status != MeetingStatus.CANCELLED, "Cette RCP vient d'être annulée : rechargez la page.")
        before = set(meeting.patients.values_list("pathway_id", flat=True))
        MeetingPatient.objects.filter(meeting=meeting).exclude(pathway_id__in=kept).delete()
        MeetingPatient.objects.bulk_create(
            MeetingPatient(meeting=meeting, pathway=p) for p in draft.pathways if p.pk not in before
        )
        _write_participants(meeting, draft.participants)
        meeting.title, meeting.starts_at = draft.title.strip(), draft.starts_at
        meeting.place, meeting.remote = (draft.place or "").strip(), bool(draft.remote)
        meeting.save(update_fields=["title", "starts_at", "place", "remote"])
        audit.record(
            "pathways.meeting.edited", actor=actor, cpts=meeting.cpts, obj=meeting, health_data=True,
            details={"date": _when(meeting.starts_at), "patients": [p.reference for p in draft.pathways],
                     "participants": len(draft.participants)},
        )  # fmt: skip
    return meeting


def _check_minutes(meeting, minutes: dict) -> dict:
    """{participant id: minutes or None} checked: whole minutes between 0 and MAX_MINUTES."""
    names = dict(meeting.participants.values_list("pk", "name"))
    cleaned = {}
    for pk, value in (minutes or {}).items():
        require(pk in names, "Ce participant ne figure pas dans cette RCP.")
        if value in (None, ""):
            cleaned[pk] = None
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise PathwayError(f"{names[pk]} : le temps passé est un nombre entier de minutes.") from None
        require(
            0 <= number <= MAX_MINUTES,
            f"{names[pk]} : le temps passé est compris entre 0 et {MAX_MINUTES} minutes ({MAX_MINUTES // 60} heures).",
        )
        cleaned[pk] = number
    return cleaned


def _move(meeting, target, actor, note="") -> None:
    source = meeting.status
    done = Meeting.objects.filter(pk=meeting.pk, status=source).update(
        status=target, status_changed_at=timezone.now(), version=F("version") + 1
    )
    require(done, "Cette RCP vient d'être modifiée par quelqu'un d'autre : rechargez la page.")
    meeting.status = target
    meeting.refresh_from_db(fields=["version", "status_changed_at"])
    log_transition(MeetingTransition, actor=actor, source=source, target=target, note=note, meeting=meeting)


def _locked_move(meeting, target, actor, expected_version, note="") -> None:
    """Inside the write's transaction: the version checked under a lock, the state read again (it
    may have moved since the checks before the transaction), then the move."""
    versioning.lock_and_check(meeting, expected_version)
    meeting.refresh_from_db(fields=["status"])
    _refuse_move(meeting, target)
    _move(meeting, target, actor, note)


def _refuse_move(meeting, target) -> None:
    require(
        meeting_allowed(meeting.status, target),
        f"Cette RCP est « {meeting.get_status_display()} » : elle ne peut pas être "
        f"{'déclarée tenue' if target == MeetingStatus.HELD else MeetingStatus(target).label}.",
    )


def mark_held(meeting: Meeting, actor, *, minutes: dict | None = None, expected_version=None) -> Meeting:
    """The meeting took place: held, with the time each participant spent (optional, later too)."""
    require(access.may_organise(actor, meeting), "Vous ne pouvez pas modifier cette RCP.")
    _refuse_move(meeting, MeetingStatus.HELD)
    require(
        meeting.starts_at <= timezone.now(),
        f"Cette RCP est programmée le {_when(meeting.starts_at)} : elle ne peut pas être déclarée tenue "
        "avant d'avoir eu lieu.",
    )
    count = meeting.participants.count()
    require(
        count >= MIN_PARTICIPANTS,
        f"Une RCP réunit au moins {MIN_PARTICIPANTS} participants ; celle-ci en compte {count} : "
        "ajoutez les participants avant de la déclarer tenue.",
    )
    cleaned = _check_minutes(meeting, minutes)
    with transaction.atomic():
        _locked_move(meeting, MeetingStatus.HELD, actor, expected_version)
        for pk, value in cleaned.items():
            MeetingParticipant.objects.filter(pk=pk).update(minutes=value)
        audit.record(
            "pathways.meeting.held", actor=actor, cpts=meeting.cpts, obj=meeting, health_data=True,
            details={"date": _when(meeting.starts_at), "participants": count,
                     "minutes": sum(v for v in cleaned.values() if v is not None)},
        )  # fmt: skip
    return meeting


def record_minutes(meeting: Meeting, actor, minutes: dict) -> Meeting:
    """The time each participant spent, once the meeting is held (for the CPTS that pay for it)."""
    require(access.may_organise(actor, meeting), "Vous ne pouvez pas modifier cette RCP.")
    require(
        meeting.status == MeetingStatus.HELD,
        "Le temps passé par chacun s'enregistre une fois la RCP tenue.",
    )
    cleaned = _check_minutes(meeting, minutes)
    with transaction.atomic():
        for pk, value in cleaned.items():
            MeetingParticipant.objects.filter(pk=pk).update(minutes=value)
        audit.record(
            "pathways.meeting.minutes_recorded", actor=actor, cpts=meeting.cpts, obj=meeting,
            details={"minutes": sum(v for v in cleaned.values() if v is not None)},
        )  # fmt: skip
    return meeting


def cancel(meeting: Meeting, actor, *, note: str = "", expected_version=None) -> Meeting:
    require(access.may_organise(actor, meeting), "Vous ne pouvez pas modifier cette RCP.")
    _refuse_move(meeting, MeetingStatus.CANCELLED)
    with transaction.atomic():
        _locked_move(meeting, MeetingStatus.CANCELLED, actor, expected_version, note)
        audit.record(
            "pathways.meeting.cancelled", actor=actor, cpts=meeting.cpts, obj=meeting,
            details={"date": _when(meeting.starts_at), "motif": (note or "").strip()[:255]},
        )  # fmt: skip
    return meeting


def reschedule(meeting: Meeting, actor, *, expected_version=None) -> Meeting:
    """A meeting cancelled by mistake is programmed again."""
    require(access.may_organise(actor, meeting), "Vous ne pouvez pas modifier cette RCP.")
    _refuse_move(meeting, MeetingStatus.PLANNED)
    with transaction.atomic():
        _locked_move(meeting, MeetingStatus.PLANNED, actor, expected_version)
        audit.record("pathways.meeting.rescheduled", actor=actor, cpts=meeting.cpts, obj=meeting)
    return meeting


def record_outcome(
    entry: MeetingPatient, actor, *, questions=None, decisions=None, next_steps=(), expected_version=None
) -> MeetingPatient:
    """A patient's questions (before or after the meeting), decisions and next steps (once it is
    held and not in the future). Each next step becomes a task of the pathway (`add_task`), in the
    same transaction: one refused, nothing is saved."""
    meeting, pathway = entry.meeting, entry.pathway
    if not access.sees(actor, pathway):
        raise NotVisible()
    require(
        access.may_record_for(actor, pathway),
        "Le patient n'a pas consenti au partage de ses informations avec la coordination de la CPTS : "
        "seuls les membres de son équipe de soins écrivent les questions et décisions de la RCP le concernant.",
    )
    require(meeting.status != MeetingStatus.CANCELLED, "Cette RCP est annulée : rien ne s'y enregistre.")
    next_steps = list(next_steps or ())
    changes = {}
    if questions is not None:
        questions = questions.strip()
        require(len(questions) <= TEXT_MAX, f"Les questions sont trop longues ({TEXT_MAX} caractères au plus).")
        changes["questions"] = questions
    if decisions is not None:
        decisions = decisions.strip()
        require(len(decisions) <= TEXT_MAX, f"Les décisions sont trop longues ({TEXT_MAX} caractères au plus).")
    deciding = bool(decisions) or bool(next_steps) or (decisions == "" and bool(entry.decisions))
    if deciding:
        require(
            meeting.starts_at <= timezone.now(),
            f"Cette RCP est datée du {_when(meeting.starts_at)}, dans le futur : ses décisions ne s'enregistrent "
            "qu'une fois qu'elle s'est tenue.",
        )
        require(
            meeting.status == MeetingStatus.HELD,
            "Les décisions et les suites ne s'enregistrent qu'une fois la RCP déclarée tenue : "
            "déclarez-la tenue d'abord.",
        )
    if decisions is not None:
        changes["decisions"] = decisions
        changes["decided_at"] = timezone.now() if decisions else None
    require(len(next_steps) <= MAX_NEXT_STEPS, f"{MAX_NEXT_STEPS} suites au plus à la fois.")
    for n, step in enumerate(next_steps, start=1):
        require(isinstance(step, NextStep), "Suite illisible.")
        require((step.title or "").strip(), f"Suite {n} : indiquez ce qui est à faire.")
    with transaction.atomic():
        versioning.check_and_bump(entry, expected_version)
        if changes:
            MeetingPatient.objects.filter(pk=entry.pk).update(**changes)
            for name, value in changes.items():
                setattr(entry, name, value)
        tasks = []
        for step in next_steps:
            task = add_task(pathway, actor, title=step.title, due_on=step.due_on, assignee=step.assignee)
            MeetingNextStep.objects.create(entry=entry, task=task)
            tasks.append(task)
        audit.record(
            "pathways.meeting.outcome_recorded", actor=actor, cpts=meeting.cpts, obj=meeting, health_data=True,
            details={"parcours": pathway.reference, "questions": "questions" in changes,
                     "décisions": "decisions" in changes, "suites": [task.title for task in tasks]},
        )  # fmt: skip
    return entry


# Reading


@dataclass
class PatientReading:
    entry: MeetingPatient
    clinical: bool  # whether its questions and decisions may be shown to this reader
    may_record: bool
    next_steps: list  # the tasks


@dataclass
class MeetingReading:
    meeting: Meeting
    patients: list  # PatientReading, only the patients the reader may see
    participants: list
    may_organise: bool


def read_meeting(user, meeting: Meeting, *, purpose: str = "viewed") -> MeetingReading:
    """The meeting as `user` may read it, audited with the health-data flag. `purpose`: "viewed"
    (its page) or "minutes" (the DOCX downloaded)."""
    if not access.sees_meeting(user, meeting):
        raise NotVisible("Cette RCP ne concerne aucun patient de votre équipe de soins.")
    patients = []
    for entry in access.meeting_entries_for(user, meeting):
        steps = [
            step.task
            for step in entry.next_steps.select_related(
                "task__assignee__professional", "task__assignee__partner"
            ).order_by("task__due_on", "pk")
        ]
        pathway = entry.pathway
        clinical = access.sees_clinical(user, pathway)
        may_record = clinical and access.may_act(user, pathway) and meeting.status != MeetingStatus.CANCELLED
        patients.append(PatientReading(entry=entry, clinical=clinical, may_record=may_record, next_steps=steps))
    participants = list(meeting.participants.order_by("name", "pk"))
    code = "pathways.meeting.minutes_downloaded" if purpose == "minutes" else "pathways.meeting.viewed"
    audit.record_health_read(
        code, actor=user, cpts=meeting.cpts, obj=meeting,
        details={"patients": [p.entry.pathway.reference for p in patients],
                 "contenu_clinique": [p.entry.pathway.reference for p in patients if p.clinical]},
    )  # fmt: skip
    return MeetingReading(
        meeting=meeting, patients=patients, participants=participants,
        may_organise=access.may_organise(user, meeting),
    )  # fmt: skip


LIST_LIMIT = 200


def list_meetings(user, cpts, *, pathway=None):
    """The meetings of `cpts` the user may open, most recent first (at most LIST_LIMIT), each with
    `shown` = the number of its patients the user sees; the read is audited."""
    meetings = access.meetings_visible_to(user, cpts)
    if pathway is not None:  # a subquery, not a join: the count below is of all the meeting's patients
        meetings = meetings.filter(pk__in=MeetingPatient.objects.filter(pathway=pathway).values("meeting_id"))
    meetings = list(
        meetings.annotate(shown=access.shown_patients(user, cpts)).order_by("-starts_at", "-id")[:LIST_LIMIT]
    )
    audit.record_health_read(
        "pathways.meeting.list_viewed", actor=user, cpts=cpts, obj=pathway,
        details={"rcp": [meeting.reference for meeting in meetings]},
    )  # fmt: skip
    return meetings


# Participation (for the CPTS that pay professionals for their time): no patient in it.

PARTICIPATION_HEADER = [
    "Participant",
    "Fonction",
    "Identifiant national",
    "Date de la RCP",
    "RCP",
    "Temps passé (minutes)",
]
MAX_PERIOD_DAYS = 366 * 3


def participation_rows(cpts, actor, start: date, end: date) -> list[list]:
    """One row per participant of each meeting held between `start` and `end` (both included):
    who, their function, their RPPS/ADELI, the meeting's date and reference, the minutes spent.
    The coordination's; audited (no health data: no patient in it)."""
    require(access.may_export_participation(actor, cpts), "Seule la coordination de la CPTS exporte la participation.")
    require(isinstance(start, date) and isinstance(end, date), "Indiquez le début et la fin de la période.")
    require(start <= end, "Le début de la période est postérieur à sa fin.")
    require(
        (end - start).days <= MAX_PERIOD_DAYS,
        f"La période exportée couvre {plural(3, 'an')} au plus.",
    )
    participants = (
        MeetingParticipant.objects.filter(meeting__cpts=cpts, meeting__status=MeetingStatus.HELD)
        .filter(meeting__starts_at__date__gte=start, meeting__starts_at__date__lte=end)
        .select_related("meeting", "professional")
        .order_by("name", "meeting__starts_at", "pk")
    )
    rows = [
        [
            p.name,
            p.function,
            p.professional.national_id if p.professional_id else "",
            timezone.localtime(p.meeting.starts_at).date(),
            p.meeting.reference,
            p.minutes,
        ]
        for p in participants
    ]
    audit.record(
        "pathways.meeting.participation_exported", actor=actor, cpts=cpts, obj=None,
        details={"du": start.isoformat(), "au": end.isoformat(), "lignes": len(rows)},
    )  # fmt: skip
    return rows

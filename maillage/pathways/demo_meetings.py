"""Demo of the RCP (issue 15, items 6 and 11): in each demo CPTS with demo pathways, an RCP held
three days ago about its first two patients (the discharged one and the diabetic one), with their
GP, their nurses and the coordination, the time each spent, questions, decisions and a next step
per patient that is a task of the pathway — so the minutes can be downloaded at once; and an RCP
programmed next week about the patient in palliative care.

Written through the actions, as the system (`actor=None`). A CPTS that already has an RCP is left
alone: a second run adds nothing."""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from maillage.accounts.models import Role, RoleKind
from maillage.core.french import plural
from maillage.pathways.actions.meetings import MeetingDraft, NextStep, mark_held, record_outcome, schedule
from maillage.pathways.models import Meeting, Pathway
from maillage.pathways.states import CareRole, PathwayStatus

# Per patient (in the order of demo.PATIENTS): the question, the decision, the next step and the
# role it is given to.
OUTCOMES = [
    ("Le maintien à domicile est-il possible sans aide supplémentaire ?",
     "Maintien à domicile validé.\n- Passage infirmier quotidien pendant deux semaines\n- Bilan de kinésithérapie",
     "Organiser le passage infirmier quotidien", CareRole.NURSE),
    ("L'HbA1c reste au-dessus de 9 % : faut-il intensifier le traitement ?",
     "Éducation thérapeutique renforcée avant toute intensification.",
     "Proposer une séance d'éducation thérapeutique", CareRole.PHARMACIST),
]  # fmt: skip
MINUTES = {CareRole.GP: 45, CareRole.NURSE: 45, CareRole.PHARMACIST: 30}


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if Meeting.objects.filter(cpts=cpts).exists():
            continue
        with transaction.atomic():
            made = _meetings(cpts)
        if made:
            log(f"  RCP ({cpts.name}) : {plural(made, 'réunion de concertation', 'réunions de concertation')}")


def _at(days: int, hour: int, minute: int = 0):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _meetings(cpts) -> int:
    pathways = list(Pathway.objects.filter(cpts=cpts, status=PathwayStatus.ACTIVE).order_by("created_at", "pk")[:3])
    if len(pathways) < 2:
        return 0
    coordinator = (
        Role.objects.filter(cpts=cpts, kind=RoleKind.COORDINATOR).select_related("user").order_by("pk").first()
    )
    discussed = pathways[:2]
    seats, roles = [], {}
    for pathway in discussed:
        for member in pathway.team.active().filter(professional__isnull=False).select_related("professional"):
            if member.role in MINUTES and member.professional not in seats:
                seats.append(member.professional)
                roles[member.professional.pk] = member.role
    if coordinator is not None:
        seats.append(coordinator.user)
    if len(seats) < 2:
        return 0
    meeting = schedule(
        cpts,
        MeetingDraft(title="RCP maintien à domicile et maladies chroniques", starts_at=_at(-3, 12, 30),
                     pathways=discussed, participants=seats, place="Maison de santé pluriprofessionnelle"),
        None,
    )  # fmt: skip
    spent = {}
    for seat in meeting.participants.all():
        spent[seat.pk] = MINUTES.get(roles.get(seat.professional_id), 30)
    mark_held(meeting, None, minutes=spent)
    due = timezone.localdate() + timedelta(days=5)
    for pathway, (question, decision, step, role) in zip(discussed, OUTCOMES, strict=False):
        entry = meeting.patients.get(pathway=pathway)
        assignee = pathway.team.active().filter(role=role).first()
        record_outcome(entry, None, questions=question, decisions=decision, next_steps=[NextStep(step, due, assignee)])
    made = 1
    if len(pathways) > 2:
        palliative = pathways[2]
        people = [m.professional for m in palliative.team.active().filter(professional__isnull=False)[:3]]
        if coordinator is not None:
            people.append(coordinator.user)
        meeting = schedule(
            cpts,
            MeetingDraft(title="RCP soins palliatifs", starts_at=_at(7, 13), pathways=[palliative],
                         participants=people, remote=True),
            None,
        )  # fmt: skip
        record_outcome(
            meeting.patients.get(), None, questions="Anticiper les prescriptions en cas de douleur la nuit ?"
        )
        made += 1
    return made

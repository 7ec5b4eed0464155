"""Enrolling a patient in a pathway: identity, referrer, team, the patient's information and
decisions, and the tasks generated from the template's steps — all in one transaction."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.bounds import FIRST_DATE_YEAR, MAX_YEAR, MIN_YEAR
from maillage.core.identifiers import is_valid_nir
from maillage.core.models import log_transition
from maillage.pathways import access
from maillage.pathways.actions import PathwayError, require
from maillage.pathways.actions.consent import Information, write_information
from maillage.pathways.actions.team import check_member, first_for_step
from maillage.pathways.models import CareTeamMember, Pathway, PathwayTemplate, PathwayTransition, Task
from maillage.pathways.states import Anchor, PathwayStatus, ReferrerKind, Sex, pathway_allowed


@dataclass
class Patient:
    last_name: str
    first_name: str
    birth_date: date
    sex: str
    commune: object  # territory.Commune
    phone: str = ""
    ins: str = ""


@dataclass
class Referrer:
    kind: str = ReferrerKind.PATIENT
    professional: object = None  # directory.Professional, for ReferrerKind.PROFESSIONAL
    structure: object = None  # directory.Structure (FINESS), for ReferrerKind.HOSPITAL
    service: str = ""  # the hospital's service, in words


@dataclass
class Enrolment:
    template: PathwayTemplate
    patient: Patient
    start_date: date
    information: Information
    referrer: Referrer = field(default_factory=Referrer)
    discharge_date: date | None = None
    team: list = field(default_factory=list)  # (professional or partner, CareRole)


def clean_ins(value: str) -> str:
    """The INS as stored: spaces removed, Corsica's letters upper-case; refused unless its key is right."""
    ins = "".join((value or "").split()).upper()
    if ins and not is_valid_nir(ins):
        raise PathwayError(
            "L'INS (NIR) saisi n'est pas valide : il compte 15 caractères, dont une clé de contrôle "
            "(les deux derniers chiffres) qui ne correspond pas aux 13 premiers. Vérifiez-le sur la carte Vitale."
        )
    return ins


def _check_patient(patient: Patient, today: date) -> None:
    require(patient.last_name.strip() and patient.first_name.strip(), "Indiquez le nom et le prénom du patient.")
    require(len(patient.last_name) <= 100 and len(patient.first_name) <= 100, "Le nom ou le prénom est trop long.")
    require(isinstance(patient.birth_date, date), "Indiquez la date de naissance du patient.")
    require(patient.birth_date <= today, "La date de naissance ne peut pas être dans le futur.")
    require(patient.birth_date.year >= FIRST_DATE_YEAR, f"La date de naissance est antérieure à {FIRST_DATE_YEAR}.")
    require(patient.sex in Sex.values, "Indiquez le sexe du patient.")
    require(patient.commune is not None, "Indiquez la commune du patient.")
    require(len(patient.phone or "") <= 30, "Le numéro de téléphone est trop long.")


def _check_referrer(referrer: Referrer, cpts) -> None:
    require(referrer.kind in ReferrerKind.values, "Indiquez qui oriente le patient.")
    if referrer.kind == ReferrerKind.PROFESSIONAL:
        require(referrer.professional is not None, "Indiquez le professionnel qui oriente le patient.")
    if referrer.kind == ReferrerKind.HOSPITAL:
        require(referrer.structure is not None, "Indiquez l'établissement (FINESS) qui oriente le patient.")
    require(len(referrer.service or "") <= 200, "Le nom du service est trop long.")


def _check_dates(enrolment: Enrolment, anchors: set) -> None:
    for label, day in (("de début", enrolment.start_date), ("de sortie", enrolment.discharge_date)):
        if day is not None:
            require(isinstance(day, date), f"La date {label} n'est pas une date.")
            require(MIN_YEAR <= day.year <= MAX_YEAR, f"La date {label} doit être entre {MIN_YEAR} et {MAX_YEAR}.")
    require(enrolment.start_date is not None, "Indiquez la date de début du parcours.")
    if Anchor.DISCHARGE in anchors:
        require(
            enrolment.discharge_date is not None,
            "Ce modèle compte des étapes à partir de la sortie d'hospitalisation : indiquez la date de sortie.",
        )


def due_on(step, start_date: date, discharge_date: date | None) -> date:
    base = discharge_date if step.anchor == Anchor.DISCHARGE and discharge_date else start_date
    return base + timedelta(days=step.offset_days)


def enrol(cpts, enrolment: Enrolment, actor) -> Pathway:
    """Enrols the patient; returns the pathway with its team, information and tasks.

    A patient living outside the CPTS's communes is accepted (territories overlap and patients
    cross them: refusing would leave them without a pathway); `Pathway.outside_territory` tells the
    interface, and the audit entry says so."""
    require(access.may_enrol(actor, cpts), "Vous ne pouvez pas inscrire de patient dans un parcours de cette CPTS.")
    template = enrolment.template
    require(
        PathwayTemplate.objects.usable_by(cpts).filter(pk=template.pk).exists(),
        "Ce modèle n'est pas publié pour votre CPTS : choisissez un modèle publié.",
    )
    today = timezone.localdate()
    patient = enrolment.patient
    _check_patient(patient, today)
    ins = clean_ins(patient.ins)
    _check_referrer(enrolment.referrer, cpts)
    steps = list(template.steps.all())
    _check_dates(enrolment, {step.anchor for step in steps})
    enrolment.information.check(require_team=True)
    for person, role in enrolment.team:
        check_member(cpts, person, role)
    people = [person for person, _ in enrolment.team]
    require(len(set(people)) == len(people), "Une même personne figure deux fois dans l'équipe de soins.")
    with transaction.atomic():
        referrer = enrolment.referrer
        last_contact = max(enrolment.start_date, enrolment.discharge_date or enrolment.start_date)
        pathway = Pathway.objects.create(
            cpts=cpts, template=template, last_name=patient.last_name.strip(), first_name=patient.first_name.strip(),
            birth_date=patient.birth_date, sex=patient.sex, commune=patient.commune,
            phone=(patient.phone or "").strip(), ins=ins, referrer_kind=referrer.kind,
            referrer_professional=referrer.professional if referrer.kind == ReferrerKind.PROFESSIONAL else None,
            referrer_structure=referrer.structure if referrer.kind == ReferrerKind.HOSPITAL else None,
            referrer_service=referrer.service.strip(), start_date=enrolment.start_date,
            discharge_date=enrolment.discharge_date, created_by=audit.user_or_none(actor),
            contact_due_on=last_contact + timedelta(days=template.no_contact_days),
        )  # fmt: skip
        log_transition(PathwayTransition, actor=actor, source="", target=PathwayStatus.ACTIVE, pathway=pathway)
        team = [_member(pathway, person, role, actor) for person, role in enrolment.team]
        write_information(pathway, enrolment.information, actor)
        tasks = []
        for step in steps:
            due = due_on(step, enrolment.start_date, enrolment.discharge_date)
            tasks.append(
                Task(
                    pathway=pathway, step=step, title=step.title, due_on=due,
                    alert_on=due + timedelta(days=step.overdue_after_days),
                    assignee=first_for_step(team, step), created_by=audit.user_or_none(actor),
                )
            )  # fmt: skip
        Task.objects.bulk_create(tasks)
        audit.record(
            "pathways.pathway.enrolled", actor=actor, cpts=cpts, obj=pathway, health_data=True,
            details={
                "modèle": str(template), "équipe": len(team), "tâches": len(tasks),
                "à_affecter": sum(task.assignee is None for task in tasks),
                "hors_territoire": pathway.outside_territory, "orienté_par": referrer.kind,
            },
        )  # fmt: skip
    return pathway


def _member(pathway, person, role, actor) -> CareTeamMember:
    from maillage.directory.models import Professional

    kind = "professional" if isinstance(person, Professional) else "partner"
    return CareTeamMember.objects.create(
        pathway=pathway, role=role, added_by=audit.user_or_none(actor), **{kind: person}
    )


def move_pathway(pathway: Pathway, target: str, actor, *, note: str = "") -> Pathway:
    """Closes or reopens a pathway (the hand-over to another CPTS is issue 15's item 7)."""
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    source = pathway.status
    require(
        target in PathwayStatus.values and pathway_allowed(source, target) and target != PathwayStatus.TRANSFERRED,
        f"Ce parcours est « {pathway.get_status_display()} » : il ne peut pas passer à cet état.",
    )
    with transaction.atomic():
        now = timezone.now()
        done = Pathway.objects.filter(pk=pathway.pk, status=source).update(status=target, status_changed_at=now)
        require(done, "Ce parcours vient d'être modifié par quelqu'un d'autre : rechargez la page.")
        pathway.status, pathway.status_changed_at = target, now
        log_transition(PathwayTransition, actor=actor, source=source, target=target, note=note, at=now, pathway=pathway)
        audit.record(
            "pathways.pathway.transition", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
            details={"de": source, "vers": target, "motif": note},
        )  # fmt: skip
    return pathway

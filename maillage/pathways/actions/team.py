"""The care team: who may join it, adding and removing members."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from maillage.core import audit
from maillage.directory.models import Activity, DirectoryEntry, Partner, Professional
from maillage.pathways import access
from maillage.pathways.actions import PathwayError, require
from maillage.pathways.models import CareTeamMember, Task
from maillage.pathways.states import OPEN_TASKS, ROLE_PROFESSION, CareRole

PARTNER_ROLES = frozenset({CareRole.SOCIAL_WORKER, CareRole.DAC, CareRole.OTHER})


def in_directory(cpts, professional) -> bool:
    """The CPTS's directory: an active site on its territory, or an entry the CPTS keeps."""
    on_territory = Activity.objects.filter(
        professional=professional, active=True, commune__cpts_links__cpts=cpts
    ).exists()
    return on_territory or DirectoryEntry.objects.filter(cpts=cpts, professional=professional).exists()


def check_member(cpts, person, role) -> None:
    """A care team is made of the CPTS's directory: its professionals (in practice on the national
    register) and its partners. A hospital referent may work outside the territory: only their
    registration is checked."""
    require(role in CareRole.values, "Indiquez le rôle de la personne dans ce parcours.")
    if isinstance(person, Partner):
        require(person.cpts_id == cpts.pk, f"« {person.name} » n'est pas un partenaire de la CPTS.")
        require(role in PARTNER_ROLES, f"Un partenaire ne peut pas être « {CareRole(role).label} » dans un parcours.")
        return
    require(isinstance(person, Professional), "Choisissez un professionnel de l'annuaire ou un partenaire.")
    require(person.active, f"{person.full_name} ne figure plus au répertoire national des professionnels de santé.")
    if role != CareRole.HOSPITAL_REFERENT:
        require(
            in_directory(cpts, person),
            f"{person.full_name} n'est pas dans l'annuaire de la CPTS (aucun lieu d'exercice sur son territoire, "
            "aucune fiche de la CPTS) : ajoutez sa fiche à l'annuaire avant de l'inscrire dans l'équipe.",
        )


def first_for_step(team, step):
    """The team member a generated task goes to: the role the step names, or the profession it
    expects; None (« à affecter ») when nobody on the team fits."""
    for member in team:
        if member.left_at is None and step.role and member.role == step.role:
            return member
    if not step.profession_code:
        return None
    active = [member for member in team if member.left_at is None]
    for member in active:
        if ROLE_PROFESSION.get(member.role) == step.profession_code:
            return member
    for member in active:
        # A professional named « autre » (a dietitian, a cardiologist) takes the steps of their profession.
        professional = member.professional if member.professional_id else None
        if member.role == CareRole.OTHER and professional and professional.profession_code == step.profession_code:
            return member
    return None


def add_member(pathway, person, role, actor) -> CareTeamMember:
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    check_member(pathway.cpts, person, role)
    kind = "partner" if isinstance(person, Partner) else "professional"
    already = CareTeamMember.objects.active().filter(pathway=pathway, **{kind: person}).exists()
    name = person.name if kind == "partner" else person.full_name
    require(not already, f"{name} fait déjà partie de l'équipe de soins de ce patient.")
    try:
        with transaction.atomic():
            member = CareTeamMember.objects.create(
                pathway=pathway, role=role, added_by=audit.user_or_none(actor), **{kind: person}
            )
            audit.record(
                "pathways.team.added", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
                details={"membre": name, "rôle": role},
            )  # fmt: skip
    except IntegrityError:  # added by someone else at the same moment
        raise PathwayError(f"{name} fait déjà partie de l'équipe de soins de ce patient.") from None
    return member


def remove_member(member: CareTeamMember, actor, *, note: str = "") -> CareTeamMember:
    """The member leaves the team: they no longer see the patient, and their open tasks go back
    to « à affecter » (the rupture alerts then show them)."""
    pathway = member.pathway
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    with transaction.atomic():
        now = timezone.now()
        done = CareTeamMember.objects.filter(pk=member.pk, left_at__isnull=True).update(
            left_at=now, left_by=audit.user_or_none(actor)
        )
        require(done, f"{member.name} a déjà quitté l'équipe de soins de ce patient.")
        member.left_at, member.left_by = now, audit.user_or_none(actor)
        freed = Task.objects.filter(assignee=member, status__in=sorted(OPEN_TASKS)).update(
            assignee=None, version=F("version") + 1
        )
        audit.record(
            "pathways.team.removed", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
            details={"membre": member.name, "rôle": member.role, "tâches_à_affecter": freed, "motif": note},
        )  # fmt: skip
    return member


# Issue 15 — care requests: the professional who accepted a request made from a pathway joins its
# care team. No `may_act` check (they are not on the team yet: accepting is what brings them in)
# and no directory check (they were in the request's reach, possibly just past the territory).
def role_for_profession(profession_code: str) -> str:
    return next((role for role, code in ROLE_PROFESSION.items() if code == profession_code), CareRole.OTHER)


def join_after_request(pathway, professional, actor) -> tuple[CareTeamMember, bool]:
    """Adds `professional` to the pathway's active team with the role their profession implies;
    returns the membership and whether it is new. Inside the accept's transaction, whose audit
    entry says so."""
    existing = CareTeamMember.objects.active().filter(pathway=pathway, professional=professional).first()
    if existing is not None:
        return existing, False
    role = role_for_profession(professional.profession_code)
    member = CareTeamMember.objects.create(
        pathway=pathway, professional=professional, role=role, added_by=audit.user_or_none(actor)
    )
    return member, True

"""Peer groups: created, members added and leaving, sessions recorded with who attended."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.quality.actions import QualityError, check_fiche, check_professional, no_identity, require
from maillage.quality.models import GroupMember, GroupSession, PeerGroup, SessionAttendance
from maillage.quality.states import GroupKind

NAME_MAX, THEME_MAX, TEXT_MAX = 200, 200, 8000
HOURS_MIN, HOURS_MAX = Decimal("0.5"), Decimal("12")


def create_group(cpts, *, kind: str, name: str, fiche=None, actor=None) -> PeerGroup:
    name = (name or "").strip()
    require(name, "Indiquez le nom du groupe.")
    require(len(name) <= NAME_MAX, f"Le nom du groupe est trop long ({NAME_MAX} caractères au plus).")
    require(kind in GroupKind.values, "Choisissez le type de groupe.")
    check_fiche(cpts, fiche)
    require(not PeerGroup.objects.filter(cpts=cpts, name__iexact=name).exists(), f"Un groupe « {name} » existe déjà.")
    try:
        with transaction.atomic():
            group = PeerGroup.objects.create(cpts=cpts, kind=kind, name=name, fiche=fiche)
            audit.record("quality.group.created", actor=actor, cpts=cpts, obj=group, details={"type": kind})
    except IntegrityError as exc:
        raise QualityError(f"Un groupe « {name} » existe déjà.") from exc
    return group


def add_member(group: PeerGroup, professional, actor=None) -> GroupMember:
    check_professional(group.cpts, professional)
    with transaction.atomic():
        member = GroupMember.objects.select_for_update().filter(group=group, professional=professional).first()
        if member is not None:
            require(member.left_on is not None, f"{professional.full_name} est déjà membre du groupe.")
            member.left_on = None
            member.save(update_fields=["left_on"])
        else:
            member = GroupMember.objects.create(group=group, professional=professional)
        audit.record(
            "quality.group.member_added",
            actor=actor,
            cpts=group.cpts,
            obj=group,
            details={"professionnel": professional.full_name},
        )
    return member


def remove_member(member: GroupMember, actor=None) -> GroupMember:
    require(member.left_on is None, f"{member.professional.full_name} a déjà quitté le groupe.")
    with transaction.atomic():
        member.left_on = timezone.localdate()
        member.save(update_fields=["left_on"])
        audit.record(
            "quality.group.member_left",
            actor=actor,
            cpts=member.group.cpts,
            obj=member.group,
            details={"professionnel": member.professional.full_name},
        )
    return member


@dataclass
class SessionDraft:
    held_on: date | None
    theme: str
    hours: Decimal | None
    participants: list = field(default_factory=list)  # directory professionals, members of the group
    cases: str = ""
    conclusions: str = ""


def record_session(group: PeerGroup, draft: SessionDraft, actor=None) -> GroupSession:
    theme = (draft.theme or "").strip()
    require(theme, "Indiquez le thème de la séance.")
    require(len(theme) <= THEME_MAX, f"Le thème est trop long ({THEME_MAX} caractères au plus).")
    require(draft.held_on is not None, "Indiquez la date de la séance.")
    require(draft.held_on <= timezone.localdate(), "Une séance se saisit une fois tenue : sa date est passée.")
    require(draft.hours is not None, "Indiquez la durée de la séance, en heures.")
    require(HOURS_MIN <= draft.hours <= HOURS_MAX, "La durée d'une séance va de 0,5 à 12 heures.")
    for text, what in ((draft.cases, "Les cas discutés"), (draft.conclusions, "Les conclusions"), (theme, "Le thème")):
        require(len(text or "") <= TEXT_MAX, f"{what} sont trop longs ({TEXT_MAX} caractères au plus).")
        no_identity(text, what if what != "Le thème" else "Les mots du thème")
    participants = list(dict.fromkeys(draft.participants))
    require(participants, "Cochez les membres du groupe présents à la séance.")
    members = {
        m.professional_id: m
        for m in GroupMember.objects.filter(group=group, professional__in=participants).select_related("professional")
    }
    for person in participants:
        member = members.get(person.pk)
        require(
            member is not None and (member.left_on is None or member.left_on >= draft.held_on),
            f"{person.full_name} n'était pas membre du groupe le {draft.held_on:%d/%m/%Y}.",
        )  # fmt: skip
    with transaction.atomic():
        session = GroupSession.objects.create(
            group=group,
            cpts=group.cpts,
            held_on=draft.held_on,
            theme=theme,
            cases=(draft.cases or "").strip(),
            hours=draft.hours,
            conclusions=(draft.conclusions or "").strip(),
            created_by=audit.user_or_none(actor),
        )
        SessionAttendance.objects.bulk_create(
            SessionAttendance(session=session, professional=person, hours=draft.hours) for person in participants
        )
        audit.record(
            "quality.session.recorded",
            actor=actor,
            cpts=group.cpts,
            obj=session,
            details={"groupe": group.name, "participants": len(participants), "heures": str(draft.hours)},
        )
    return session

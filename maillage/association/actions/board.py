"""Issue 16 — board mandates: a seat given to a member, a seat ended before its term.

Refused (French message, nothing written): a mandate for someone who is not a member of the CPTS
(another CPTS's member, an application not validated, a cancelled or lapsed membership), an end
before the start, two présidents at once, a member holding two seats of the same instance at once."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from maillage.association import board
from maillage.association.actions import AssociationError, require
from maillage.association.models import Mandate, Member
from maillage.association.models.board import BoardRole, Body
from maillage.core import audit, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR

NOTE_MAX = 255


@dataclass
class MandateDraft:
    member: Member | None
    body: str
    role: str
    start_on: date | None
    end_on: date | None


def _check_dates(start_on, end_on) -> None:
    require(isinstance(start_on, date), "Indiquez la date de début du mandat.")
    require(isinstance(end_on, date), "Indiquez la date de fin du mandat.")
    for day in (start_on, end_on):
        require(MIN_YEAR <= day.year <= MAX_YEAR, f"Les dates du mandat doivent être entre {MIN_YEAR} et {MAX_YEAR}.")
    require(
        end_on >= start_on,
        f"La fin du mandat ({end_on:%d/%m/%Y}) est avant son début ({start_on:%d/%m/%Y}) : vérifiez les dates.",
    )


def _check_member(cpts, member) -> None:
    require(
        isinstance(member, Member) and member.cpts_id == cpts.pk,
        "Cette personne n'est pas adhérente de la CPTS : seul un adhérent peut recevoir un mandat.",
    )
    require(
        member.votes,
        f"{member.display_name} n'est pas adhérent à jour (adhésion « {member.get_status_display()} ») : "
        "seul un adhérent à jour de sa cotisation peut recevoir un mandat.",
    )


def _check_overlaps(cpts, draft: MandateDraft) -> None:
    meets = board.overlapping(cpts, draft.start_on, draft.end_on).select_related("member")
    other = meets.filter(role=BoardRole.PRESIDENT).first() if draft.role == BoardRole.PRESIDENT else None
    if other is not None:
        raise AssociationError(
            f"La CPTS a déjà un président sur cette période ({other.member.display_name}, du "
            f"{other.start_on:%d/%m/%Y} au {other.end_on:%d/%m/%Y}) : terminez son mandat avant d'en donner un autre."
        )
    same = meets.filter(member=draft.member, body=draft.body).first()
    if same is not None:
        raise AssociationError(
            f"{draft.member.display_name} siège déjà au {Body(draft.body).label} sur cette période "
            f"({same.get_role_display()}, jusqu'au {same.end_on:%d/%m/%Y}) : terminez ce mandat d'abord."
        )


def create_mandate(cpts, draft: MandateDraft, actor) -> Mandate:
    require(draft.body in Body.values, "Choisissez l'instance : conseil d'administration ou bureau.")
    require(draft.role in BoardRole.values, "Choisissez la fonction du mandat.")
    _check_dates(draft.start_on, draft.end_on)
    _check_member(cpts, draft.member)
    with transaction.atomic():
        # One writer at a time per CPTS: two présidents cannot be named by two coordinators at once.
        type(cpts).objects.select_for_update().filter(pk=cpts.pk).first()
        _check_overlaps(cpts, draft)
        mandate = Mandate.objects.create(
            cpts=cpts, member=draft.member, body=draft.body, role=draft.role, start_on=draft.start_on,
            end_on=draft.end_on, created_by=audit.user_or_none(actor),
        )  # fmt: skip
        audit.record(
            "association.mandate.created", actor=actor, cpts=cpts, obj=mandate,
            details={"adhérent": draft.member.display_name, "instance": mandate.get_body_display(),
                     "fonction": mandate.get_role_display(), "début": draft.start_on.isoformat(),
                     "fin": draft.end_on.isoformat()},
        )  # fmt: skip
    return mandate


def end_mandate(mandate: Mandate, actor, *, on: date | None, note: str = "", expected_version=None) -> Mandate:
    """Ends a mandate on `on` (the last day it is held), before its term: the row stays."""
    note = (note or "").strip()
    require(isinstance(on, date), "Indiquez le dernier jour du mandat.")
    require(len(note) <= NOTE_MAX, f"Le motif est trop long ({NOTE_MAX} caractères au plus).")
    require(not mandate.ended_early, "Ce mandat a déjà pris fin.")
    require(
        mandate.start_on <= on <= mandate.end_on,
        f"Le dernier jour du mandat doit être entre son début ({mandate.start_on:%d/%m/%Y}) "
        f"et son terme ({mandate.end_on:%d/%m/%Y}).",
    )
    with transaction.atomic():
        versioning.check_and_bump(mandate, expected_version)
        previous = mandate.end_on
        Mandate.objects.filter(pk=mandate.pk).update(end_on=on, ended_early=True, end_note=note)
        mandate.end_on, mandate.ended_early, mandate.end_note = on, True, note
        audit.record(
            "association.mandate.ended", actor=actor, cpts=mandate.cpts, obj=mandate,
            details={"adhérent": mandate.member.display_name, "fonction": mandate.get_role_display(),
                     "terme_prévu": previous.isoformat(), "fin": on.isoformat(), "motif": note},
        )  # fmt: skip
    return mandate

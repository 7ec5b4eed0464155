"""The patient's information and decisions on sharing (ADR 0028): recorded, replaced, withdrawn."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.pathways import access
from maillage.pathways.actions import PathwayError, require
from maillage.pathways.models import PatientInformation, SharingDecision
from maillage.pathways.states import SCOPE_DECISIONS, Decision, EndKind, Scope


@dataclass
class Information:
    """What the person who informed the patient records: who, when, which text, and the patient's
    decision for each scope asked about."""

    informed_by_label: str
    informed_at: datetime
    text_version: str
    decisions: dict = field(default_factory=dict)  # Scope → Decision
    informed_by: object = None  # the account of who informed, when they have one

    def check(self, *, require_team: bool = False) -> None:
        require((self.informed_by_label or "").strip(), "Indiquez qui a informé le patient.")
        require(len(self.informed_by_label) <= 200, "Le nom de la personne qui a informé le patient est trop long.")
        require((self.text_version or "").strip(), "Indiquez la version du texte d'information remis au patient.")
        require(len(self.text_version) <= 40, "La version du texte d'information est trop longue.")
        require(isinstance(self.informed_at, datetime), "Indiquez quand le patient a été informé.")
        require(self.informed_at <= timezone.now(), "La date d'information du patient ne peut pas être dans le futur.")
        require(self.decisions, "Indiquez la décision du patient.")
        for scope, decision in self.decisions.items():
            require(scope in Scope.values, "Portée du partage inconnue.")
            allowed = SCOPE_DECISIONS[Scope(scope)]
            require(
                decision in allowed,
                f"Pour « {Scope(scope).label} », la décision est « {allowed[0].label} » ou « {allowed[1].label} ».",
            )
        if require_team:
            require(
                self.decisions.get(Scope.TEAM) == Decision.NON_OPPOSITION,
                "Le patient doit avoir été informé et ne pas s'opposer à l'échange de ses informations au sein "
                "de son équipe de soins (article L1110-4 du Code de la santé publique) : sans cela, il ne peut "
                "pas être inscrit dans un parcours partagé.",
            )


def _end(decisions, kind: str, actor, note: str = "") -> int:
    return decisions.update(
        withdrawn_at=timezone.now(), withdrawn_by=audit.user_or_none(actor),
        withdrawn_by_label=audit.actor_label(actor), end_kind=kind, end_note=(note or "").strip()[:255],
    )  # fmt: skip


def write_information(pathway, information: Information, actor) -> PatientInformation:
    """Inside the caller's transaction: the information, its decisions, and the end of the
    decisions they replace (one in force per scope)."""
    row = PatientInformation.objects.create(
        pathway=pathway, informed_by=audit.user_or_none(information.informed_by),
        informed_by_label=information.informed_by_label.strip(), informed_at=information.informed_at,
        text_version=information.text_version.strip(), recorded_by=audit.user_or_none(actor),
    )  # fmt: skip
    scopes = sorted(information.decisions)
    current = SharingDecision.objects.select_for_update().filter(pathway=pathway, scope__in=scopes).in_force()
    _end(current, EndKind.REPLACED, actor)
    SharingDecision.objects.bulk_create(
        SharingDecision(information=row, pathway=pathway, scope=scope, decision=information.decisions[scope])
        for scope in scopes
    )
    return row


def record_information(pathway, information: Information, actor) -> PatientInformation:
    """The patient informed again (a new text version) or changing their mind: the new decisions
    replace those in force for the same scopes."""
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    information.check()
    with transaction.atomic():
        row = write_information(pathway, information, actor)
        _end_shares_unless_consented(pathway, actor, "refus du partage")  # Issue 15 — hand-over
        audit.record(
            "pathways.information.recorded", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
            details={"texte": row.text_version, "décisions": dict(information.decisions)},
        )  # fmt: skip
    return row


def withdraw(decision: SharingDecision, actor, *, note: str = "") -> SharingDecision:
    """The patient withdraws a decision (a consent, or their non-objection within the team): the
    sharing it allowed ends at once, and the withdrawal is logged. Twice is refused."""
    pathway = decision.pathway
    require(access.may_act(actor, pathway), "Vous ne pouvez pas modifier ce parcours.")
    with transaction.atomic():
        locked = SharingDecision.objects.select_for_update().get(pk=decision.pk)
        if locked.withdrawn_at is not None:
            when = timezone.localtime(locked.withdrawn_at)
            what = "retirée" if locked.end_kind == EndKind.WITHDRAWN else "remplacée par une décision plus récente"
            raise PathwayError(
                f"Cette décision du patient a déjà été {what} le {when:%d/%m/%Y} à {when:%H:%M} : "
                "il n'y a plus rien à retirer."
            )
        _end(SharingDecision.objects.filter(pk=locked.pk), EndKind.WITHDRAWN, actor, note)
        locked.refresh_from_db()
        _end_shares_unless_consented(pathway, actor, "retrait du consentement")  # Issue 15 — hand-over
        audit.record(
            "pathways.sharing.withdrawn", actor=actor, cpts=pathway.cpts, obj=pathway, health_data=True,
            details={"portée": locked.scope, "décision": locked.decision, "motif": note},
        )  # fmt: skip
    return locked


def _end_shares_unless_consented(pathway, actor, reason) -> None:
    """Sharing with another CPTS lasts only while the patient's consent to sharing outside the team
    is in force (actions/handover.py)."""
    from maillage.pathways.actions.handover import end_shares

    if not access.sharing_in_force(pathway, Scope.OUTSIDE):
        end_shares(pathway, actor, reason=reason)

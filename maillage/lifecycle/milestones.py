"""The milestones of a CPTS's lifecycle: what they are, the phase each belongs to, their order,
and the mission deadlines the ACI counts from its signature.

The order is the documented one (letter of intent → … → ACI signature, then each mission's start
and full deployment): a milestone may not be dated before one that comes earlier in it, nor after
one that comes later.
"""

from dataclasses import dataclass

from django.db import models

from maillage.lifecycle.phases import Phase


class Mission(models.TextChoices):
    """The ACI's missions as the funding counts them ("access" = médecin traitant + soins non
    programmés, the two parts of « accès aux soins »)."""

    ACCESS = "access", "accès aux soins"
    PATHWAYS = "pathways", "parcours pluriprofessionnels"
    PREVENTION = "prevention", "prévention"
    CRISIS = "crisis", "crises sanitaires"
    QUALITY = "quality", "qualité et pertinence des soins"
    SUPPORT = "support", "accompagnement des professionnels"


# Months after the ACI signature by which each mission must have started and be fully deployed;
# quality and support are optional missions: no deadline.
MISSION_DEADLINES: dict[str, tuple[int, int] | None] = {
    Mission.ACCESS: (6, 18),
    Mission.PATHWAYS: (12, 24),
    Mission.PREVENTION: (12, 24),
    Mission.CRISIS: (6, 18),
    Mission.QUALITY: None,
    Mission.SUPPORT: None,
}


class Kind(models.TextChoices):
    LETTER_OF_INTENT = "letter_of_intent", "Lettre d'intention"
    # Issue 17 — avenant 2: the Assurance maladie's first payment is due once the ARS validates the
    # letter of intent (funding: `RuleSet.start_payment`). Not in the chain: a CPTS may go on without it.
    LETTER_VALIDATED = "letter_validated", "Lettre d'intention validée par l'ARS"
    SEED_FUNDING = "seed_funding", "Financement d'amorçage de l'ARS"
    STATUTES = "statutes", "Statuts et assemblée générale constitutive"
    PROJECT_SUBMITTED = "project_submitted", "Projet de santé déposé"
    ARS_RESPONSE = "ars_response", "Réponse de l'ARS"
    ACI_SIGNED = "aci_signed", "Signature de l'ACI"
    START_ACCESS = "start_access", "Démarrage : accès aux soins"
    DEPLOY_ACCESS = "deploy_access", "Déploiement complet : accès aux soins"
    START_PATHWAYS = "start_pathways", "Démarrage : parcours pluriprofessionnels"
    DEPLOY_PATHWAYS = "deploy_pathways", "Déploiement complet : parcours pluriprofessionnels"
    START_PREVENTION = "start_prevention", "Démarrage : prévention"
    DEPLOY_PREVENTION = "deploy_prevention", "Déploiement complet : prévention"
    START_CRISIS = "start_crisis", "Démarrage : crises sanitaires"
    DEPLOY_CRISIS = "deploy_crisis", "Déploiement complet : crises sanitaires"
    START_QUALITY = "start_quality", "Démarrage : qualité et pertinence des soins"
    DEPLOY_QUALITY = "deploy_quality", "Déploiement complet : qualité et pertinence des soins"
    START_SUPPORT = "start_support", "Démarrage : accompagnement des professionnels"
    DEPLOY_SUPPORT = "deploy_support", "Déploiement complet : accompagnement des professionnels"


# The chain every CPTS goes through, in order.
CHAIN = (
    Kind.LETTER_OF_INTENT,
    Kind.SEED_FUNDING,
    Kind.STATUTES,
    Kind.PROJECT_SUBMITTED,
    Kind.ARS_RESPONSE,
    Kind.ACI_SIGNED,
)
PHASE_OF = {
    Kind.LETTER_OF_INTENT: Phase.IDEATION,
    Kind.LETTER_VALIDATED: Phase.IDEATION,
    Kind.SEED_FUNDING: Phase.CONCEPTION,
    Kind.STATUTES: Phase.CONCEPTION,
    Kind.PROJECT_SUBMITTED: Phase.CONCEPTION,
    Kind.ARS_RESPONSE: Phase.CONTRACTUALISATION,
    Kind.ACI_SIGNED: Phase.CONTRACTUALISATION,
}
# Only the seed funding carries an amount.
WITH_AMOUNT = frozenset({Kind.SEED_FUNDING})


def start_kind(mission: str) -> str:
    return Kind(f"start_{mission}")


def deploy_kind(mission: str) -> str:
    return Kind(f"deploy_{mission}")


def mission_of(kind: str) -> str | None:
    prefix, _, mission = kind.partition("_")
    return mission if prefix in ("start", "deploy") and mission in Mission.values else None


for _mission in Mission:
    PHASE_OF[start_kind(_mission)] = Phase.FONCTIONNEMENT
    PHASE_OF[deploy_kind(_mission)] = Phase.FONCTIONNEMENT


def predecessors(kind: str) -> tuple[str, ...]:
    """The milestones that come before `kind` in the documented order."""
    if kind in CHAIN:
        return CHAIN[: CHAIN.index(kind)]
    if kind == Kind.LETTER_VALIDATED:
        return (Kind.LETTER_OF_INTENT,)
    mission = mission_of(kind)
    if kind == deploy_kind(mission):
        return (*CHAIN, start_kind(mission))
    return CHAIN


def successors(kind: str) -> tuple[str, ...]:
    return tuple(other for other in Kind.values if kind in predecessors(other))


@dataclass(frozen=True)
class Step:
    """One milestone kind as the timeline shows it."""

    kind: str
    label: str
    phase: str


def steps() -> list[Step]:
    """Every milestone kind in display order: the chain (the letter's validation after the letter),
    then each mission's start and deployment."""
    kinds = [CHAIN[0], Kind.LETTER_VALIDATED, *CHAIN[1:]]
    kinds += [k for mission in Mission for k in (start_kind(mission), deploy_kind(mission))]
    return [Step(kind, Kind(kind).label, PHASE_OF[kind]) for kind in kinds]

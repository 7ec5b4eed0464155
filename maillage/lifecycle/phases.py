"""The phases of a CPTS, from the first idea to the signed ACI, and the moves allowed between them.

A move not in `TRANSITIONS` is refused by `actions.move_phase`, whoever asks; each move is logged
(`PhaseTransition`) with its author. Going back one phase is allowed where real life does it (the
ARS objects to the projet de santé, the founders rewrite it); nothing leaves fonctionnement: a
signed ACI is ended by the funding contract, not by this timeline.
"""

from django.db import models


class Phase(models.TextChoices):
    IDEATION = "ideation", "idéation"
    CONCEPTION = "conception", "conception"
    CONTRACTUALISATION = "contractualisation", "contractualisation"
    FONCTIONNEMENT = "fonctionnement", "fonctionnement"


ORDER = (Phase.IDEATION, Phase.CONCEPTION, Phase.CONTRACTUALISATION, Phase.FONCTIONNEMENT)

TRANSITIONS: dict[str, frozenset[str]] = {
    Phase.IDEATION: frozenset({Phase.CONCEPTION}),
    Phase.CONCEPTION: frozenset({Phase.CONTRACTUALISATION, Phase.IDEATION}),
    Phase.CONTRACTUALISATION: frozenset({Phase.FONCTIONNEMENT, Phase.CONCEPTION}),
    Phase.FONCTIONNEMENT: frozenset(),
}


def allowed(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())


def targets(source: str) -> list[str]:
    """The phases reachable from `source`, in the order of the lifecycle."""
    return [phase for phase in ORDER if allowed(source, phase)]

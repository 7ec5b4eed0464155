"""The life of a projet de santé: states and the transitions allowed.

The coordinator writes a draft and files it with the ARS (« déposé »); the ARS records its answer
(maillage/lifecycle/ars.py): validated, or an objection that sends it back to draft for changes. A validated projet is
only changed through a new version (a copy as a draft), so that what the ARS approved stays as it was.
"""

from django.db import models


class Status(models.TextChoices):
    DRAFT = "brouillon", "brouillon"
    SUBMITTED = "depose", "déposé à l'ARS"
    VALIDATED = "valide", "validé par l'ARS"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED}),
    # Back to draft: the ARS asked for changes.
    Status.SUBMITTED: frozenset({Status.VALIDATED, Status.DRAFT}),
    Status.VALIDATED: frozenset(),
}

# The coordinator only files the projet; the other moves are the ARS's answer.
COORDINATOR_MOVES = frozenset({Status.SUBMITTED})

# What the buttons say for each of the coordinator's moves.
VERBS = {
    Status.SUBMITTED: "Marquer comme déposé à l'ARS",
}


def allowed(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())


def editable(status: str) -> bool:
    return status == Status.DRAFT

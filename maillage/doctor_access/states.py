"""The life of a request for a médecin traitant: states, the transitions allowed, close reasons.

A transition not in `TRANSITIONS` is refused by `actions.transition`, whoever asks; each one that
happens is logged (`RequestTransition`) with its author. "Proposed" is entered only through the
matching and left through the doctor's answer (or the proposal's expiry), so the coordinator's
buttons never offer it.
"""

from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "reçue"
    QUALIFIED = "qualified", "qualifiée"
    PROPOSED = "proposed", "proposée à un médecin"
    ACCEPTED = "accepted", "acceptée par le médecin"
    DECLARED = "declared", "médecin traitant déclaré"
    CLOSED = "closed", "close"


class CloseReason(models.TextChoices):
    WITHDRAWN = "withdrawn", "demande retirée"
    MOVED_AWAY = "moved_away", "a déménagé"
    UNREACHABLE = "unreachable", "injoignable"
    FOUND_ELSEWHERE = "found_elsewhere", "médecin trouvé par ailleurs"


TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.QUALIFIED, Status.CLOSED}),
    Status.QUALIFIED: frozenset({Status.PROPOSED, Status.CLOSED}),
    # Back to qualified: the doctor declined, or the proposal expired — the patient returns to the pool.
    Status.PROPOSED: frozenset({Status.ACCEPTED, Status.QUALIFIED, Status.CLOSED}),
    # Back to qualified: the patient never saw the doctor who accepted (the place is given back).
    Status.ACCEPTED: frozenset({Status.DECLARED, Status.QUALIFIED, Status.CLOSED}),
    Status.DECLARED: frozenset(),
    Status.CLOSED: frozenset(),
}

OPEN = frozenset({Status.RECEIVED, Status.QUALIFIED, Status.PROPOSED, Status.ACCEPTED})
# What the coordinator or regulator may do by hand from each state (the others are the matching's
# and the doctor's).
MANUAL = {
    Status.RECEIVED: (Status.QUALIFIED, Status.CLOSED),
    Status.QUALIFIED: (Status.CLOSED,),
    Status.PROPOSED: (Status.CLOSED,),
    Status.ACCEPTED: (Status.DECLARED, Status.QUALIFIED, Status.CLOSED),
}


def allowed(source: str, target: str) -> bool:
    return target in TRANSITIONS.get(source, frozenset())

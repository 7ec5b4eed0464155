"""The choices and the state machine of the quality mission (qualité et pertinence des soins).

A protocol moves draft → validated (by the group: at least one validator named) → in use → retired;
a transition not in the table is refused by the actions, whoever asks, and each one that happens is
logged (`ProtocolTransition`) with its author."""

from django.db import models

from maillage.pathways.states import Profession  # noqa: F401  (the RPPS/ADELI professions, one list for every mission)


class GroupKind(models.TextChoices):
    GAP = "gap", "groupe d'analyse de pratiques (GAP)"
    GEP = "gep", "groupe d'échange de pratiques (GEP)"
    PEERS = "peers", "groupe de pairs"


class ProtocolStatus(models.TextChoices):
    DRAFT = "draft", "brouillon"
    VALIDATED = "validated", "validé"
    IN_USE = "in_use", "en usage"
    RETIRED = "retired", "retiré"


PROTOCOL_TRANSITIONS: dict[str, frozenset[str]] = {
    ProtocolStatus.DRAFT: frozenset({ProtocolStatus.VALIDATED, ProtocolStatus.RETIRED}),
    # Back to draft: the group asked for changes before it is used.
    ProtocolStatus.VALIDATED: frozenset({ProtocolStatus.IN_USE, ProtocolStatus.DRAFT, ProtocolStatus.RETIRED}),
    ProtocolStatus.IN_USE: frozenset({ProtocolStatus.RETIRED}),
    ProtocolStatus.RETIRED: frozenset(),
}
# The button that makes each move, as the protocol's page says it.
MOVE_LABELS = {
    ProtocolStatus.IN_USE: "Mettre en usage",
    ProtocolStatus.DRAFT: "Revenir au brouillon",
    ProtocolStatus.RETIRED: "Retirer",
}


class EventCategory(models.TextChoices):
    MEDICATION = "medication", "médicament (prescription, délivrance, administration)"
    TRANSMISSION = "transmission", "transmission d'informations, coordination"
    IDENTIFICATION = "identification", "identification du patient"
    DELAY = "delay", "retard ou absence de prise en charge"
    INFECTION = "infection", "infection associée aux soins"
    FALL = "fall", "chute"
    DEVICE = "device", "dispositif médical"
    OTHER = "other", "autre"


class EventSeverity(models.TextChoices):
    NONE = "none", "sans conséquence pour le patient"
    TEMPORARY = "temporary", "conséquence temporaire"
    SERIOUS = "serious", "événement grave"


class EventStatus(models.TextChoices):
    DECLARED = "declared", "déclaré"
    ANALYSED = "analysed", "analysé"

"""The vocabularies of unscheduled care, with their national codes where the ANS defines them."""

from django.db import models


class Kind(models.TextChoices):
    """Where the consultation happens; the SAS codes it in v3-ActCode."""

    PRACTICE = "practice", "au cabinet"
    HOME = "home", "visite à domicile"
    TELE = "tele", "téléconsultation"


ACT_CODES = {Kind.PRACTICE: "AMB", Kind.HOME: "HH", Kind.TELE: "VR"}
ACT_LABELS = {"AMB": "ambulatory", "HH": "home health", "VR": "virtual"}


class SlotType(models.TextChoices):
    """Who may book a slot: TRE_R314-TypeCreneau of the ANS (several at once)."""

    PUBLIC = "PUBLIC", "tout public"
    PRO = "PRO", "professionnels de santé"
    SNP = "SNP", "soins non programmés (régulation SAS)"
    CPTS = "CPTS", "CPTS (numéro unique)"


# The CPTS's desk (the numéro unique) books the slots open to the public, to the SAS regulation or
# to the CPTS; PRO slots are for professionals referring a patient.
DESK_TYPES = ("PUBLIC", "SNP", "CPTS")


def desk_bookable(types) -> bool:
    return any(t in DESK_TYPES for t in types or ())


# Issue 18 — a regulator of the SAS books the slots open to the SAS regulation (SNP: « accessible
# par les régulateurs et OSNP », TRE_R314) or to anyone (PUBLIC); CPTS slots stay the numéro
# unique's, PRO slots the referring professionals'.
SAS_TYPES = ("SNP", "PUBLIC")


def sas_bookable(types) -> bool:
    return any(t in SAS_TYPES for t in types or ())


class SlotStatus(models.TextChoices):
    FREE = "free", "libre"
    BOOKED = "booked", "réservé"
    CANCELLED = "cancelled", "retiré"


class Origin(models.TextChoices):
    """Where a request came from: the CPTS's own desk, or a regulator of the SAS who opened a
    slot's booking URL from the national platform (issue 18: such bookings are reported back)."""

    DESK = "desk", "numéro unique de la CPTS"
    SAS = "sas", "régulation du SAS"


class Urgency(models.TextChoices):
    TODAY = "today", "dans la journée"
    DAY = "24h", "sous 24 heures"
    TWO_DAYS = "48h", "sous 48 heures"


class RequestStatus(models.TextChoices):
    OPEN = "open", "en cours"
    BOOKED = "booked", "rendez-vous pris"
    UNMET = "unmet", "sans solution"
    CANCELLED = "cancelled", "annulée"


class UnmetReason(models.TextChoices):
    NO_SLOT = "no_slot", "aucun créneau disponible"
    TOO_FAR = "too_far", "créneaux trop éloignés"
    PATIENT_DECLINED = "declined", "le patient a refusé les créneaux proposés"
    EMERGENCY = "emergency", "orienté vers les urgences ou le 15"
    OTHER = "other", "autre"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "réservé"
    CANCELLED = "cancelled", "annulé"
    HONOURED = "honoured", "honoré"
    NO_SHOW = "no_show", "non honoré"


# A slot keeps at most one booking in these states (a partial unique constraint).
ACTIVE_BOOKING = (BookingStatus.BOOKED, BookingStatus.HONOURED, BookingStatus.NO_SHOW)

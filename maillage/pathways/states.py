"""The choices and the state machines of the pathways mission (parcours pluriprofessionnels).

A transition not in a table is refused by the actions, whoever asks; each one that happens is
logged (`PathwayTransition`, `TaskTransition`) with its author.
"""

from django.db import models


class TemplateStatus(models.TextChoices):
    DRAFT = "draft", "brouillon"
    PUBLISHED = "published", "publié"
    RETIRED = "retired", "retiré"


class Anchor(models.TextChoices):
    ENROLMENT = "enrolment", "inscription dans le parcours"
    DISCHARGE = "discharge", "sortie d'hospitalisation"


class Profession(models.TextChoices):
    """RPPS/ADELI profession codes, as `directory.Professional.profession_code` holds them."""

    DOCTOR = "10", "médecin"
    PHARMACIST = "21", "pharmacien"
    MIDWIFE = "50", "sage-femme"
    NURSE = "60", "infirmier"
    PHYSIO = "70", "masseur-kinésithérapeute"
    PSYCHOLOGIST = "73", "psychologue"
    PODIATRIST = "80", "pédicure-podologue"
    DIETITIAN = "86", "diététicien"
    SPEECH_THERAPIST = "91", "orthophoniste"
    OCCUPATIONAL_THERAPIST = "94", "ergothérapeute"


class CareRole(models.TextChoices):
    """A person's role on one patient's care team (and, on a template step, a role that no RPPS
    profession code names: the social worker, the DAC, the hospital)."""

    GP = "gp", "médecin traitant"
    NURSE = "nurse", "infirmier"
    PHARMACIST = "pharmacist", "pharmacien"
    PHYSIO = "physio", "kinésithérapeute"
    SOCIAL_WORKER = "social_worker", "assistant social"
    DAC = "dac", "dispositif d'appui à la coordination (DAC)"
    HOSPITAL_REFERENT = "hospital_referent", "référent hospitalier"
    OTHER = "other", "autre"


# The profession a role implies, used to give a generated task to the right team member.
ROLE_PROFESSION = {
    CareRole.GP: Profession.DOCTOR,
    CareRole.NURSE: Profession.NURSE,
    CareRole.PHARMACIST: Profession.PHARMACIST,
    CareRole.PHYSIO: Profession.PHYSIO,
}


class ReferrerKind(models.TextChoices):
    PROFESSIONAL = "professional", "professionnel de la CPTS"
    HOSPITAL = "hospital", "établissement ou service hospitalier"
    PATIENT = "patient", "le patient lui-même"


class Sex(models.TextChoices):
    FEMALE = "F", "femme"
    MALE = "M", "homme"


class PathwayStatus(models.TextChoices):
    ACTIVE = "active", "actif"
    CLOSED = "closed", "clos"
    TRANSFERRED = "transferred", "transmis à une autre CPTS"


PATHWAY_TRANSITIONS: dict[str, frozenset[str]] = {
    PathwayStatus.ACTIVE: frozenset({PathwayStatus.CLOSED, PathwayStatus.TRANSFERRED}),
    # Reopened: the patient comes back (a new hospitalisation) within the same pathway.
    PathwayStatus.CLOSED: frozenset({PathwayStatus.ACTIVE}),
    PathwayStatus.TRANSFERRED: frozenset(),
}


class TaskStatus(models.TextChoices):
    TODO = "todo", "à faire"
    IN_PROGRESS = "in_progress", "en cours"
    DONE = "done", "fait"
    CANCELLED = "cancelled", "annulé"


TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.TODO: frozenset({TaskStatus.IN_PROGRESS, TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.IN_PROGRESS: frozenset({TaskStatus.TODO, TaskStatus.DONE, TaskStatus.CANCELLED}),
    # Back to « à faire »: marked done or cancelled by mistake.
    TaskStatus.DONE: frozenset({TaskStatus.TODO}),
    TaskStatus.CANCELLED: frozenset({TaskStatus.TODO}),
}
OPEN_TASKS = frozenset({TaskStatus.TODO, TaskStatus.IN_PROGRESS})


class Scope(models.TextChoices):
    """What the patient is asked about (Code de la santé publique, L1110-4 and L1110-12)."""

    TEAM = "team", "échange au sein de l'équipe de soins"
    COORDINATION = "coordination", "partage avec la coordination de la CPTS"
    OUTSIDE = "outside", "partage avec des professionnels hors de l'équipe de soins"


class Decision(models.TextChoices):
    NON_OPPOSITION = "non_opposition", "informé, ne s'oppose pas"
    OPPOSITION = "opposition", "s'oppose"
    CONSENT = "consent", "consentement"
    REFUSAL = "refusal", "refus"


# Within the team the law asks for information and no objection; beyond it, consent.
SCOPE_DECISIONS = {
    Scope.TEAM: (Decision.NON_OPPOSITION, Decision.OPPOSITION),
    Scope.COORDINATION: (Decision.CONSENT, Decision.REFUSAL),
    Scope.OUTSIDE: (Decision.CONSENT, Decision.REFUSAL),
}
GRANTING = frozenset({Decision.NON_OPPOSITION, Decision.CONSENT})


class EndKind(models.TextChoices):
    WITHDRAWN = "withdrawn", "retrait par le patient"
    REPLACED = "replaced", "remplacée par une nouvelle décision"


def pathway_allowed(source: str, target: str) -> bool:
    return target in PATHWAY_TRANSITIONS.get(source, frozenset())


def task_allowed(source: str, target: str) -> bool:
    return target in TASK_TRANSITIONS.get(source, frozenset())

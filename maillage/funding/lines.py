"""The funding lines of the ACI and how they relate to the registry's missions.

In the ACI, "accès aux soins" covers two of Maillage's missions (médecin traitant and soins non
programmés); the running costs (fonctionnement) are a line without a mission.
"""

from django.db import models

from maillage.indicators.registry import Mission


class Line(models.TextChoices):
    RUNNING = "running", "fonctionnement"
    ACCESS = "access", "accès aux soins"
    PATHWAYS = "pathways", "parcours pluriprofessionnels"
    PREVENTION = "prevention", "prévention"
    QUALITY = "quality", "qualité et pertinence des soins"
    SUPPORT = "support", "accompagnement des professionnels"
    CRISIS = "crisis", "crises sanitaires"


# The lines a contract negotiates mission by mission (the running costs are the rule set's figure).
MISSION_LINES = [line for line in Line if line != Line.RUNNING]
OPTIONAL = frozenset({Line.QUALITY, Line.SUPPORT})
TIERS = ("T1", "T2", "T3", "T4")

REGISTRY_MISSIONS = {
    Mission.DOCTOR_ACCESS: Line.ACCESS,
    Mission.UNSCHEDULED: Line.ACCESS,
    Mission.PATHWAYS: Line.PATHWAYS,
    Mission.PREVENTION: Line.PREVENTION,
    Mission.QUALITY: Line.QUALITY,
    Mission.SUPPORT: Line.SUPPORT,
    Mission.CRISIS: Line.CRISIS,
}


def label(line: str) -> str:
    return Line(line).label

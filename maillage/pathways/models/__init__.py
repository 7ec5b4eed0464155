from maillage.pathways.models.consent import PatientInformation, SharingDecision
from maillage.pathways.models.pathways import CareTeamMember, Pathway, PathwayTransition
from maillage.pathways.models.tasks import Task, TaskTransition
from maillage.pathways.models.templates import PathwayTemplate, TemplateStep

__all__ = [
    "CareTeamMember",
    "Pathway",
    "PathwayTemplate",
    "PathwayTransition",
    "PatientInformation",
    "SharingDecision",
    "Task",
    "TaskTransition",
    "TemplateStep",
]

from maillage.pathways.models.alerts import AlertKind, RuptureAlert
from maillage.pathways.models.consent import PatientInformation, SharingDecision
from maillage.pathways.models.pathways import CareTeamMember, Pathway, PathwayTransition
from maillage.pathways.models.requests import CareRequest, CareRequestRecipient, CareRequestTransition, RequestStatus
from maillage.pathways.models.tasks import Task, TaskTransition
from maillage.pathways.models.templates import PathwayTemplate, TemplateStep

__all__ = [
    "AlertKind",
    "CareRequest",
    "CareRequestRecipient",
    "CareRequestTransition",
    "CareTeamMember",
    "Pathway",
    "PathwayTemplate",
    "PathwayTransition",
    "PatientInformation",
    "RequestStatus",
    "RuptureAlert",
    "SharingDecision",
    "Task",
    "TaskTransition",
    "TemplateStep",
]

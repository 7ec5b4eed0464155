from maillage.pathways.models.alerts import AlertKind, RuptureAlert
from maillage.pathways.models.consent import PatientInformation, SharingDecision
from maillage.pathways.models.meetings import (
    Meeting,
    MeetingNextStep,
    MeetingParticipant,
    MeetingPatient,
    MeetingStatus,
    MeetingTransition,
)
from maillage.pathways.models.pathways import CareTeamMember, Pathway, PathwayTransition
from maillage.pathways.models.tasks import Task, TaskTransition
from maillage.pathways.models.templates import PathwayTemplate, TemplateStep

__all__ = [
    "AlertKind",
    "CareTeamMember",
    "Meeting",
    "MeetingNextStep",
    "MeetingParticipant",
    "MeetingPatient",
    "MeetingStatus",
    "MeetingTransition",
    "Pathway",
    "PathwayTemplate",
    "PathwayTransition",
    "PatientInformation",
    "RuptureAlert",
    "SharingDecision",
    "Task",
    "TaskTransition",
    "TemplateStep",
]

from maillage.pathways.models.alerts import AlertKind, RuptureAlert
from maillage.pathways.models.consent import PatientInformation, SharingDecision

# Issue 15 — liaison log and hand-over
from maillage.pathways.models.handover import HandOver, HandOverKind, HandOverStatus
from maillage.pathways.models.liaison import CONTACT_KINDS, LiaisonEntry, LiaisonKind, LiaisonRead
from maillage.pathways.models.meetings import (
    Meeting,
    MeetingNextStep,
    MeetingParticipant,
    MeetingPatient,
    MeetingStatus,
    MeetingTransition,
)
from maillage.pathways.models.pathways import CareTeamMember, Pathway, PathwayTransition
from maillage.pathways.models.requests import CareRequest, CareRequestRecipient, CareRequestTransition, RequestStatus
from maillage.pathways.models.tasks import Task, TaskTransition
from maillage.pathways.models.templates import PathwayTemplate, TemplateStep

__all__ = [
    "CONTACT_KINDS",
    "AlertKind",
    "CareRequest",
    "CareRequestRecipient",
    "CareRequestTransition",
    "CareTeamMember",
    "HandOver",
    "HandOverKind",
    "HandOverStatus",
    "LiaisonEntry",
    "LiaisonKind",
    "LiaisonRead",
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
    "RequestStatus",
    "RuptureAlert",
    "SharingDecision",
    "Task",
    "TaskTransition",
    "TemplateStep",
]

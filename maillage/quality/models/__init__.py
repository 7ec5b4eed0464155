"""Issue 17 — the quality mission's records: peer groups and their sessions, protocols, adverse
events (EIAS) and the actions decided about them."""

from maillage.quality.models.events import AdverseEvent, EventAction
from maillage.quality.models.groups import GroupMember, GroupSession, PeerGroup, SessionAttendance
from maillage.quality.models.protocols import Protocol, ProtocolReview, ProtocolTransition

__all__ = [
    "AdverseEvent",
    "EventAction",
    "GroupMember",
    "GroupSession",
    "PeerGroup",
    "Protocol",
    "ProtocolReview",
    "ProtocolTransition",
    "SessionAttendance",
]

from maillage.doctor_access.models.doctors import DoctorOffer, MatchRun, Proposal
from maillage.doctor_access.models.requests import DoctorRequest, RequestTransition
from maillage.doctor_access.models.settings import AccessSettings, PriorityWeight

__all__ = [
    "AccessSettings",
    "DoctorOffer",
    "DoctorRequest",
    "MatchRun",
    "PriorityWeight",
    "Proposal",
    "RequestTransition",
]

from maillage.unscheduled.models.alternatives import Alternative, AlternativeKind
from maillage.unscheduled.models.requests import Booking, CareRequest
from maillage.unscheduled.models.sas_reports import SasReport, SasReportKind, SasReportStatus
from maillage.unscheduled.models.slots import CalendarFeed, SasConsumer, Slot, SlotTemplate

__all__ = [
    "Alternative",
    "AlternativeKind",
    "Booking",
    "CalendarFeed",
    "CareRequest",
    "SasConsumer",
    "SasReport",
    "SasReportKind",
    "SasReportStatus",
    "Slot",
    "SlotTemplate",
]

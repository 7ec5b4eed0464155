from maillage.unscheduled.models.requests import Booking, CareRequest
from maillage.unscheduled.models.slots import SasConsumer, Slot, SlotTemplate

__all__ = ["Booking", "CareRequest", "SasConsumer", "Slot", "SlotTemplate"]

from maillage.association.models.assemblies import (  # noqa: F401 — issue 16 item 3
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyTransition,
    Attendance,
    Ballot,
    Participation,
    Resolution,
)
from maillage.association.models.board import HourlyRate, Mandate, TimeEntry  # Issue 16 — board, paid time
from maillage.association.models.comms import (  # Issue 16 — talking to members
    Audience,
    CalendarToken,
    Delivery,
    Event,
    Folder,
    LibraryDocument,
    Mailing,
    NewsletterOptOut,
    Registration,
)
from maillage.association.models.fees import FeeReminder, FeeSettings, Payment, ReceiptCounter
from maillage.association.models.members import College, FeeRate, Member, MemberTransition, Statutes

__all__ = ["College", "FeeRate", "Member", "MemberTransition", "Statutes"]
__all__ += ["Audience", "CalendarToken", "Delivery", "Event", "Folder", "LibraryDocument", "Mailing"]
__all__ += ["NewsletterOptOut", "Registration"]
__all__ += ["FeeReminder", "FeeSettings", "Payment", "ReceiptCounter"]  # issue 16 — fees
__all__ += ["HourlyRate", "Mandate", "TimeEntry"]  # Issue 16 — board, paid time

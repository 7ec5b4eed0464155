from maillage.association.models.fees import FeeReminder, FeeSettings, Payment, ReceiptCounter
from maillage.association.models.members import College, FeeRate, Member, MemberTransition, Statutes

__all__ = ["College", "FeeRate", "Member", "MemberTransition", "Statutes"]
__all__ += ["FeeReminder", "FeeSettings", "Payment", "ReceiptCounter"]  # issue 16 — fees

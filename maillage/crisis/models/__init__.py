"""Issue 17 — the crisis mission's records. One module per part; each part's helper adds its own
module and imports it here."""

from maillage.crisis.models.crises import Crisis, CrisisKind, CrisisTransition, DeclaredBy
from maillage.crisis.models.response import CaseCount, Centre, Shift, ShiftSignup, SupplyItem, SupplyMovement

__all__ = ["Crisis", "CrisisKind", "CrisisTransition", "DeclaredBy"]
__all__ += ["CaseCount", "Centre", "Shift", "ShiftSignup", "SupplyItem", "SupplyMovement"]  # the response

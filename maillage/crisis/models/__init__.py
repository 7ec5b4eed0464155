"""Issue 17 — the crisis mission's records. One module per part; each part's helper adds its own
module and imports it here."""

from maillage.crisis.models.crises import Crisis, CrisisKind, CrisisTransition, DeclaredBy
from maillage.crisis.models.plan import (  # plan, activation, RETEX
    Audience,
    CellMember,
    CrisisAlert,
    CrisisPlan,
    Exercise,
    PlanPartner,
    PlanRisk,
    Retex,
    RetexAction,
    Volunteer,
)
from maillage.crisis.models.response import CaseCount, Centre, Shift, ShiftSignup, SupplyItem, SupplyMovement

__all__ = ["Crisis", "CrisisKind", "CrisisTransition", "DeclaredBy"]
__all__ += ["Audience", "CellMember", "CrisisAlert", "CrisisPlan", "Exercise", "PlanPartner", "PlanRisk", "Retex"]
__all__ += ["RetexAction", "Volunteer"]
__all__ += ["CaseCount", "Centre", "Shift", "ShiftSignup", "SupplyItem", "SupplyMovement"]  # the response

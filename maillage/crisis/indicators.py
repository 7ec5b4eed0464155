"""Issue 17 — the mission's indicators in the registry (maillage/indicators/registry.py) and its
lines of the yearly ACI report (maillage/indicators/activity.py)."""

from maillage.crisis import indicators_response  # noqa: F401  (centres, supplies, cases)

"""Issue 17 — the mission's records."""

"""The ACI funding of a CPTS: versioned rule sets, the contract, the computation of a contract year
(engine.py, pure), the yearly report and the regional totals (summary.py)."""

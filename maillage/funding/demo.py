"""Demo ACI contracts: Châtillon-Malakoff-Vanves (signed 2023-03-15) and Paris 13 (2024-09-02),
under avenant 2. Written through the action (checks, audit); a CPTS that already has a contract is
left alone. A tier table whose indicator is not in the registry is skipped, and said so."""

from datetime import date
from decimal import Decimal

from maillage.funding.actions import ContractDraft, save_contract
from maillage.funding.engine import IndicatorTerms, MissionTerms, Step
from maillage.funding.models import Contract, RuleSet
from maillage.funding.rules import ensure_rule_sets
from maillage.indicators.registry import REGISTRY

D = Decimal


def _steps(*rows) -> tuple[Step, ...]:
    return tuple(
        Step(None if lo is None else D(lo), None if hi is None else D(hi), D(amount)) for lo, hi, amount in rows
    )


# (slug, signature, missions (code, start, fixed, variable), indicators (code, mission, higher is better, steps))
CONTRACTS = [
    (
        "chatillon-malakoff-vanves",
        date(2023, 3, 15),
        [
            ("access", date(2023, 3, 15), 35_000, 30_000),
            ("pathways", date(2024, 1, 1), 60_000, 30_000),
            ("prevention", date(2024, 1, 1), 25_000, 10_000),
            ("crisis", date(2023, 9, 15), 20_000, 10_000),
            ("quality", date(2025, 1, 1), 20_000, 10_000),
        ],
        [
            ("cpam.ald_sans_mt", "access", False, _steps(
                (None, "51", 9000), ("51", "101", 6000), ("101", "220", 3000)
            )),
            ("doctor_access.found_doctor", "access", True, _steps(("20", "50", 4000), ("50", None, 8000))),
            ("unscheduled.served_within_24h", "access", True, _steps(("50", "70", 4000), ("70", None, 8000))),
            ("cpam.depistage_sein", "prevention", True, _steps(
                ("69.7", "72.4", 1000), ("72.4", "75", 2500), ("75", None, 3500)
            )),
            # Issue 17: the missions' own work, counted by Maillage (prevention actions held, peer-group
            # sessions held in the year).
            ("prevention.events_held", "prevention", True, _steps(("3", "6", 1500), ("6", None, 3000))),
            ("quality.sessions_held", "quality", True, _steps(("2", "4", 2500), ("4", None, 5000))),
        ],
    ),
    (
        "paris-13",
        date(2024, 9, 2),
        [
            ("access", date(2024, 9, 2), 50_000, 30_000),
            ("pathways", date(2025, 1, 1), 70_000, 30_000),
            ("prevention", date(2025, 1, 1), 30_000, 10_000),
            ("crisis", date(2024, 9, 2), 25_000, 10_000),
        ],
        [
            ("unscheduled.served_within_24h", "access", True, _steps(("50", "70", 5000), ("70", None, 10000))),
            ("cpam.depistage_sein", "prevention", True, _steps(("65", "70", 2000), ("70", None, 4000))),
        ],
    ),
]  # fmt: skip


def draft_for(slug: str, rule_set: RuleSet, *, log=print) -> ContractDraft:
    _, signed_on, missions, indicators = next(c for c in CONTRACTS if c[0] == slug)
    kept = []
    for code, mission, higher, steps in indicators:
        if code not in REGISTRY:
            log(f"  financement : indicateur {code} absent du registre, tranches ignorées")
            continue
        kept.append(IndicatorTerms(code, mission, higher, steps, REGISTRY[code].label))
    return ContractDraft(
        rule_set=rule_set,
        signed_on=signed_on,
        missions=[MissionTerms(m, start, D(fixed), D(variable)) for m, start, fixed, variable in missions],
        indicators=kept,
    )


def load(cpts_list, *, log=print) -> None:
    ensure_rule_sets()
    rule_set = RuleSet.objects.get(code="avenant-2")
    wanted = {c[0] for c in CONTRACTS}
    for cpts in cpts_list:
        if cpts.slug not in wanted or Contract.objects.filter(cpts=cpts).exists():
            continue
        contract = save_contract(cpts, draft_for(cpts.slug, rule_set, log=log), None)
        log(f"  financement ({cpts.name}) : ACI signé le {contract.signed_on:%d/%m/%Y}, taille {contract.tier}")

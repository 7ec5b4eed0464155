"""The demo CPTS at every phase of their lifecycle (today in the demo is 2026-11-23).

Idempotent: a milestone already at its date and a phase already reached are left alone, so a
second run writes nothing (and no audit entry). Everything goes through the actions, as a
coordinator would do it, with the same checks.
"""

from datetime import date
from decimal import Decimal

from maillage.core.french import plural
from maillage.lifecycle import actions
from maillage.lifecycle.models import Milestone
from maillage.lifecycle.phases import ORDER, Phase
from maillage.lifecycle.timeline import phase_of

D = date
# slug → (phase, [(milestone kind, date, amount or None)])
PLAN = {
    "montrouge-bagneux": (Phase.IDEATION, [("letter_of_intent", D(2026, 10, 5), None)]),
    "grand-issy-vanves": (
        Phase.CONCEPTION,
        [
            ("letter_of_intent", D(2025, 11, 14), None),
            ("letter_validated", D(2026, 1, 12), None),  # avenant 2: the first payment is due
            ("seed_funding", D(2026, 2, 2), Decimal("30000.00")),
            ("statutes", D(2026, 4, 9), None),
        ],
    ),
    "ouest-herault": (
        Phase.CONCEPTION,
        [
            ("letter_of_intent", D(2025, 6, 20), None),
            ("letter_validated", D(2025, 9, 1), None),
            ("seed_funding", D(2025, 10, 1), Decimal("25000.00")),
            ("statutes", D(2026, 1, 22), None),
        ],
    ),
    "bergerac": (
        Phase.CONTRACTUALISATION,
        [
            ("letter_of_intent", D(2024, 9, 12), None),
            ("letter_validated", D(2024, 12, 2), None),
            ("seed_funding", D(2025, 1, 15), Decimal("30000.00")),
            ("statutes", D(2025, 5, 27), None),
            # No answer from the ARS: its silence validated the projet on 2026-08-10.
            ("project_submitted", D(2026, 6, 10), None),
        ],
    ),
    "chatillon-malakoff-vanves": (
        Phase.FONCTIONNEMENT,
        [
            ("letter_of_intent", D(2019, 6, 3), None),
            ("seed_funding", D(2019, 9, 16), Decimal("50000.00")),
            ("statutes", D(2019, 11, 28), None),
            ("project_submitted", D(2022, 10, 3), None),
            ("ars_response", D(2022, 11, 28), None),
            ("aci_signed", D(2023, 3, 15), None),
            ("start_support", D(2023, 4, 3), None),
            ("start_access", D(2023, 6, 1), None),
            ("start_crisis", D(2023, 9, 1), None),
            ("start_quality", D(2023, 10, 2), None),
            ("start_pathways", D(2024, 1, 15), None),
            ("start_prevention", D(2024, 2, 1), None),
            ("deploy_access", D(2024, 6, 28), None),
            ("deploy_pathways", D(2025, 1, 31), None),
            ("deploy_prevention", D(2025, 3, 3), None),
            # The crisis mission's full deployment (due 2024-09-15) is not dated: late.
        ],
    ),
    "paris-13": (
        Phase.FONCTIONNEMENT,
        [
            ("letter_of_intent", D(2022, 2, 7), None),
            ("seed_funding", D(2022, 5, 2), Decimal("40000.00")),
            ("statutes", D(2022, 9, 29), None),
            ("project_submitted", D(2024, 3, 4), None),
            ("ars_response", D(2024, 4, 30), None),
            ("aci_signed", D(2024, 9, 2), None),
            ("start_access", D(2025, 1, 6), None),
            ("start_crisis", D(2025, 2, 3), None),
            ("start_prevention", D(2025, 6, 2), None),
            # Due 2025-09-02: the pathways mission started late.
            ("start_pathways", D(2025, 11, 10), None),
            ("deploy_access", D(2026, 1, 30), None),
            ("deploy_crisis", D(2026, 2, 27), None),
            ("deploy_pathways", D(2026, 8, 31), None),
            ("deploy_prevention", D(2026, 8, 31), None),
        ],
    ),
}


def load(demo_cpts, log=print) -> None:
    for cpts in demo_cpts:
        if cpts.slug not in PLAN:
            continue
        phase, milestones = PLAN[cpts.slug]
        dated = 0
        for kind, day, amount in milestones:
            if not Milestone.objects.filter(cpts=cpts, kind=kind, date=day).exists():
                actions.date_milestone(cpts, kind, day, actor=None, amount=amount, history=True)
                dated += 1
        # Through each phase in turn, as the coordinator would have moved it.
        while ORDER.index(phase_of(cpts)) < ORDER.index(phase):
            actions.move_phase(cpts, ORDER[ORDER.index(phase_of(cpts)) + 1], actor=None)
        log(f"  étapes ({cpts.name}) : phase {Phase(phase).label}, {plural(dated, 'jalon daté', 'jalons datés')}")

"""Issue 17 — the crisis mission's demo: every demo CPTS has a written plan; one has a past crisis
with a centre and its shifts, a stock ledger, a case map and a RETEX. Each part is a module of
`PARTS` with `build(cpts, coordinator_user)`, written through the actions as the system."""

from importlib import import_module

from django.db import transaction

from maillage.accounts.models import RoleKind, User

PARTS: list[str] = [
    "maillage.crisis.demo_plan",  # plan, activation, RETEX, home follow-up
    "maillage.crisis.demo_response",  # centres and shifts, supplies, case map
]


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        coordinator = User.objects.filter(roles__cpts=cpts, roles__kind=RoleKind.COORDINATOR).first()
        with transaction.atomic():
            for part in PARTS:
                import_module(part).build(cpts, coordinator, log=log)

"""What the timeline page shows, computed from the milestones (the views stay thin)."""

from dataclasses import dataclass, field
from datetime import date

from maillage.funding import start
from maillage.lifecycle.actions import phase_problems
from maillage.lifecycle.milestones import MISSION_DEADLINES, WITH_AMOUNT, Kind, Step, mission_of, steps
from maillage.lifecycle.models import Lifecycle, Milestone, PhaseTransition
from maillage.lifecycle.phases import ORDER, Phase, targets
from maillage.lifecycle.timeline import Deadline, deadlines_from, latest_decision, validation_from


@dataclass
class Row:
    step: Step
    milestone: Milestone | None
    deadline: Deadline | None = None
    optional: bool = False  # a mission without deadline (quality, support)
    errors: list[str] = field(default_factory=list)
    typed: dict[str, str] = field(default_factory=dict)  # what was typed, kept after a refused save

    @property
    def kind(self) -> str:
        return self.step.kind

    @property
    def date(self) -> date | None:
        return self.milestone.date if self.milestone else None

    @property
    def amount(self):
        return self.milestone.amount if self.milestone else None

    @property
    def note(self) -> str:
        return self.milestone.note if self.milestone else ""

    @property
    def version(self) -> int:
        return self.milestone.version if self.milestone else 0

    @property
    def with_amount(self) -> bool:
        return self.kind in WITH_AMOUNT

    @property
    def is_ars_response(self) -> bool:
        return self.kind == Kind.ARS_RESPONSE


def build(cpts, *, today: date, can_write: bool, errors: dict[str, list[str]] | None = None, typed=None) -> dict:
    errors, typed = errors or {}, typed or {}
    lifecycle = Lifecycle.objects.filter(cpts=cpts).first()
    phase = lifecycle.phase if lifecycle else Phase.IDEATION
    milestones = {m.kind: m for m in Milestone.objects.filter(cpts=cpts).prefetch_related("documents")}
    dates = {kind: m.date for kind, m in milestones.items() if m.date}
    due = {d.milestone_kind: d for d in deadlines_from(dates, today)}
    decision = latest_decision(cpts)
    rows = []
    for step in steps():
        mission = mission_of(step.kind)
        rows.append(
            Row(
                step,
                milestones.get(step.kind),
                due.get(step.kind),
                optional=mission is not None and MISSION_DEADLINES[mission] is None,
                errors=errors.get(step.kind, []),
                typed=typed.get(step.kind, {}),
            )
        )
    current = ORDER.index(phase)
    return {
        "cpts": cpts,
        "can_write": can_write,
        "today": today,
        "phase": Phase(phase),
        "phases": [(p, "done" if i < current else "current" if i == current else "todo") for i, p in enumerate(ORDER)],
        "blocks": [(p, [row for row in rows if row.step.phase == p]) for p in ORDER],
        "validation": validation_from(dates, decision),
        "late": [d for d in due.values() if d.late],
        "moves": [(Phase(t), phase_problems(t, dates, today, decision)) for t in targets(phase)],
        "transitions": PhaseTransition.objects.filter(lifecycle=lifecycle) if lifecycle else [],
        "documents": [(row, document) for row in rows if row.milestone for document in row.milestone.documents.all()],
        "kinds": Kind.choices,
        "errors": errors,
        # Avenant 2: the first payment once the ARS has validated the letter of intent (issue 17).
        "first_payment": start.of(cpts),
    }

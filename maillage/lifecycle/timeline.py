"""What other apps read about a CPTS's lifecycle: its phase, its ACI signature, its mission
deadlines. Everything here is computed from the dated milestones; nothing is typed twice.

The pure functions (`deadlines_from`, `validation_from`) take the milestone dates as a dict so
that a regional page can compute many CPTS from one query.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from maillage.lifecycle.dates import add_months, deemed_validation
from maillage.lifecycle.milestones import MISSION_DEADLINES, Kind, Mission, deploy_kind, start_kind
from maillage.lifecycle.models import Lifecycle, Milestone
from maillage.lifecycle.phases import Phase

START = "start"
DEPLOYMENT = "deployment"


@dataclass(frozen=True)
class Deadline:
    mission: str  # a milestones.Mission code
    kind: str  # START or DEPLOYMENT
    due: date
    met_on: date | None  # the milestone's date when it is on or before `due`
    late: bool  # past and not met
    done_on: date | None = None  # the milestone's date, even when it came after `due`

    @property
    def mission_label(self) -> str:
        return Mission(self.mission).label

    @property
    def label(self) -> str:
        what = "Démarrage" if self.kind == START else "Déploiement complet"
        return f"{what} : {self.mission_label}"

    @property
    def milestone_kind(self) -> str:
        return start_kind(self.mission) if self.kind == START else deploy_kind(self.mission)


@dataclass(frozen=True)
class Validation:
    """The ARS's answer to the projet de santé: its explicit response, or the date its silence
    makes the projet validated (article L1434-12 CSP). One or the other, never both: a recorded
    answer replaces the computed date, and an objection stops the clock until the projet is filed
    again (which dates « Projet de santé déposé » anew)."""

    submitted_on: date
    deemed_on: date
    answered_on: date | None
    objected_on: date | None = None
    reasons: str = ""

    def validated(self, today: date) -> bool:
        if self.answered_on is not None:
            return True
        return self.objected_on is None and today >= self.deemed_on

    @property
    def tacit(self) -> bool:
        """Whether the silence of the ARS is what counts (no answer recorded)."""
        return self.answered_on is None and self.objected_on is None

    @property
    def validated_on(self) -> date:
        return self.answered_on or self.deemed_on


def dates_of(cpts) -> dict[str, date]:
    """{milestone kind: date} of the CPTS's dated milestones."""
    return dict(Milestone.objects.filter(cpts=cpts, date__isnull=False).values_list("kind", "date"))


def phase_of(cpts) -> str:
    """The phase code; a CPTS nobody has started a lifecycle for is at the first phase."""
    phase = Lifecycle.objects.filter(cpts=cpts).values_list("phase", flat=True).first()
    return phase or Phase.IDEATION


def aci_signed_on(cpts) -> date | None:
    return Milestone.objects.filter(cpts=cpts, kind=Kind.ACI_SIGNED).values_list("date", flat=True).first()


def validation_from(dates: dict[str, date], decision=None) -> Validation | None:
    """`decision`: the ARS's latest recorded decision (an `ArsDecision`, or None); it counts when
    it answers the filing dated in `dates` (decided on or after it, before the silence's date)."""
    submitted = dates.get(Kind.PROJECT_SUBMITTED)
    if submitted is None:
        return None
    answered, objected, reasons, deemed = dates.get(Kind.ARS_RESPONSE), None, "", deemed_validation(submitted)
    # Only an answer within the two months counts (a later version's answer is not this filing's).
    if decision is not None and submitted <= decision.decided_on < deemed and answered is None:
        if decision.outcome == "objection":
            objected, reasons = decision.decided_on, decision.reasons
        else:
            answered = decision.decided_on
    return Validation(submitted, deemed, answered, objected, reasons)


def latest_decision(cpts):
    from maillage.lifecycle.models import ArsDecision

    return ArsDecision.objects.filter(cpts=cpts).order_by("-decided_on", "-id").first()


def deadlines_from(dates: dict[str, date], today: date) -> list[Deadline]:
    signed = dates.get(Kind.ACI_SIGNED)
    if signed is None:
        return []
    found = []
    for mission, months in MISSION_DEADLINES.items():
        if months is None:
            continue
        pairs = ((START, months[0], start_kind(mission)), (DEPLOYMENT, months[1], deploy_kind(mission)))
        for kind, delay, milestone in pairs:
            due = add_months(signed, delay)
            done = dates.get(milestone)
            met = done if done is not None and done <= due else None
            found.append(Deadline(mission, kind, due, met, late=met is None and today > due, done_on=done))
    return sorted(found, key=lambda d: (d.due, d.kind != START, d.mission))


def deadlines(cpts, today: date | None = None) -> list[Deadline]:
    """Each mandatory mission's start and full-deployment deadlines, counted from the ACI signature
    (none before it is signed)."""
    return deadlines_from(dates_of(cpts), today or timezone.localdate())

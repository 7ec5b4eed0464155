"""The CPTS of a région along their lifecycle: the funnel, each CPTS's phase, tier and late
deadlines, and (a separate part, see `funding_lines`) the ACI amounts from maillage.funding.

No person appears here: phases and deadlines are facts about associations, not people. Three
queries whatever the number of CPTS (populations, phases, milestone dates).
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.shortcuts import render
from django.utils import timezone

from maillage.funding.summary import region_totals
from maillage.lifecycle import ars
from maillage.lifecycle.models import Lifecycle, Milestone
from maillage.lifecycle.phases import ORDER, Phase
from maillage.lifecycle.timeline import deadlines_from
from maillage.territory.models import Cpts
from maillage.territory.tiers import Tier
from maillage.www.region.doctor_access import cpts_of_region
from maillage.www.scoping import region_for

FIRST_ACI_YEAR = 2019  # the ACI CPTS was signed in 2019


@dataclass(frozen=True)
class Line:
    cpts: Cpts
    phase: Phase
    tier: Tier
    late: int


def lines(cpts_list, today) -> list[Line]:
    ids = [c.pk for c in cpts_list]
    phases = dict(Lifecycle.objects.filter(cpts__in=ids).values_list("cpts_id", "phase"))
    dates = defaultdict(dict)
    for cpts_id, kind, day in Milestone.objects.filter(cpts__in=ids, date__isnull=False).values_list(
        "cpts_id", "kind", "date"
    ):
        dates[cpts_id][kind] = day
    return [
        Line(
            cpts,
            Phase(phases.get(cpts.pk, Phase.IDEATION)),
            cpts.tier(),
            sum(1 for d in deadlines_from(dates[cpts.pk], today) if d.late),
        )
        for cpts in cpts_list
    ]


def funnel_counts(found: list[Line]) -> list[tuple[Phase, int]]:
    return [(phase, sum(1 for line in found if line.phase == phase)) for phase in ORDER]


def funding_lines(found: list[Line], year: int) -> tuple[list, dict[str, Decimal]]:
    """Each CPTS with its ACI amounts for `year` (None without a contract covering it), and the
    région's totals of those amounts."""
    totals = region_totals([line.cpts for line in found], year)
    region = {key: sum((t[key] for t in totals.values()), Decimal(0)) for key in ("committed", "paid", "projected")}
    return [(line.cpts, totals.get(line.cpts.pk)) for line in found], region


def _year(request, today) -> tuple[int, str]:
    raw = request.GET.get("annee", "").strip()
    if not raw:
        return today.year, ""
    if len(raw) == 4 and raw.isascii() and raw.isdigit() and FIRST_ACI_YEAR <= int(raw) <= today.year + 5:
        return int(raw), ""
    return (
        today.year,
        f"Année invalide : « {raw[:20]} ». Indiquez une année entre {FIRST_ACI_YEAR} et {today.year + 5}.",
    )


def funnel(request, code):
    region = region_for(request, code)
    today = timezone.localdate()
    year, error = _year(request, today)
    # The population is summed over the whole territory (a CPTS may straddle two régions).
    ids = list(cpts_of_region(region).values_list("pk", flat=True))
    cpts_list = list(Cpts.objects.filter(pk__in=ids).with_population().order_by("name"))
    found = lines(cpts_list, today)
    funding, funding_total = funding_lines(found, year) if not error else (None, None)
    waiting = ars.awaiting(cpts_list)
    return render(
        request,
        "region/cpts.html",
        {
            "region": region,
            "lines": found,
            "funnel": funnel_counts(found),
            "year": year,
            "years": range(today.year + 1, FIRST_ACI_YEAR - 1, -1),
            "error": error,
            "funding": funding,
            "awaiting_ars": waiting,
            "funding_total": funding_total,
        },
        status=400 if error else 200,
    )

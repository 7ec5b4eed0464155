"""The access mission in a région: the médecin traitant indicators of each of its CPTS.

Regional viewers see figures, never a patient: every count of people under 5 is shown as "< 5",
a statistic computed on fewer than 5 people is not shown (`registry.for_region`), and there is no
regional total (it would give away the hidden counts).
"""

from django.shortcuts import render

from maillage.core.replicas import replica_reads
from maillage.indicators import registry
from maillage.territory.models import Cpts
from maillage.www.indicators.views import period_from, recent_periods
from maillage.www.scoping import region_for


def cpts_of_region(region):
    """The CPTS with at least one commune of `region` in their territory (as coverage counts them)."""
    return Cpts.objects.of_regions([region.code]).order_by("name")


@replica_reads
def indicators(request, code):
    region = region_for(request, code)
    period, error = period_from(request)
    # Computed indicators only: the CPAM's figures are entered per year or quarter, rarely for the
    # month shown here (the API gives them per year).
    declared = [i for i in registry.of_mission(registry.Mission.DOCTOR_ACCESS) if not i.external]
    rows = []
    if not error:
        for cpts in cpts_of_region(region):
            values = registry.compute(cpts, period, [indicator.code for indicator in declared])
            rows.append((cpts, [registry.for_region(i, values, cpts=cpts, period=period) for i in declared]))
    return render(
        request,
        "region/doctor_access.html",
        {
            "region": region,
            "period": period,
            "periods": recent_periods(),
            "indicators": declared,
            "rows": rows,
            "error": error,
        },
        status=400 if error else 200,
    )

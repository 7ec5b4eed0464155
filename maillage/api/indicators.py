"""GET /api/v1/cpts/{slug}/indicators?year=: the registry's values of a CPTS for a calendar year.

The access policy's `indicators` area, as on the pages: the CPTS's coordinators and members and the
platform's admins read the values; a regional viewer of a région the CPTS has communes in reads them
with every count of people under 5 hidden, and every rate, ratio or median over fewer than 5 people
withheld (`registry.for_region`); anyone else gets a 404, as if the CPTS did not
exist. A value kept for the year (computed and recorded, or entered by hand) is the one given, as
the funding reads it; a computed indicator with nothing kept is computed now.
"""

from datetime import date
from typing import Any

from django.utils import timezone
from ninja import Router, Schema, Status

from maillage.accounts import policy
from maillage.accounts.policy import READ, Area
from maillage.api.schemas import ErrorOut
from maillage.core import bounds
from maillage.indicators import registry
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period
from maillage.territory.models import Cpts

router = Router(tags=["indicateurs"])


class IndicatorOut(Schema):
    code: str
    libelle: str
    mission: str
    type: str
    unite: str
    sens: str | None
    valeur: Any  # a number, a breakdown {label: number}, null, or what a regional viewer may see ("< 5")
    origine: str  # "calculée" or "saisie"
    conservee: bool  # kept for the year (as the funding reads it) rather than computed for this answer
    source: str | None
    date_source: date | None


class IndicatorsOut(Schema):
    cpts: str
    annee: int
    vue: str  # "cpts" or "régionale" (small counts hidden)
    indicateurs: list[IndicatorOut]


def _year(text: str | None) -> int | str:
    """The year asked, or the French reason it cannot be read."""
    today = timezone.localdate()
    if text is None or text == "":
        return today.year
    text = text.strip()[:40]
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        return f"Année « {text} » illisible : attendu une année sur quatre chiffres, par exemple {today.year - 1}."
    if int(text) < bounds.MIN_YEAR:
        return f"Année {text} hors des limites : pas de valeurs avant {bounds.MIN_YEAR}."
    if int(text) > today.year:
        return f"L'année {text} n'a pas encore commencé."
    return int(text)


def _scope(request, slug: str) -> tuple[Cpts | None, bool]:
    """The CPTS if the policy lets the user read its indicators, and whether only as a regional viewer."""
    cpts = policy.cpts(request.user, Area.INDICATORS, READ).filter(slug=slug).first()
    if cpts is None:
        return None, False
    return cpts, policy.reads_as_region(request.user, Area.INDICATORS, cpts)


def _values(cpts, period: Period) -> tuple[dict, dict[str, IndicatorValue]]:
    kept = {row.code: row for row in IndicatorValue.objects.filter(cpts=cpts, period=period.code)}
    missing = [i.code for i in registry.computed() if i.code not in kept]
    values = {code: row.value for code, row in kept.items() if code in registry.REGISTRY}
    values.update(registry.compute(cpts, period, missing))
    for indicator in registry.external():
        values.setdefault(indicator.code, None)
    return values, kept


@router.get(
    "/cpts/{slug}/indicators",
    response={200: IndicatorsOut, 400: ErrorOut, 404: ErrorOut},
    summary="Les indicateurs d'une CPTS pour une année",
)
def cpts_indicators(request, slug: str, year: str | None = None):
    cpts, regional = _scope(request, slug)
    if cpts is None:
        return Status(404, {"detail": f"CPTS inconnue : {slug}."})
    asked = _year(year)
    if isinstance(asked, str):
        return Status(400, {"detail": asked})
    period = Period.year(asked)
    values, kept = _values(cpts, period)
    out = []
    for indicator in registry.REGISTRY.values():
        row = kept.get(indicator.code)
        value = registry.for_region(indicator, values, cpts=cpts, period=period) if regional else values[indicator.code]
        out.append(
            {
                "code": indicator.code,
                "libelle": indicator.label,
                "mission": indicator.mission,
                "type": indicator.kind,
                "unite": indicator.unit,
                "sens": indicator.direction or None,
                "valeur": value,
                "origine": indicator.origin,
                "conservee": row is not None,
                "source": row.source if row is not None else None,
                "date_source": row.source_date if row is not None else None,
            }
        )
    return Status(
        200, {"cpts": cpts.slug, "annee": asked, "vue": "régionale" if regional else "cpts", "indicateurs": out}
    )

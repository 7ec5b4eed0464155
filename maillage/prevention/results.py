"""A campaign's results as its page and its report show them: the figures of its actions held (the
registry's definitions, `indicators.figures`) and, beside them, the CPAM's rates the coordinator
entered by hand (maillage/indicators/external.py) for the campaign's theme and period."""

from dataclasses import dataclass
from decimal import Decimal

from maillage.indicators import registry
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period
from maillage.prevention.indicators import figures, held
from maillage.prevention.models import Campaign, Theme

# The CPAM's rates that measure what a theme aims at (the external indicators of the mission).
THEME_RATES = {
    Theme.BREAST: ["cpam.depistage_sein"],
    Theme.PINK_OCTOBER: ["cpam.depistage_sein"],
    Theme.COLORECTAL: ["cpam.depistage_colorectal"],
    Theme.FLU: ["cpam.vaccination_grippe_65"],
}
FIGURES = [
    ("events", "Actions réalisées"),
    ("people", "Personnes touchées"),
    ("tests", "Tests de dépistage remis"),
    ("vaccinations", "Vaccinations faites"),
    ("hours", "Heures des professionnels"),
]


@dataclass(frozen=True)
class Rate:
    label: str
    period: str
    value: Decimal | None
    unit: str
    source: str
    source_date: object


def campaign_figures(campaign: Campaign) -> dict:
    return figures(held(campaign.events.all()))


def figure_rows(campaign: Campaign) -> list[tuple[str, int | Decimal]]:
    values = campaign_figures(campaign)
    return [(label, values[key]) for key, label in FIGURES]


def rates(campaign: Campaign) -> list[Rate]:
    """The CPAM's rates of the campaign's theme entered for a period that meets the campaign's
    (none for a theme the CPAM does not measure), oldest first."""
    codes = THEME_RATES.get(campaign.theme, [])
    rows = IndicatorValue.objects.filter(
        cpts=campaign.cpts,
        code__in=codes,
        period_start__lte=campaign.ends_on,
        period_end__gt=campaign.starts_on,
    ).order_by("code", "period_start", "period_end")
    found = []
    for row in rows:
        indicator = registry.get(row.code)
        value = row.value
        found.append(
            Rate(
                label=indicator.label,
                period=Period.parse(row.period).label,
                value=None if value is None else Decimal(str(value)),
                unit=indicator.unit,
                source=row.source,
                source_date=row.source_date,
            )
        )
    return found

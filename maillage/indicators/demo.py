"""Demo of the indicators: for the CPTS Châtillon-Malakoff-Vanves (signed in 2023), the CPAM's
figures entered by hand for 2025 and for 2026 so far (by quarter and year to date), and the
computed indicators recorded for 2025, each month of 2025 and each month of 2026 up to October,
so that charts and the funding have something to show. Entered through the actions; run again,
it writes nothing it already wrote."""

from datetime import date

from django.contrib.auth import get_user_model

from maillage.core.french import plural
from maillage.indicators import registry
from maillage.indicators.actions import enter_value, record_values
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period

SLUG = "chatillon-malakoff-vanves"
COORDINATOR = "coordination.cmv@demo.maillage.fr"
CPAM = "CPAM des Hauts-de-Seine, tableau de bord ACI"
LAST_MONTH = (2026, 10)

# code → {period: value}; the year's figure is the last known one (the end of 2025, or the end of
# September 2026 for the year so far), the quarters show the way there.
FIGURES = {
    "cpam.ald_sans_mt": {
        "2025-T1": 141, "2025-T2": 136, "2025-T3": 131, "2025-T4": 128, "2025": 128,
        "2026-T1": 117, "2026-T2": 104, "2026-T3": 96, "2026": 96,
    },
    "cpam.depistage_sein": {
        "2025-T1": "68.9", "2025-T2": "69.4", "2025-T3": "69.8", "2025-T4": "70.1", "2025": "70.1",
        "2026-T1": "71.0", "2026-T2": "72.1", "2026-T3": "72.9", "2026": "72.9",
    },
    "cpam.depistage_colorectal": {"2025": "31.4", "2026": "33.8"},
    "cpam.vaccination_grippe_65": {"2025": "54.2", "2026": "57.6"},
}  # fmt: skip
RATIOS = {"cpam.patientele_mt_par_mg": {"2025": (61_250, 68), "2026": (62_100, 71)}}


def source_of(period: Period) -> tuple[str, date]:
    """The CPAM's dashboard a figure comes from, and its date: three weeks after the quarter, or
    mid-March for a whole year."""
    if period.code == "2026":
        return f"{CPAM} (cumul à fin septembre 2026)", date(2026, 10, 20)
    if len(period.code) == 4:
        return f"{CPAM} {period.code}", date(period.start.year + 1, 3, 16)
    return f"{CPAM}, {period.label}", date(period.end.year, period.end.month, 21)


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if cpts.slug != SLUG:
            continue
        actor = get_user_model().objects.filter(email=COORDINATOR).first()
        entered = _enter(cpts, actor)
        recorded = _record(cpts)
        log(
            f"  indicateurs ({cpts.name}) : {plural(entered, 'valeur saisie', 'valeurs saisies')}, "
            f"{plural(recorded, 'période calculée', 'périodes calculées')}"
        )


def _enter(cpts, actor) -> int:
    done = set(IndicatorValue.objects.filter(cpts=cpts, source_date__isnull=False).values_list("code", "period"))
    entered = 0
    wanted = [(code, period, {"value": value}) for code, rows in FIGURES.items() for period, value in rows.items()]
    wanted += [
        (code, period, {"numerator": top, "denominator": bottom})
        for code, rows in RATIOS.items()
        for period, (top, bottom) in rows.items()
    ]
    for code, code_of_period, number in wanted:
        if (code, code_of_period) in done:
            continue
        period = Period.parse(code_of_period)
        source, when = source_of(period)
        enter_value(cpts, code, period, source=source, source_date=when, actor=actor, **number)
        entered += 1
    return entered


def _record(cpts) -> int:
    periods = [Period.year(2025), *(Period.month(2025, m) for m in range(1, 13))]
    periods += [Period.month(LAST_MONTH[0], m) for m in range(1, LAST_MONTH[1] + 1)]
    some_code = registry.computed()[0].code
    done = set(IndicatorValue.objects.filter(cpts=cpts, code=some_code).values_list("period", flat=True))
    recorded = 0
    for period in periods:
        if period.code not in done:
            record_values(cpts, period)
            recorded += 1
    return recorded

"""External indicators: figures that come from outside Maillage (the CPAM's dashboards, screening
rates) and that the coordinator enters by hand, with their source and its date
(`actions.enter_value`). They sit in the same registry as the computed ones, so that the pages,
the API and the funding read both the same way; their "computation" is reading the value entered
for the period.
"""

from decimal import Decimal

from maillage.indicators.registry import DEFAULT_RANGE, Direction, Indicator, Kind, Mission, add


def _entered(code: str):
    def read(cpts, period):
        from maillage.indicators.models import IndicatorValue

        return (
            IndicatorValue.objects.filter(cpts=cpts, code=code, period=period.code)
            .values_list("value", flat=True)
            .first()
        )

    return read


def register_external(
    code: str,
    *,
    label: str,
    mission: str,
    kind: str,
    unit: str,
    direction: str = "",
    description: str = "",
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
    numerator: str = "",
    denominator: str = "",
) -> Indicator:
    if kind == Kind.DISTRIBUTION:
        # A breakdown would need its labels agreed with the source first; none is asked for yet.
        raise ValueError(f"external indicator {code}: a distribution cannot be entered by hand")
    if kind == Kind.RATIO and not (numerator and denominator):
        raise ValueError(f"external indicator {code}: a ratio names its numerator and denominator")
    low, high = DEFAULT_RANGE[kind]
    return add(
        Indicator(
            code=code,
            label=label,
            mission=mission,
            unit=unit,
            compute=_entered(code),
            kind=kind,
            description=description,
            # Only a count is a number of people; a rate of 3 % is not three people.
            counts_people=kind == Kind.COUNT,
            # The Assurance maladie's figures of a whole territory: thousands of patients, and
            # published by it; no population of Maillage's to check them against.
            population=None,
            direction=direction,
            minimum=low if minimum is None else minimum,
            maximum=high if maximum is None else maximum,
            numerator=numerator,
            denominator=denominator,
            external=True,
        )
    )


register_external(
    "cpam.ald_sans_mt",
    label="Patients en ALD sans médecin traitant",
    mission=Mission.DOCTOR_ACCESS,
    kind=Kind.COUNT,
    unit="patients",
    direction=Direction.LOWER,
    description="Patients en affection de longue durée du territoire sans médecin traitant déclaré, "
    "d'après l'Assurance maladie.",
)
register_external(
    "cpam.patientele_mt_par_mg",
    label="Patients ayant déclaré un médecin traitant, par médecin généraliste",
    mission=Mission.DOCTOR_ACCESS,
    kind=Kind.RATIO,
    unit="patients par médecin",
    numerator="patients du territoire ayant déclaré un médecin traitant",
    denominator="médecins généralistes libéraux du territoire",
    description="Charge moyenne des médecins traitants du territoire, d'après l'Assurance maladie.",
)
register_external(
    "cpam.depistage_sein",
    label="Taux de dépistage organisé du cancer du sein",
    mission=Mission.PREVENTION,
    kind=Kind.PERCENTAGE,
    unit="%",
    direction=Direction.HIGHER,
    description="Femmes de 50 à 74 ans ayant fait une mammographie de dépistage sur deux ans.",
)
register_external(
    "cpam.depistage_colorectal",
    label="Taux de dépistage organisé du cancer colorectal",
    mission=Mission.PREVENTION,
    kind=Kind.PERCENTAGE,
    unit="%",
    direction=Direction.HIGHER,
    description="Personnes de 50 à 74 ans ayant fait un test de dépistage sur deux ans.",
)
register_external(
    "cpam.vaccination_grippe_65",
    label="Taux de vaccination contre la grippe des 65 ans et plus",
    mission=Mission.PREVENTION,
    kind=Kind.PERCENTAGE,
    unit="%",
    direction=Direction.HIGHER,
    description="Part des personnes de 65 ans et plus vaccinées pendant la campagne.",
)

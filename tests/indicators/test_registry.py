"""What each registered indicator declares: its kind, its range, its direction."""

from decimal import Decimal

import pytest

from maillage.indicators import registry
from maillage.indicators.external import register_external
from maillage.indicators.registry import REGISTRY, Direction, Kind, Mission, register


def test_every_indicator_states_a_known_kind_and_percentages_are_bounded_by_0_and_100():
    assert REGISTRY, "the mission apps' declarations were loaded"
    for indicator in REGISTRY.values():
        assert indicator.kind in Kind.values, indicator.code
        if indicator.kind == Kind.PERCENTAGE:
            assert (indicator.minimum, indicator.maximum) == (Decimal(0), Decimal(100)), indicator.code
        if indicator.kind == Kind.RATIO:
            assert indicator.numerator and indicator.denominator, indicator.code


def test_the_mission_apps_kinds():
    kinds = {code: indicator.kind for code, indicator in REGISTRY.items() if not indicator.external}
    assert kinds["doctor_access.waiting_by_priority"] == Kind.DISTRIBUTION
    assert kinds["doctor_access.found_doctor"] == Kind.COUNT
    assert kinds["doctor_access.new_patients_per_doctor"] == Kind.RATIO
    assert kinds["unscheduled.served_within_24h"] == Kind.PERCENTAGE
    assert kinds["unscheduled.unmet_by_reason"] == Kind.DISTRIBUTION


@pytest.mark.parametrize(
    ("code", "kind", "mission", "direction"),
    [
        ("cpam.ald_sans_mt", Kind.COUNT, Mission.DOCTOR_ACCESS, Direction.LOWER),
        ("cpam.depistage_sein", Kind.PERCENTAGE, Mission.PREVENTION, Direction.HIGHER),
        ("cpam.depistage_colorectal", Kind.PERCENTAGE, Mission.PREVENTION, Direction.HIGHER),
        ("cpam.vaccination_grippe_65", Kind.PERCENTAGE, Mission.PREVENTION, Direction.HIGHER),
    ],
)
def test_the_cpam_indicators_are_external(code, kind, mission, direction):
    indicator = REGISTRY[code]
    assert (indicator.kind, indicator.mission, indicator.direction, indicator.external) == (
        kind,
        mission,
        direction,
        True,
    )
    assert indicator in registry.external() and indicator not in registry.computed()
    # A count of patients is hidden under 5 in regional views; a rate is not a count of people.
    assert indicator.counts_people == (kind == Kind.COUNT)


def test_labels_agreed_with_the_other_engineers():
    assert REGISTRY["cpam.ald_sans_mt"].label == "Patients en ALD sans médecin traitant"
    assert REGISTRY["cpam.depistage_sein"].label == "Taux de dépistage organisé du cancer du sein"


def test_a_declaration_without_kind_or_twice_or_a_distribution_entered_by_hand_is_refused():
    with pytest.raises(TypeError):
        register("test.nokind", label="x", mission=Mission.QUALITY, unit="x")
    with pytest.raises(ValueError, match="declared twice"):
        register("cpam.ald_sans_mt", label="x", mission=Mission.QUALITY, unit="x", kind=Kind.COUNT)(lambda c, p: 0)
    with pytest.raises(ValueError, match="distribution"):
        register_external("test.dist", label="x", mission=Mission.QUALITY, kind=Kind.DISTRIBUTION, unit="x")
    with pytest.raises(ValueError, match="numerator"):
        register_external("test.ratio", label="x", mission=Mission.QUALITY, kind=Kind.RATIO, unit="x")
    assert not any(code.startswith("test.") for code in REGISTRY)


def test_an_unknown_code_is_told_in_french():
    with pytest.raises(registry.UnknownIndicator, match=r"Indicateur inconnu : « cpam\.inconnu »"):
        registry.get("cpam.inconnu")

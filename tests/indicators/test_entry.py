"""Entering an external indicator's value: checked first, one transaction, one audit entry, and
a correction keeps what it replaced."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.indicators.actions import record_values
from maillage.indicators.entry import EntryError
from maillage.indicators.models import IndicatorValue, IndicatorValueRevision
from maillage.indicators.periods import Period
from maillage.indicators.values import for_year

pytestmark = pytest.mark.django_db


def test_a_screening_rate_is_kept_with_its_source_date_and_author(cmv, enter, coordinator_user):
    kept = enter("cpam.depistage_sein", "2025", "70,1 %")

    assert (kept.value, kept.period, kept.period_start, kept.period_end) == (
        70.1,
        "2025",
        date(2025, 1, 1),
        date(2026, 1, 1),
    )
    assert (kept.source, kept.source_date, kept.entered_by) == (
        "CPAM des Hauts-de-Seine, tableau de bord ACI",
        date(2026, 3, 1),
        coordinator_user,
    )
    [audit] = AuditEntry.objects.filter(action="indicators.value.entered")
    assert audit.cpts == cmv and audit.actor == coordinator_user
    assert audit.details["valeur"] == 70.1 and audit.details["période"] == "2025"
    assert for_year(cmv, 2025)["cpam.depistage_sein"] == Decimal("70.1")


def test_a_count_is_a_whole_number_and_a_quarter_or_a_month_can_be_entered(enter):
    assert enter("cpam.ald_sans_mt", "2026-T1", "117").value == 117
    assert enter("cpam.ald_sans_mt", "2026-02", 1_250).value == 1250
    assert IndicatorValue.objects.get(period="2026-T1").period_end == date(2026, 4, 1)


def test_a_ratio_is_computed_from_its_numerator_and_denominator_rounded_once(enter):
    kept = enter("cpam.patientele_mt_par_mg", "2025", numerator="61 250", denominator="68")
    assert kept.value == 900.7353  # 61,250 / 68 = 900.73529…, half up at the fourth decimal
    assert (kept.numerator, kept.denominator) == (Decimal("61250"), Decimal("68"))


TODAY = timezone.localdate()
BAD = [
    ({"code": "cpam.depistage_sein", "value": "140"}, "value", "Un pourcentage est compris entre 0 et 100 (140 saisi)"),
    ({"code": "cpam.depistage_sein", "value": "-1"}, "value", "entre 0 et 100"),
    ({"code": "cpam.ald_sans_mt", "value": "-3"}, "value", "Un effectif ne peut pas être négatif"),
    ({"code": "cpam.ald_sans_mt", "value": "12,5"}, "value", "Un effectif est un nombre entier (12,5 saisi)"),
    ({"code": "cpam.ald_sans_mt", "value": "beaucoup"}, "value", "« beaucoup » n'est pas un nombre"),
    ({"code": "cpam.ald_sans_mt", "value": "NaN"}, "value", "n'est pas un nombre"),
    ({"code": "cpam.ald_sans_mt", "value": ""}, "value", "Indiquez la valeur"),
    ({"code": "cpam.depistage_sein", "value": "70.12345"}, "value", "plus de 4 décimales"),
    (
        {"code": "cpam.patientele_mt_par_mg", "numerator": "120", "denominator": "0"},
        "denominator",
        "Le dénominateur ne peut pas être nul",
    ),
    (
        {"code": "cpam.patientele_mt_par_mg", "value": "12"},
        "value",
        "saisissez le numérateur et le dénominateur",
    ),
    ({"code": "cpam.depistage_sein", "value": "70", "numerator": "7"}, "numerator", "ne s'appliquent qu'à un ratio"),
    ({"code": "cpam.inconnu", "value": "1"}, "code", "Indicateur inconnu : « cpam.inconnu »"),
    ({"code": "doctor_access.found_doctor", "value": "1"}, "code", "est calculé par Maillage"),
    ({"code": "cpam.ald_sans_mt", "value": "1", "period": "2025-13"}, "period", "Période « 2025-13 » non reconnue"),
    ({"code": "cpam.ald_sans_mt", "value": "1", "period": "l'an dernier"}, "period", "non reconnue"),
    ({"code": "cpam.ald_sans_mt", "value": "1", "period": str(TODAY.year + 1)}, "period", "n'a pas encore commencé"),
    ({"code": "cpam.ald_sans_mt", "value": "1", "source": "  "}, "source", "Indiquez la source"),
    ({"code": "cpam.ald_sans_mt", "value": "1", "source_date": ""}, "source_date", "Indiquez la date de la source"),
    ({"code": "cpam.ald_sans_mt", "value": "1", "source_date": "32/01/2026"}, "source_date", "illisible"),
    (
        {"code": "cpam.ald_sans_mt", "value": "1", "source_date": TODAY + timedelta(days=1)},
        "source_date",
        "ne peut pas être dans le futur",
    ),
    (
        {"code": "cpam.ald_sans_mt", "value": "1", "source_date": date(2024, 12, 31)},
        "source_date",
        "datée d'avant le début de la période",
    ),
]


@pytest.mark.parametrize(("given", "field", "message"), BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_told_in_french_and_nothing_is_saved(enter, given, field, message):
    given = {"period": "2025", **given}
    with pytest.raises(EntryError) as caught:
        enter(given.pop("code"), given.pop("period"), **given)
    assert message in caught.value.errors[field]
    assert not IndicatorValue.objects.exists()
    assert not AuditEntry.objects.exists()


def test_every_problem_is_reported_at_once(enter):
    with pytest.raises(EntryError) as caught:
        enter("cpam.depistage_sein", "2025-99", "140", source="", source_date="demain")
    assert set(caught.value.errors) == {"period", "value", "source", "source_date"}


def test_a_correction_replaces_the_value_and_keeps_the_previous_one(cmv, enter, coordinator_user):
    first = enter("cpam.ald_sans_mt", "2025", 128, source_date=date(2026, 2, 1))
    corrected = enter("cpam.ald_sans_mt", "2025", 131, source="CPAM, tableau rectifié", source_date=date(2026, 3, 2))

    assert corrected.pk == first.pk and IndicatorValue.objects.count() == 1
    assert (corrected.value, corrected.source) == (131, "CPAM, tableau rectifié")
    [old] = IndicatorValueRevision.objects.all()
    assert (old.current, old.value, old.source, old.source_date, old.replaced_by) == (
        corrected,
        128,
        "CPAM des Hauts-de-Seine, tableau de bord ACI",
        date(2026, 2, 1),
        coordinator_user,
    )
    corrected_entry = AuditEntry.objects.get(action="indicators.value.corrected")
    assert corrected_entry.details["valeur précédente"] == 128 and corrected_entry.details["valeur"] == 131
    assert for_year(cmv, 2025)["cpam.ald_sans_mt"] == Decimal("131")


def test_recording_the_computed_values_leaves_the_entered_ones_alone(cmv, enter):
    enter("cpam.ald_sans_mt", "2025", 128)
    values = record_values(cmv, Period.year(2025))

    assert "cpam.ald_sans_mt" not in values and "doctor_access.found_doctor" in values
    kept = IndicatorValue.objects.get(code="cpam.ald_sans_mt")
    assert (kept.value, kept.source) == (128, "CPAM des Hauts-de-Seine, tableau de bord ACI")
    assert IndicatorValue.objects.get(code="doctor_access.found_doctor").source == "Maillage"


def test_an_entry_racing_another_for_a_new_period_becomes_a_correction(enter, monkeypatch):
    """Two coordinators enter the same new period at once: the second one's look-up found nothing
    (the first had not committed), its insert hits the unique key, and it corrects instead."""
    from django.db.models.query import QuerySet

    enter("cpam.ald_sans_mt", "2025", 128)
    real_first = QuerySet.first
    calls = []

    def first_misses_once(queryset):
        calls.append(1)
        return None if len(calls) == 1 else real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first_misses_once)
    kept = enter("cpam.ald_sans_mt", "2025", 131)

    assert IndicatorValue.objects.get().value == 131 == kept.value
    assert list(IndicatorValueRevision.objects.values_list("value", flat=True)) == [128]
    assert AuditEntry.objects.filter(action="indicators.value.corrected").count() == 1

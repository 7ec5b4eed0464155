"""Reference densities: the figures shipped with the product, and `import_densites` for the Data
ameli file (dry run by default, --apply writes, a second run changes nothing, bad lines reported).

tests/projet/fixtures/densites_ameli.csv is hand-written in the file's layout: its figures are
invented for the test, not Data ameli's.
"""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.core.models import AuditEntry
from maillage.projet import densities, diagnostic, imports
from maillage.projet.models import ReferenceDensity

FIXTURE = Path(__file__).parent / "fixtures" / "densites_ameli.csv"
SHIPPED = 10


def _run(*args):
    out = StringIO()
    call_command("import_densites", *args, stdout=out)
    return out.getvalue()


def _figures():
    return {
        (r.area_kind, r.area_code, r.profession, r.year): (r.density, r.count)
        for r in ReferenceDensity.objects.exclude(file_name="densites.csv")
    }


def test_the_shipped_figures_are_the_published_ones_per_10000(db):
    rows = {(r.area_kind, r.area_code, r.profession): r for r in ReferenceDensity.objects.all()}
    assert {key: r.density for key, r in rows.items()} == {
        ("france", "", "70"): Decimal("11.1"),
        ("france", "", "60"): Decimal("14.6"),
        ("france", "", "10-MG"): Decimal("7.7"),
        ("france", "", "40"): Decimal("5.2"),
        ("france", "", "91"): Decimal("3.0"),
        ("region", "11", "70"): Decimal("8.3"),
        ("region", "11", "60"): Decimal("6.6"),
        ("region", "11", "10-MG"): Decimal("5.8"),
        ("region", "11", "40"): Decimal("5.2"),
        ("region", "11", "91"): Decimal("2.3"),
    }
    assert {(r.year, r.scope, r.source, r.url) for r in rows.values()} == {
        (2021, "libéraux", "Cnam, Data ameli professionnels de santé libéraux",
         "https://www.assurance-maladie.ameli.fr/media/49273")
    }  # fmt: skip


def test_dry_run_then_apply_then_nothing_changes(dordogne):
    report = _run(str(FIXTURE))
    assert "simulation, rien n'a été enregistré" in report
    assert "  lignes lues : 12" in report
    assert "  nouvelles densités : 3" in report
    assert "  lignes laissées de côté (autres professions, détail par âge ou par sexe) : 2" in report
    assert "  lignes rejetées : 7" in report
    assert ReferenceDensity.objects.count() == SHIPPED and not AuditEntry.objects.exists()

    report = _run(str(FIXTURE), "--apply")
    assert "(enregistré)" in report
    assert _figures() == {
        ("departement", "24", "10-MG", 2023): (Decimal("7.50"), 30),  # 75.0 per 100,000
        # No density in the file: the count over the installed population of the région (50,000).
        ("region", "75", "60", 2023): (Decimal("20.00"), 100),
        ("france", "", "91", 2023): (Decimal("3.17"), None),
    }
    entry = AuditEntry.objects.get(action="projet.reference_densities.imported")
    assert entry.details == {"fichier": "densites_ameli.csv", "nouvelles": 3, "modifiées": 0, "inchangées": 0,
                             "rejetées": 7}  # fmt: skip

    report = _run(str(FIXTURE), "--apply")
    assert "  nouvelles densités : 0" in report and "  densités inchangées : 3" in report


def test_every_rejected_line_is_reported_with_its_number_and_reason(dordogne):
    report = _run(str(FIXTURE))
    for line in [
        "  ligne 7 rejetée : code de département ou de région illisible",
        "  ligne 8 rejetée : densité « abc » illisible",
        "  ligne 9 rejetée : année « 20X3 » invalide",
        "  ligne 10 rejetée : département 56 inconnu du référentiel installé",
        "  ligne 11 rejetée : même territoire, profession et année que la ligne 2",
        "  ligne 12 rejetée : 5 colonnes au lieu de 10",
        "  ligne 13 rejetée : ni densité ni effectif",
    ]:
        assert line in report


def test_an_unreadable_header_writes_nothing(dordogne, tmp_path):
    path = tmp_path / "autre.csv"
    path.write_text("code;valeur\n24;12\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"En-tête non reconnu.*Rien n'a été enregistré"):
        _run(str(path), "--apply")
    assert ReferenceDensity.objects.count() == SHIPPED


def test_nothing_is_half_saved_when_the_run_fails(dordogne, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit indisponible")

    monkeypatch.setattr(imports.audit, "record", broken)
    with pytest.raises(RuntimeError):
        densities.run(FIXTURE, apply=True)
    assert ReferenceDensity.objects.count() == SHIPPED


def test_the_diagnostic_reads_the_imported_departement(dordogne):
    densities.run(FIXTURE, apply=True)
    row = next(r for r in diagnostic.compute(dordogne["cpts"], year=2026).professions if r.key == "10-MG")
    assert [(d.label, d.density, d.year, d.fallback) for d in row.departements] == [
        ("Dordogne (24)", Decimal("7.50"), 2023, False)
    ]
    nurse = next(r for r in diagnostic.compute(dordogne["cpts"], year=2026).professions if r.key == "60")
    assert nurse.departements[0].note == "Nouvelle-Aquitaine (région), 2023"
    assert nurse.departements[0].citation == "Cnam, Data ameli professionnels de santé libéraux, 2023 (libéraux)"

"""import_zonage: dry run by default, --apply writes, a second run changes nothing, bad lines reported."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.core.models import AuditEntry
from maillage.projet import zoning
from maillage.projet.models import CommuneZoning

HEADER = "code_insee,type,nom,departement,zonage_mg,zonage_source,nb_lignes_source,rapprochement\n"


def _file(tmp_path, body: str, name="zonage.csv", header=HEADER):
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("import_zonage", *args, stdout=out)
    return out.getvalue()


def test_dry_run_then_apply_then_nothing_changes(idf, tmp_path):
    path = _file(
        tmp_path,
        "92020,commune-actuelle,Châtillon,92,ZAC,2_ZAC,1,cp+nom\n"
        "92046,commune-actuelle,Malakoff,92,ZIP,1_ZIP,1,cp+nom\n",
    )
    out = _run(str(path))
    assert "simulation, rien n'a été enregistré" in out
    assert "nouvelles communes : 2" in out and "92020 ZAC" in out
    assert "Relancez avec --apply" in out
    assert not CommuneZoning.objects.exists()

    out = _run(str(path), "--apply")
    assert "(enregistré)" in out and "nouvelles communes : 2" in out
    assert dict(CommuneZoning.objects.values_list("commune_id", "zone")) == {"92020": "ZAC", "92046": "ZIP"}
    assert AuditEntry.objects.filter(action="projet.zoning.imported").count() == 1

    out = _run(str(path), "--apply")
    assert "nouvelles communes : 0" in out and "communes modifiées : 0" in out and "communes inchangées : 2" in out


def test_a_changed_zone_is_reported_and_updated(idf, tmp_path):
    CommuneZoning.objects.create(commune=idf["communes"]["92046"], zone="ZAC", source_label="2_ZAC")
    path = _file(tmp_path, "92046,commune-actuelle,Malakoff,92,ZIP,1_ZIP,1,cp+nom\n")
    out = _run(str(path))
    assert "communes modifiées : 1" in out and "92046 ZAC → ZIP" in out
    assert CommuneZoning.objects.get().zone == "ZAC"  # a dry run
    _run(str(path), "--apply")
    assert CommuneZoning.objects.get().zone == "ZIP"


def test_rejected_lines_with_their_number_and_reason(idf, tmp_path):
    path = _file(
        tmp_path,
        "92020,commune-actuelle,Châtillon,92,ZAC,2_ZAC,1,cp+nom\n"
        "99999,commune-actuelle,Nulle part,99,ZIP,1_ZIP,1,cp+nom\n"
        "920,commune-actuelle,Trop court,92,ZIP,1_ZIP,1,cp+nom\n"
        "92046,commune-actuelle,Malakoff,92,NA,N/A - résultat non disponible,0,\n"
        "92075,commune-actuelle,Vanves,92,ZZZ,?,1,cp+nom\n"
        "92040,commune-actuelle,Issy\n"
        "92020,commune-actuelle,Châtillon,92,ZIP,1_ZIP,1,cp+nom\n",
    )
    report = tmp_path / "rejets.csv"
    out = _run(str(path), "--apply", "--report", str(report))
    assert "nouvelles communes : 1" in out and "lignes rejetées : 6" in out
    assert f"Rapport des lignes rejetées : {report}" in out
    rows = report.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == "ligne;motif;extrait" and rows[1].startswith("3;commune 99999 inconnue du référentiel installé;")
    assert len(rows) == 7
    assert "ligne 3 rejetée : commune 99999 inconnue du référentiel installé" in out
    assert "ligne 4 rejetée : code commune « 920 » invalide" in out
    assert "ligne 5 rejetée : zonage non disponible dans la source" in out
    assert "ligne 6 rejetée : zonage « ZZZ » inconnu (attendu ZIP, ZAC, ZAR ou HZ)" in out
    assert "ligne 7 rejetée : 3 colonnes au lieu de 8" in out
    assert "ligne 8 rejetée : commune 92020 déjà donnée ligne 2" in out
    assert dict(CommuneZoning.objects.values_list("commune_id", "zone")) == {"92020": "ZAC"}


def test_semicolons_and_a_leading_zero_lost_by_a_spreadsheet(db, tmp_path):
    from tests.factories import CommuneFactory, DepartementFactory

    CommuneFactory(code="01001", name="L'Abergement-Clémenciat", departement=DepartementFactory(code="01"))
    path = _file(tmp_path, "1001;ZAC\n", header="code_insee;zonage_mg\n")
    outcome = zoning.run(path, apply=True)
    assert outcome.new == [("01001", "ZAC")] and outcome.rejected == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "est vide"),
        (b"PK\x03\x04binary", "archive ZIP"),
        (b"commune;zone\n92046;ZIP\n", "colonne « code_insee »"),
        (b"\x00\x01\x02\x03" * 100, "n'est pas un fichier texte"),
    ],
)
def test_unreadable_files_are_refused_in_french_without_a_traceback(idf, tmp_path, content, message):
    path = tmp_path / "mauvais.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as refused:
        _run(str(path), "--apply")
    assert "Rien n'a été enregistré" in str(refused.value)
    assert not CommuneZoning.objects.exists()


def test_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        _run(str(tmp_path / "absent.csv"))


def test_the_shared_national_file(idf, shared_data):
    """The real file: every line read, the 26 « NA » refused, the demo communes found."""
    path = shared_data / "zonage_medecins_zip_zac_communes.csv"
    outcome = zoning.run(path, apply=True)
    assert outcome.lines == 34_907
    reasons = [r.reason for r in outcome.rejected]
    assert reasons.count("zonage non disponible dans la source") == 26
    # The test database holds a handful of communes: the others are unknown to it.
    assert len(outcome.rejected) == 34_907 - len(outcome.new)
    assert dict(CommuneZoning.objects.values_list("commune_id", "zone")) == {
        "92020": "ZAC",
        "92046": "ZIP",
        "92075": "ZIP",
        "92040": "HZ",
        "92049": "ZAC",
        "75113": "ZAC",
    }
    assert zoning.run(path, apply=True).unchanged == len(outcome.new)


def test_an_unwritable_report_is_explained(idf, tmp_path):
    path = _file(tmp_path, "99999,commune-actuelle,Nulle part,99,ZIP,1_ZIP,1,cp+nom\n")
    with pytest.raises(CommandError, match="Impossible d'écrire le rapport"):
        _run(str(path), "--report", str(tmp_path / "absent" / "rejets.csv"))

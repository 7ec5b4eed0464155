"""A file that would wipe the directory stops an applied import unless --allow-mass-removal is given
(maillage/directory/safeguard.py); the dry run says so first."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from config.env import env_share
from maillage.core.models import AuditEntry
from maillage.directory.models import ImportRun, Professional, Structure
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps
from tests.directory.test_finess_import import HEADER, structure_line, write

REFUSED = "Import refusé"


def people(count: int) -> list[str]:
    return [rpps_line(rpps=rpps_number(1000 + n), mode_code="L", structure_id=f"S{n}") for n in range(count)]


@pytest.fixture
def fifty(tmp_path, db):
    run("import_rpps", write_rpps(tmp_path / "full.txt", people(50)), "--apply")
    assert Professional.objects.active().count() == 50
    return people(50)


def test_a_header_only_file_is_announced_then_refused(fifty, tmp_path):
    path = write_rpps(tmp_path / "header.txt", [])
    dry = run("import_rpps", path).splitlines()
    assert dry[2] == "ATTENTION — ce fichier pourrait vider l'annuaire :"  # right after the title and count
    assert "  ! le fichier ne contient que son en-tête, aucune ligne de données" in dry
    assert "  ! 50 des 50 professionnels actifs disparaîtraient (100 %, au-delà du seuil de 5 %)" in dry
    assert "  Un import avec --apply sera refusé sauf avec --allow-mass-removal." in dry
    with pytest.raises(CommandError, match=f"{REFUSED} : le fichier ne contient que son en-tête") as refused:
        run("import_rpps", path, "--apply")
    assert "relancez avec --apply --allow-mass-removal. Rien n'a été enregistré." in str(refused.value)
    assert Professional.objects.active().count() == 50
    failed = ImportRun.objects.latest("pk")
    assert failed.status == ImportRun.Status.FAILED and REFUSED in failed.message


def test_a_file_cut_mid_line_is_refused(fifty, tmp_path):
    cut = write_rpps(tmp_path / "cut.txt", [*fifty[:30], fifty[30][:50]], final_newline=False)
    with pytest.raises(CommandError, match=r"la dernière ligne \(32\) s'arrête sans fin de ligne : fichier tronqué"):
        run("import_rpps", cut, "--apply")
    assert Professional.objects.active().count() == 50


def test_a_last_line_short_of_columns_is_refused_even_with_its_end_of_line(fifty, tmp_path):
    short = write_rpps(tmp_path / "short.txt", [*fifty[:49], "|".join(fifty[49].split("|")[:10])])
    dry = run("import_rpps", short)
    assert "  ! la dernière ligne (51) n'a pas toutes les colonnes de l'en-tête : fichier tronqué ?" in dry
    with pytest.raises(CommandError, match=REFUSED):
        run("import_rpps", short, "--apply")
    assert Professional.objects.active().count() == 50


def test_ten_percent_gone_is_refused_then_allowed_with_the_flag(fifty, tmp_path):
    path = write_rpps(tmp_path / "smaller.txt", fifty[:45])
    message = r"5 des 50 professionnels actifs disparaîtraient \(10 %, au-delà du seuil de 5 %\)"
    with pytest.raises(CommandError, match=message):
        run("import_rpps", path, "--apply")
    assert Professional.objects.active().count() == 50

    output = run("import_rpps", path, "--apply", "--allow-mass-removal")
    assert "  Import appliqué malgré tout (--allow-mass-removal)." in output
    assert "Professionnels : 0 nouveau, 0 modifié, 45 inchangés, 5 disparus." in output
    assert Professional.objects.active().count() == 45
    audit = AuditEntry.objects.filter(action="directory.rpps.imported").latest("pk")
    assert audit.details["alertes"] == [
        "5 des 50 professionnels actifs disparaîtraient (10 %, au-delà du seuil de 5 %)",
        "5 des 50 activités actives disparaîtraient (10 %, au-delà du seuil de 5 %)",
    ]


def test_two_percent_gone_is_applied(fifty, tmp_path):
    output = run("import_rpps", write_rpps(tmp_path / "minus-one.txt", fifty[:49]), "--apply")
    assert "ATTENTION" not in output
    assert "Professionnels : 0 nouveau, 0 modifié, 49 inchangés, 1 disparu." in output
    assert Professional.objects.active().count() == 49


def test_the_share_is_a_setting(fifty, tmp_path, settings):
    settings.DIRECTORY_IMPORT_MAX_REMOVAL_SHARE = 0.15
    run("import_rpps", write_rpps(tmp_path / "smaller.txt", fifty[:45]), "--apply")
    assert Professional.objects.active().count() == 45


def test_a_first_load_removes_nothing_and_is_applied(tmp_path, db):
    output = run("import_rpps", write_rpps(tmp_path / "first.txt", people(3)), "--apply")
    assert "ATTENTION" not in output and Professional.objects.count() == 3


def test_finess_header_only_and_mass_removal(tmp_path, db):
    lines = [structure_line(finess=finess) for finess in ("010000024", "010000032", "010000040")]
    run("import_finess", write(tmp_path / "all.txt", [HEADER, *lines]), "--apply")
    with pytest.raises(CommandError, match="le fichier ne contient que son en-tête"):
        run("import_finess", write(tmp_path / "header.txt", [HEADER]), "--apply")
    with pytest.raises(CommandError, match=r"1 des 3 structures actives disparaîtrait \(33,3 %"):
        run("import_finess", write(tmp_path / "two.txt", [HEADER, *lines[:2]]), "--apply")
    assert Structure.objects.active().count() == 3


@pytest.mark.parametrize(("raw", "share"), [(None, 0.05), ("0.1", 0.1), ("0,02", 0.02), ("1", 1.0)])
def test_the_share_read_from_the_environment(monkeypatch, raw, share):
    if raw is not None:
        monkeypatch.setenv("MAILLAGE_IMPORT_MAX_REMOVAL_SHARE", raw)
    assert env_share("MAILLAGE_IMPORT_MAX_REMOVAL_SHARE", 0.05) == share


@pytest.mark.parametrize("raw", ["5 %", "0", "5", "-0.1"])
def test_a_share_that_is_not_one_fails_loudly(monkeypatch, raw):
    monkeypatch.setenv("MAILLAGE_IMPORT_MAX_REMOVAL_SHARE", raw)
    with pytest.raises(ImproperlyConfigured, match="part attendue entre 0 et 1"):
        env_share("MAILLAGE_IMPORT_MAX_REMOVAL_SHARE", 0.05)

import csv
import shutil

import pytest
from django.core.management.base import CommandError

from maillage.core.models import AuditEntry
from maillage.directory import importer
from maillage.directory.models import Activity, DirectoryEntry, ImportRun, Professional, Skill
from tests.directory.conftest import TITLES_56, rpps_line, rpps_number, run, write_rpps
from tests.factories import CptsFactory

SAMPLE = "rpps_PS_LibreAcces_Personne_activite_sample.txt"


@pytest.fixture
def sample(shared_data, tmp_path):
    # A copy: the report is written next to the file, never into ../shared.
    return shutil.copy(shared_data / SAMPLE, tmp_path / SAMPLE)


def read_report(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def test_dry_run_shows_the_diff_and_writes_nothing(sample, ain):
    output = run("import_rpps", sample)
    assert "simulation, rien n'est enregistré" in output
    assert "22 lignes lues" in output
    assert "Professionnels : 22 nouveaux, 0 modifié, 0 inchangé, 0 disparu." in output
    assert "+ 810106476764 BENHOUCHAME Zakaria (Médecin)" not in output or "Exemples" in output
    assert "relancez la commande avec --apply" in output
    assert Professional.objects.count() == 0
    assert Activity.objects.count() == 0
    assert not AuditEntry.objects.filter(action="directory.rpps.imported").exists()
    run_row = ImportRun.objects.get()
    assert (run_row.status, run_row.applied) == (ImportRun.Status.COMPLETED, False)
    assert run_row.counts["professionals"]["new"] == 22


def test_apply_then_apply_again_changes_nothing(sample, ain):
    first = run("import_rpps", sample, "--apply")
    assert "import appliqué" in first
    assert "Changements enregistrés." in first
    assert Professional.objects.active().count() == 22
    doctor = Professional.objects.get(national_id="810106476764")
    assert (doctor.id_type, doctor.identifier, doctor.last_name, doctor.first_name) == (
        "8",
        "10106476764",
        "BENHOUCHAME",
        "Zakaria",
    )
    assert (doctor.savoir_faire_code, doctor.savoir_faire_label) == ("SM20", "Gynécologie-obstétrique")
    assert list(Professional.objects.search("benhou")) == [doctor]
    adeli = Professional.objects.get(national_id="0019402379")
    assert adeli.search_name == "lebrun carpentier anais"
    activity = adeli.activities.get()
    assert (activity.finess_site, activity.finess_ej, activity.commune_id) == ("010002129", "750056335", "01053")
    assert (activity.mode_code, activity.sector_label) == ("S", "Etab. Privé Non PSPH")
    # ADELI lines with nearly every field empty are valid: a professional without activity.
    assert Professional.objects.get(national_id="0018603118").activities.count() == 0

    second = run("import_rpps", sample, "--apply")
    assert "Professionnels : 0 nouveau, 0 modifié, 22 inchangés, 0 disparu." in second
    assert "Aucun changement : la base est déjà à jour avec ce fichier." in second
    audit = AuditEntry.objects.filter(action="directory.rpps.imported")
    assert audit.count() == 2
    assert audit.first().details["professionals"] == {"new": 0, "changed": 0, "unchanged": 22, "gone": 0}


def test_bom_crlf_and_56_columns(tmp_path, ain):
    number = rpps_number(1)
    lines = [
        rpps_line(
            TITLES_56,
            rpps=number,
            last_name="ÉLOI",
            mode_code="L",
            mode_label="Libéral",
            structure_id="C123",
            commune_code="01053",
            role_code="FON-01",
            role_label="Médecin titulaire",
            genre_code="GENR01",
            genre_label="Activité standard",
        )
    ]
    path = write_rpps(tmp_path / "bom.txt", lines, titles=TITLES_56, encoding="utf-8-sig", newline="\r\n")
    output = run("import_rpps", path, "--apply")
    assert "(56 colonnes, UTF-8)" in output
    activity = Activity.objects.get()
    assert (activity.role_code, activity.genre_label, activity.commune_id) == ("FON-01", "Activité standard", "01053")
    assert activity.professional.last_name == "ÉLOI"  # no BOM glued to the first column, no \r at the end


def test_header_spelling_variants_are_mapped_by_name(tmp_path, db):
    number = rpps_number(2)
    header = "TYPE D’IDENTIFIANT PP|identifiant pp|Identification  nationale PP|nom d'exercice|prenom d'exercice|Colonne inconnue|"
    path = tmp_path / "variants.txt"
    path.write_text(f"{header}\n8|{number}|8{number}|DURAND|Léa|x|\n", encoding="utf-8")
    output = run("import_rpps", path, "--apply")
    assert "Colonnes ignorées : Colonne inconnue." in output
    assert Professional.objects.get().first_name == "Léa"


def test_rejected_lines_go_to_the_report_with_their_number(tmp_path, ain):
    good, bad = rpps_number(3), "10106476765"
    lines = [
        rpps_line(rpps=good, mode_code="L", structure_id="C1", commune_code="99999"),  # line 2: unknown commune
        rpps_line(rpps=bad),  # line 3: bad check digit
        rpps_line(id_type="8", identifier="", national_id=""),  # line 4: empty identifier
        rpps_line(rpps=good).removesuffix("|").rsplit("|", 3)[0] + "|",  # line 5: columns missing
        rpps_line(rpps=good, mode_code="L", structure_id="C1", commune_code="99999"),  # line 6: same as line 2
    ]
    path = write_rpps(tmp_path / "bad.txt", lines)
    output = run("import_rpps", path, "--apply")
    assert "4 lignes rejetées" in output
    assert "numéro RPPS invalide : 1" in output
    assert "1 avertissement (commune inconnue : 1)" in output
    assert f"Rapport des lignes rejetées et des avertissements : {tmp_path / 'bad.txt.rejets.csv'}" in output
    report = {row["ligne"]: row for row in read_report(tmp_path / "bad.txt.rejets.csv")}
    assert report["2"]["nature"] == "avertissement"
    assert "commune « 99999 » absente du référentiel" in report["2"]["motif"]
    assert report["3"]["motif"] == "numéro RPPS « 10106476765 » invalide : la clé de contrôle ne correspond pas"
    assert report["4"]["motif"] == "identifiant PP vide"
    assert report["5"]["motif"] == "nombre de colonnes incorrect : 49 au lieu de 52"
    assert report["6"]["motif"] == "ligne en double : identique à la ligne 2"
    assert report["3"]["extrait"].startswith("8|10106476765|")
    activity = Activity.objects.get()
    assert (activity.commune_id, activity.commune_code) == (None, "99999")


def test_same_person_on_several_lines(tmp_path, ain, monkeypatch):
    number = rpps_number(4)
    lines = [
        rpps_line(rpps=number, first_name="Anne", mode_code="L", structure_id="C1", commune_code="01053"),
        rpps_line(rpps=number, first_name="Anna", mode_code="S", structure_id="F2", commune_code="01004"),
        rpps_line(rpps=number, first_name="Anne", mode_code="L", structure_id="C1", commune_code="01034"),
        rpps_line(rpps=number, first_name="Anne", mode_code="S", structure_id="F2", commune_code="01004"),
    ]
    path = write_rpps(tmp_path / "twice.txt", lines)
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)  # duplicates met within a batch and across batches
    output = run("import_rpps", path, "--apply", "--report", tmp_path / "report.csv")
    professional = Professional.objects.get()
    assert professional.first_name == "Anne"  # identity from the first line
    assert sorted(professional.activities.values_list("commune_id", flat=True)) == ["01004", "01053"]
    assert "Activités : 2 nouvelles" in output
    report = {row["ligne"]: row["motif"] for row in read_report(tmp_path / "report.csv")}
    assert report["4"].startswith("activité en double : même professionnel, même structure et même mode d'exercice")
    # Line 5 repeats line 3's activity but with the first name of line 3 (Anna): not identical, merged silently.
    assert "5" not in report


def test_same_identical_line_across_batches(tmp_path, db, monkeypatch):
    line = rpps_line(rpps=rpps_number(5), mode_code="L", structure_id="C1")
    path = write_rpps(tmp_path / "dup.txt", [line, rpps_line(rpps=rpps_number(6)), line])
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    output = run("import_rpps", path, "--apply", "--report", tmp_path / "report.csv")
    assert "ligne en double : 1" in output
    assert read_report(tmp_path / "report.csv")[0]["motif"] == "ligne en double : identique à une ligne précédente"
    assert Activity.objects.count() == 1


def test_truncated_last_line_is_rejected(tmp_path, db):
    lines = [rpps_line(rpps=rpps_number(7)), rpps_line(rpps=rpps_number(8), mode_code="L")[:40]]
    path = write_rpps(tmp_path / "cut.txt", lines, final_newline=False)
    with pytest.raises(CommandError, match=r"la dernière ligne \(3\) s'arrête sans fin de ligne"):
        run("import_rpps", path, "--apply")
    assert not Professional.objects.exists()
    output = run("import_rpps", path, "--apply", "--allow-mass-removal")
    assert "1 ligne rejetée (ligne tronquée : 1)" in output
    assert Professional.objects.count() == 1


def test_gone_professional_becomes_inactive_and_keeps_its_enrichment(tmp_path, db):
    keep, leave = rpps_number(9), rpps_number(10)
    both = [rpps_line(rpps=keep, mode_code="L"), rpps_line(rpps=leave, last_name="DUPONT", mode_code="S")]
    run("import_rpps", write_rpps(tmp_path / "a.txt", both), "--apply")
    leaving = Professional.objects.get(identifier=leave)
    entry = DirectoryEntry.objects.create(
        cpts=CptsFactory(), professional=leaving, is_member=True, languages=["anglais"], accepts_new_patients=True
    )
    entry.skills.add(Skill.objects.get(code="soins-palliatifs"))

    output = run("import_rpps", write_rpps(tmp_path / "b.txt", both[:1]), "--apply", "--allow-mass-removal")
    assert "Professionnels : 0 nouveau, 0 modifié, 1 inchangé, 1 disparu." in output
    assert f"- 8{leave} DUPONT Claire (Médecin)" in output
    leaving.refresh_from_db()
    assert not leaving.active
    assert not leaving.activities.get().active
    entry.refresh_from_db()
    assert entry.is_member and entry.languages == ["anglais"]
    assert list(entry.skills.values_list("code", flat=True)) == ["soins-palliatifs"]
    assert DirectoryEntry.objects.listed().count() == 0

    back = run("import_rpps", write_rpps(tmp_path / "c.txt", both), "--apply")
    assert "Professionnels : 0 nouveau, 1 modifié, 1 inchangé, 0 disparu." in back
    assert "de retour dans l'extraction" in back
    assert Professional.objects.get(identifier=leave).active


def test_changed_values_are_shown_and_updated(tmp_path, db):
    number = rpps_number(11)
    run(
        "import_rpps",
        write_rpps(tmp_path / "a.txt", [rpps_line(rpps=number, mode_code="L", phone="0102030405")]),
        "--apply",
    )
    path = write_rpps(tmp_path / "b.txt", [rpps_line(rpps=number, mode_code="L", phone="0607080910")])
    output = run("import_rpps", path)
    assert "Activités : 0 nouvelle, 1 modifiée, 0 inchangée, 0 disparue." in output
    assert "téléphone « 0102030405 » → « 0607080910 »" in output
    assert "Champs modifiés : téléphone (1)." in output
    assert Activity.objects.get().phone == "0102030405"  # dry run
    run("import_rpps", path, "--apply")
    assert Activity.objects.get().phone == "0607080910"


def test_interrupted_apply_leaves_the_previous_state_and_the_next_run_completes(tmp_path, db, monkeypatch):
    lines = [rpps_line(rpps=rpps_number(20 + i), mode_code="L", structure_id=f"C{i}") for i in range(6)]
    path = write_rpps(tmp_path / "six.txt", lines)
    monkeypatch.setattr(importer, "BATCH_SIZE", 2)
    calls = []
    original = importer.insert_rows

    def failing(model, names, rows):
        calls.append(model)
        if len(calls) == 3:  # in the middle of the second batch
            raise OSError("disque plein")
        original(model, names, rows)

    monkeypatch.setattr(importer, "insert_rows", failing)
    with pytest.raises(OSError, match="disque plein"):
        run("import_rpps", path, "--apply")
    assert Professional.objects.count() == 0
    assert Activity.objects.count() == 0
    failed = ImportRun.objects.get()
    assert failed.status == ImportRun.Status.FAILED and "disque plein" in failed.message

    monkeypatch.setattr(importer, "insert_rows", original)
    output = run("import_rpps", path, "--apply")
    assert "Professionnels : 6 nouveaux" in output
    assert Activity.objects.count() == 6


def test_a_run_killed_on_the_spot_is_marked_interrupted_by_the_next(tmp_path, db):
    killed = ImportRun.objects.create(source=ImportRun.Source.RPPS, file_name="national.txt")
    run("import_rpps", write_rpps(tmp_path / "a.txt", [rpps_line(rpps=rpps_number(30))]))
    killed.refresh_from_db()
    assert killed.status == ImportRun.Status.FAILED
    assert "Interrompu" in killed.message


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "est vide"),
        (b"\n\n", "est vide"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "archive ZIP"),
        (bytes(range(256)) * 10, "n'est pas un fichier texte"),
        (b"finess;etalab;111;2026-05-12\nstructureet;010000024;010780054;CH\n", "extraction FINESS"),
        (
            "Type d'identifiant PP;Identifiant PP;Identification nationale PP;Nom d'exercice;Prénom d'exercice;x\n".encode(),
            "Séparateur incorrect : les colonnes sont séparées par un point-virgule (fichier réenregistré par un tableur ?)",
        ),
        (b"8|10106476764|810106476764|DR|Docteur|M|Monsieur|BEN|Zak|\n", "En-tête manquant"),
        (b"nom|prenom|adresse|ville|pays|\nA|B|C|D|E|\n", "En-tête inconnu"),
        (
            "Nom d'exercice|Prénom d'exercice|\n".encode(),
            "Colonnes obligatoires absentes de l'en-tête : Type d'identifiant PP",
        ),
    ],
    ids=["empty", "blank", "zip", "binary", "finess", "separator", "no-header", "unknown-header", "missing-columns"],
)
def test_whole_file_errors_are_clear_and_write_nothing(tmp_path, db, content, message):
    path = tmp_path / "extraction.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Rien n'a été enregistré") as error:
        run("import_rpps", path, "--apply")
    assert message in str(error.value)
    assert not ImportRun.objects.exists()
    assert not list(tmp_path.glob("*.csv"))


def test_missing_file_and_unwritable_report(tmp_path, db):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run("import_rpps", tmp_path / "absent.txt")
    path = write_rpps(tmp_path / "a.txt", [rpps_line(rpps=rpps_number(31))])
    with pytest.raises(CommandError, match="Impossible d'écrire le rapport"):
        run("import_rpps", path, "--report", tmp_path / "absent" / "report.csv")


def test_a_damaged_line_after_the_sniffed_sample_is_rejected(tmp_path, db):
    # 64 KB of good lines are sniffed first: a NUL byte beyond them is caught line by line.
    good = [rpps_line(rpps=rpps_number(100 + i), company_name="CABINET " * 20) for i in range(300)]
    lines = [*good, rpps_line(rpps=rpps_number(41), last_name="NU\x00L")]
    output = run("import_rpps", write_rpps(tmp_path / "nul.txt", lines), "--apply")
    assert "1 ligne rejetée (caractères binaires : 1)" in output
    assert Professional.objects.count() == 300

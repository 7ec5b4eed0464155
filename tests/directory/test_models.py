import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from maillage.directory.models import DirectoryEntry, Partner, Professional, Skill
from maillage.directory.sources import Progress
from tests.directory.conftest import rpps_line, rpps_number, run, write_rpps
from tests.factories import CptsFactory


@pytest.fixture
def professionals(tmp_path, db):
    lines = [
        rpps_line(rpps=rpps_number(1), last_name="LEBRUN-CARPENTIER", first_name="Anaïs", mode_code="L"),
        rpps_line(rpps=rpps_number(2), last_name="LEBRUN", first_name="Éric", mode_code="L"),
        rpps_line(rpps=rpps_number(3), last_name="ÉTIENNE", first_name="Zoé", mode_code="L"),
    ]
    run("import_rpps", write_rpps(tmp_path / "three.txt", lines), "--apply")
    return {p.last_name: p for p in Professional.objects.all()}


def test_search_is_a_prefix_search_ignoring_accents_and_case(professionals):
    assert {p.last_name for p in Professional.objects.search("Lebrun")} == {"LEBRUN", "LEBRUN-CARPENTIER"}
    assert [p.last_name for p in Professional.objects.search("lebrun carp")] == ["LEBRUN-CARPENTIER"]
    assert [p.last_name for p in Professional.objects.search("etienne z")] == ["ÉTIENNE"]
    assert list(Professional.objects.search("  ")) == []
    assert Professional.objects.active().count() == 3


def test_the_seeded_skills(db):
    assert set(Skill.objects.values_list("label", flat=True)) >= {
        "Plaies complexes",
        "Soins palliatifs",
        "Éducation thérapeutique (diabète)",
        "Pédiatrie",
        "Gériatrie",
        "Santé mentale",
        "Addictologie",
        "Périnatalité",
    }


def test_one_directory_entry_per_cpts_and_professional(professionals):
    cpts = CptsFactory()
    professional = professionals["LEBRUN"]
    DirectoryEntry.objects.create(cpts=cpts, professional=professional, public_listing=True)
    assert list(DirectoryEntry.objects.listed()) == list(DirectoryEntry.objects.of_cpts(cpts))
    with pytest.raises(IntegrityError), transaction.atomic():
        DirectoryEntry.objects.create(cpts=cpts, professional=professional)
    DirectoryEntry.objects.create(cpts=CptsFactory(), professional=professional)


def test_partner_siren_is_checked(db):
    partner = Partner(cpts=CptsFactory(), kind=Partner.Kind.CCAS, name="CCAS de Viriat", siren="732829321")
    with pytest.raises(ValidationError, match="n'est pas un SIREN valide"):
        partner.full_clean()
    partner.siren = "732829320"
    partner.full_clean()
    partner.save()
    assert str(partner) == "CCAS de Viriat"
    assert partner.get_kind_display() == "CCAS"


def test_progress_rewrites_one_line_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    progress = Progress(stream=stream, total_bytes=1000, every_seconds=0)
    progress.update(500, 500)
    progress.update(1000, 1000, final=True)
    text = stream.getvalue()
    assert text.startswith("\r   50.0 % · 500 lignes · ")
    assert text.endswith(" lignes/s\n")
    assert text.count("\n") == 1


def test_progress_in_a_log_is_quiet_for_a_short_run():
    stream = io.StringIO()
    progress = Progress(stream=stream, total_bytes=1000)
    progress.update(500, 500)
    progress.update(1000, 1000, final=True)
    assert stream.getvalue() == ""

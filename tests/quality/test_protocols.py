"""Protocols: the state machine, its log, validation by somebody, a new version superseding the one
in use, the file checked by its content, the fiche-action's checks."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.core.models import AuditEntry
from maillage.projet.models import FicheAction, ProjetSante
from maillage.quality.actions import QualityError, protocols
from maillage.quality.models import Protocol, ProtocolReview
from tests.quality.conftest import pdf, protocol_in_use

TODAY = timezone.localdate


def _draft(quality, **kw):
    values = {"title": "Cystite simple", "professions": ["10", "21"], "authors": [quality["gp"]], **kw}
    return protocols.create_protocol(quality["cmv"], protocols.ProtocolDraft(**values), quality["coordinator"])


def test_a_protocol_goes_from_draft_to_in_use_and_every_move_is_logged(quality):
    found = _draft(quality)
    assert found.status == "draft"
    protocols.attach_file(found, pdf())
    protocols.validate(found, validators=[quality["gp"]], validated_on=TODAY(),
                       next_review_on=TODAY() + timedelta(days=365), group=quality["group"])  # fmt: skip
    found = protocols.move(found, "in_use", quality["coordinator"])
    assert found.status == "in_use"
    log = [(t.source, t.target) for t in found.transitions.all()]
    assert log == [("", "draft"), ("draft", "validated"), ("validated", "in_use")]
    assert found.transitions.last().author == quality["coordinator"]
    assert AuditEntry.objects.filter(action="quality.protocol.validated", object_id=str(found.pk)).exists()


def test_a_protocol_validated_by_nobody_is_refused(quality):
    found = _draft(quality)
    with pytest.raises(QualityError, match="Un protocole validé par personne n'est pas validé"):
        protocols.validate(found, validators=[], validated_on=TODAY(), next_review_on=TODAY() + timedelta(days=30))
    found.refresh_from_db()
    assert found.status == "draft" and found.transitions.count() == 1


@pytest.mark.parametrize(
    ("validated", "review", "message"),
    [
        (1, 400, "La date de validation ne peut pas être dans le futur."),
        (0, 0, "La prochaine révision vient après la validation."),
    ],
)
def test_validation_dates_are_checked(quality, validated, review, message):
    found = _draft(quality)
    day = TODAY() + timedelta(days=validated)
    with pytest.raises(QualityError, match=message):
        protocols.validate(found, validators=[quality["gp"]], validated_on=day,
                           next_review_on=day + timedelta(days=review))  # fmt: skip


def test_moves_outside_the_table_are_refused(quality):
    found = _draft(quality)
    with pytest.raises(QualityError, match="ne peut pas passer à l'état « en usage »"):
        protocols.move(found, "in_use")
    protocols.validate(found, validators=[quality["gp"]], validated_on=TODAY(),
                       next_review_on=TODAY() + timedelta(days=30))  # fmt: skip
    with pytest.raises(QualityError, match="Déposez le fichier du protocole avant de le mettre en usage"):
        protocols.move(found, "in_use")
    protocols.move(found, "retired")
    with pytest.raises(QualityError, match="« retiré » ne peut pas passer"):
        protocols.move(found, "draft")


def test_a_new_version_put_in_use_supersedes_the_one_in_use_and_counts_as_its_review(quality):
    old = protocol_in_use(quality)
    new = protocols.new_version(old, quality["coordinator"])
    assert (new.number, new.status, new.supersedes_id) == (2, "draft", old.pk)
    assert list(new.authors.all()) == [quality["gp"]]
    with pytest.raises(QualityError, match="déjà en préparation"):
        protocols.new_version(old)
    protocols.attach_file(new, pdf("v2.pdf"))
    protocols.validate(new, validators=[quality["nurse"]], validated_on=TODAY(),
                       next_review_on=TODAY() + timedelta(days=365))  # fmt: skip
    protocols.move(new, "in_use")
    old.refresh_from_db()
    assert old.status == "retired"
    assert old.transitions.last().note == "remplacé par la version 2"
    assert ProtocolReview.objects.get(protocol=old).reviewed_on == TODAY()
    assert Protocol.objects.filter(status="in_use").get() == new


def test_only_a_draft_is_edited(quality):
    found = protocol_in_use(quality)
    draft = protocols.ProtocolDraft("Autre", professions=["10"], authors=[quality["gp"]])
    with pytest.raises(QualityError, match="Seul un brouillon se modifie"):
        protocols.edit_protocol(found, draft)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("p.pdf", b"MZ\x90\x00 not a pdf"), "ne correspond pas à son extension .pdf"),
        (SimpleUploadedFile("p.exe", b"MZ"), "n'est pas d'un format accepté"),
        (SimpleUploadedFile("p.pdf", b""), "est vide"),
    ],
)
def test_a_file_is_checked_by_its_content(quality, upload, message):
    found = _draft(quality)
    with pytest.raises(QualityError, match=message):
        protocols.attach_file(found, upload)
    found.refresh_from_db()
    assert not found.file


def test_authors_and_validators_come_from_the_cpts_directory(quality):
    with pytest.raises(QualityError, match="n'est pas dans l'annuaire de la CPTS"):
        _draft(quality, authors=[quality["outsider"]])
    found = _draft(quality)
    with pytest.raises(QualityError, match="n'est pas dans l'annuaire de la CPTS"):
        protocols.validate(found, validators=[quality["outsider"]], validated_on=TODAY(),
                           next_review_on=TODAY() + timedelta(days=30))  # fmt: skip


def test_the_fiche_action_is_one_of_this_cpts_and_of_the_quality_mission(quality):
    other = FicheAction.objects.create(projet=ProjetSante.objects.create(cpts=quality["paris13"]), mission="quality",
                                       title="Qualité Paris 13", objective="x")  # fmt: skip
    prevention = FicheAction.objects.create(projet=ProjetSante.objects.create(cpts=quality["cmv"]),
                                            mission="prevention", title="Dépistage", objective="x")  # fmt: skip
    with pytest.raises(QualityError, match="appartient au projet de santé d'une autre CPTS"):
        _draft(quality, fiche=other)
    with pytest.raises(QualityError, match="relève de la mission « prévention »"):
        _draft(quality, fiche=prevention)
    ok = FicheAction.objects.create(projet=prevention.projet, mission="quality", title="Protocoles", objective="x")
    assert _draft(quality, fiche=ok).fiche == ok


def test_a_review_moves_the_next_review_date_and_says_whether_it_was_on_time(quality):
    found = protocol_in_use(quality, validated_on=TODAY() - timedelta(days=400), review_in_days=395)
    protocols.review(found, reviewed_on=TODAY(), next_review_on=TODAY() + timedelta(days=730), note="Inchangé")
    found.refresh_from_db()
    review = found.reviews.get()
    assert review.due_on == TODAY() - timedelta(days=5) and review.reviewed_on == TODAY()
    assert found.next_review_on == TODAY() + timedelta(days=730)
    entry = AuditEntry.objects.get(action="quality.protocol.reviewed")
    assert entry.details["dans les délais"] is False


def test_a_new_version_starts_from_the_protocol_in_use_only(quality):
    found = _draft(quality)
    with pytest.raises(QualityError, match="Une nouvelle version part du protocole en usage"):
        protocols.new_version(found)

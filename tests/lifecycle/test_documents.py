"""Milestone documents: checked formats, stored under MEDIA_ROOT, served only through the scoped
view, each upload and each download in the audit log."""

import html
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as DocxDocument

from maillage.core.models import AuditEntry
from maillage.lifecycle.models import Document
from tests.factories import RoleFactory
from tests.lifecycle.conftest import text

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _docx() -> bytes:
    out = io.BytesIO()
    document = DocxDocument()
    document.add_paragraph("Statuts de l'association")
    document.save(out)
    return out.getvalue()


def _upload(client, slug, name, content, kind="statutes"):
    return client.post(f"/c/{slug}/parcours/documents/", {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_upload_then_download_each_audited(idf, coordinator, coordinator_client):
    response = _upload(coordinator_client, "cmv", "statuts signés.docx", _docx())
    assert response.status_code == 302
    document = Document.objects.get()
    stored = Path(document.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT)) and stored.stat().st_size == document.size
    assert stored.suffix == ".docx" and "statuts" not in stored.name  # a random name on disk
    upload = AuditEntry.objects.get(action="lifecycle.document.uploaded")
    assert (upload.actor, upload.cpts, upload.details["fichier"]) == (coordinator, idf["cmv"], "statuts signés.docx")

    page = coordinator_client.get("/c/cmv/parcours/").content.decode()
    assert "statuts signés.docx" in page and "Aucun document pour l'instant." not in html.unescape(page)
    for _ in range(2):
        download = coordinator_client.get(f"/c/cmv/parcours/documents/{document.pk}/")
        assert download.status_code == 200
        assert download.content == stored.read_bytes()
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert AuditEntry.objects.filter(action="lifecycle.document.downloaded", actor=coordinator).count() == 2


def test_documents_are_not_public_files(idf, coordinator_client, anonymous):
    _upload(coordinator_client, "cmv", "projet.pdf", PDF, kind="project_submitted")
    document = Document.objects.get()
    assert anonymous.get(f"/media/{document.file.name}").status_code in (302, 404)
    assert anonymous.get(f"/c/cmv/parcours/documents/{document.pk}/").status_code == 302  # to the login page


def test_other_people_get_404(idf, coordinator_client, login):
    _upload(coordinator_client, "cmv", "projet.pdf", PDF, kind="project_submitted")
    path = f"/c/cmv/parcours/documents/{Document.objects.get().pk}/"
    other = login(RoleFactory(coordinator=True, cpts=idf["paris13"]).user, with_mfa=True)
    assert other.get(path).status_code == 404
    assert other.get(path.replace("/cmv/", "/paris-13/")).status_code == 404
    # The région's viewer reads the timeline but not the files (statutes name people).
    viewer = login(RoleFactory(regional=True, region=idf["region"]).user)
    assert viewer.get(path).status_code == 404
    assert viewer.get("/c/cmv/parcours/").status_code == 200
    assert "projet.pdf" not in viewer.get("/c/cmv/parcours/").content.decode()
    assert not AuditEntry.objects.filter(action="lifecycle.document.downloaded").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("outil.exe", b"MZ\x90\x00", "n'est pas d'un format accepté"),
        ("faux.pdf", b"MZ\x90\x00 not a pdf", "ne correspond pas à son extension .pdf"),
        ("faux.docx", PDF, "ne correspond pas à son extension .docx"),
        ("vide.pdf", b"", "est vide"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"0" * 2048, "dépasse la taille maximale de 0 Mo"),
    ],
)
def test_refused_files_leave_nothing(idf, coordinator_client, settings, name, content, message):
    settings.LIFECYCLE_DOCUMENT_MAX_BYTES = 1024
    response = _upload(coordinator_client, "cmv", name, content)
    assert response.status_code == 400
    assert message in text(response)
    assert not Document.objects.exists()
    assert not AuditEntry.objects.filter(action="lifecycle.document.uploaded").exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_images_and_spreadsheets_are_accepted(idf, coordinator_client):
    import openpyxl

    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    assert _upload(coordinator_client, "cmv", "budget.xlsx", out.getvalue(), kind="seed_funding").status_code == 302
    jpeg = b"\xff\xd8\xff\xe0" + b"0" * 100
    assert _upload(coordinator_client, "cmv", "photo-ag.JPG", jpeg).status_code == 302
    assert sorted(Document.objects.values_list("name", flat=True)) == ["budget.xlsx", "photo-ag.JPG"]


def test_a_missing_file_on_disk_is_a_404_not_a_traceback(idf, coordinator_client):
    _upload(coordinator_client, "cmv", "projet.pdf", PDF, kind="project_submitted")
    document = Document.objects.get()
    Path(document.file.path).unlink()
    assert coordinator_client.get(f"/c/cmv/parcours/documents/{document.pk}/").status_code == 404
    assert not AuditEntry.objects.filter(action="lifecycle.document.downloaded").exists()

"""The liaison log: entries by the team (and the coordinator with the patient's consent), checked
files stored like the lifecycle documents, contact counted, the team told without any clinical
content or identity, read marks per person, every read audited."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.consent import record_information
from maillage.pathways.actions.liaison import (
    Draft,
    open_attachment,
    post_entry,
    read_log,
    unread_count,
    unread_entries,
)
from maillage.pathways.actions.states import close_pathway
from maillage.pathways.actions.team import remove_member
from maillage.pathways.models import LiaisonEntry, LiaisonKind, LiaisonRead, Pathway
from maillage.pathways.states import Decision, Scope
from tests.pathways.conftest import information

PDF = b"%PDF-1.4\n%%EOF\n"


def _draft(**changes):
    values = {"kind": LiaisonKind.QUESTION, "occurred_on": timezone.localdate(), "text": "Douleur au talon ?"}
    return Draft(**{**values, **changes})


def _counts():
    return LiaisonEntry.objects.count(), AuditEntry.objects.count(), LiaisonRead.objects.count()


def _files(settings):
    root = settings.MEDIA_ROOT / "pathways"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _consent_coordination(pathway, coordinator):
    record_information(pathway, information(**{Scope.COORDINATION: Decision.CONSENT}), coordinator)


def test_a_nurse_posts_and_the_rest_of_the_team_is_told_without_identity_or_content(world, enrolled, mailoutbox):
    run_pending()
    mailoutbox.clear()
    entry = post_entry(enrolled, world["nurse_user"], _draft(text="Mme Moreau a mal au talon gauche."))
    assert entry.author == world["nurse_user"] and "(infirmier)" in entry.author_label
    assert AuditEntry.objects.get(action="pathways.liaison.posted").health_data
    assert mailoutbox == []  # enqueued on commit, sent by the worker
    run_pending()
    assert [mail.to[0] for mail in mailoutbox] == [world["gp_user"].email]  # not the author, not the DAC
    mail = mailoutbox[0]
    assert mail.subject == f"[Maillage] Nouveau message dans un parcours — {enrolled.reference}"
    assert f"/c/cmv/parcours-patients/{enrolled.pk}/liaison/" in mail.body
    for secret in ("Moreau", "Jeanne", "talon", "1938", "0601020304", "question"):
        assert secret not in mail.body and secret not in mail.subject
    assert unread_count(world["gp_user"], enrolled) == 1
    assert unread_count(world["nurse_user"], enrolled) == 0  # one's own message


def test_opening_the_log_marks_it_read_per_person_and_is_an_audited_health_read(world, enrolled):
    post_entry(enrolled, world["nurse_user"], _draft())
    assert [e.pathway for e in unread_entries(world["gp_user"], world["cmv"])] == [enrolled]
    entries = read_log(world["gp_user"], enrolled)
    assert [e.unread for e in entries] == [True]
    read = AuditEntry.objects.get(action="pathways.liaison.viewed", actor=world["gp_user"])
    assert read.health_data and read.object_id == str(enrolled.pk)
    assert unread_count(world["gp_user"], enrolled) == 0
    assert not unread_entries(world["gp_user"], world["cmv"]).exists()
    assert [e.unread for e in read_log(world["gp_user"], enrolled)] == [False]
    # The coordinator (with the patient's consent) has not read it: still unread for them.
    _consent_coordination(enrolled, world["coordinator"])
    assert unread_count(world["coordinator"], enrolled) == 1


def test_a_call_or_a_visit_counts_as_a_contact_with_the_patient(world, enrolled):
    from maillage.pathways.models import AlertKind, RuptureAlert
    from maillage.pathways.ruptures import detect

    today = timezone.localdate()
    Pathway.objects.filter(pk=enrolled.pk).update(contact_due_on=today - timedelta(days=1))
    detect()
    assert RuptureAlert.objects.open().filter(pathway=enrolled, kind=AlertKind.NO_CONTACT).exists()
    post_entry(enrolled, world["nurse_user"], _draft(kind=LiaisonKind.QUESTION))
    enrolled.refresh_from_db()
    assert enrolled.contact_due_on == today - timedelta(days=1)  # a question is not a contact
    post_entry(enrolled, world["nurse_user"], _draft(kind=LiaisonKind.CALL, occurred_on=today - timedelta(days=2)))
    enrolled.refresh_from_db()
    assert enrolled.contact_due_on == today - timedelta(days=2) + timedelta(days=enrolled.template.no_contact_days)
    post_entry(enrolled, world["nurse_user"], _draft(kind=LiaisonKind.VISIT))
    enrolled.refresh_from_db()
    assert enrolled.contact_due_on == today + timedelta(days=enrolled.template.no_contact_days)
    detect()
    assert not RuptureAlert.objects.open().filter(pathway=enrolled, kind=AlertKind.NO_CONTACT).exists()


def test_the_coordinator_reads_and_writes_only_with_the_patients_consent(world, enrolled):
    post_entry(enrolled, world["nurse_user"], _draft())
    before = _counts()
    with pytest.raises(PathwayError, match="pas consenti au partage"):
        read_log(world["coordinator"], enrolled)
    with pytest.raises(PathwayError, match="pas consenti au partage"):
        post_entry(enrolled, world["coordinator"], _draft())
    assert _counts() == before  # nothing recorded, not even the refused read
    _consent_coordination(enrolled, world["coordinator"])
    entry = post_entry(enrolled, world["coordinator"], _draft(kind=LiaisonKind.OTHER, text="RCP jeudi."))
    assert "(coordination de la CPTS)" in entry.author_label
    assert len(read_log(world["coordinator"], enrolled)) == 2


def test_a_professional_off_the_team_and_another_cpts_see_nothing(world, enrolled):
    post_entry(enrolled, world["nurse_user"], _draft())
    remove_member(enrolled.team.get(professional=world["gp"]), world["coordinator"])
    before = _counts()
    for outsider in (world["gp_user"], world["other_nurse_user"], world["coordinator_other"], world["regional"]):
        with pytest.raises(NotVisible):
            post_entry(enrolled, outsider, _draft())
        with pytest.raises(NotVisible):
            read_log(outsider, enrolled)
    assert _counts() == before
    assert unread_count(world["gp_user"], enrolled) == 0
    assert not unread_entries(world["gp_user"], world["cmv"]).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"occurred_on": timezone.localdate() + timedelta(days=1)}, "ne peut pas être dans le futur"),
        ({"occurred_on": None}, "Indiquez la date"),
        ({"text": "   "}, "Écrivez le message"),
        ({"text": "x" * 2001}, "trop long"),
        ({"kind": "telepathy"}, "type de message"),
        ({"upload": SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")}, "ne correspond pas"),
        ({"upload": SimpleUploadedFile("script.exe", b"MZ")}, "pas d'un format accepté"),
        ({"upload": SimpleUploadedFile("vide.pdf", b"")}, "est vide"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_half_saved(world, enrolled, settings, changes, message):
    before = _counts()
    with pytest.raises(PathwayError, match=message):
        post_entry(enrolled, world["nurse_user"], _draft(**changes))
    assert _counts() == before
    assert _files(settings) == []


def test_a_file_is_checked_by_content_stored_under_a_random_name_and_its_download_audited(world, enrolled, settings):
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    letter = SimpleUploadedFile("../../Courrier de sortie.docx", docx.getvalue())
    entry = post_entry(enrolled, world["nurse_user"], _draft(kind=LiaisonKind.HOSPITAL_LETTER, upload=letter))
    assert entry.file_name == "Courrier de sortie.docx" and entry.file_size == len(docx.getvalue())
    assert entry.file.name.startswith(f"pathways/{enrolled.pk}/") and "Courrier" not in entry.file.name
    assert len(_files(settings)) == 1
    with open_attachment(entry, world["gp_user"]) as handle:
        assert handle.read() == docx.getvalue()
    download = AuditEntry.objects.get(action="pathways.liaison.file_downloaded")
    assert download.health_data and download.actor == world["gp_user"]
    with pytest.raises(NotVisible):
        open_attachment(entry, world["coordinator_other"])
    with pytest.raises(PathwayError, match="pas consenti"):
        open_attachment(entry, world["coordinator"])
    assert AuditEntry.objects.filter(action="pathways.liaison.file_downloaded").count() == 1


def test_a_failed_write_leaves_no_file_behind(world, enrolled, settings, monkeypatch):
    from maillage.pathways import notify

    def broken(entry, author):
        raise RuntimeError("boom")

    monkeypatch.setattr(notify, "liaison_entry", broken)
    before = _counts()
    with pytest.raises(RuntimeError):
        post_entry(enrolled, world["nurse_user"], _draft(upload=SimpleUploadedFile("c.pdf", PDF)))
    assert _counts() == before and _files(settings) == []


def test_a_closed_pathway_takes_no_new_entry_but_its_log_is_still_read(world, enrolled):
    post_entry(enrolled, world["nurse_user"], _draft())
    close_pathway(enrolled, world["coordinator"], outcome="completed")
    with pytest.raises(PathwayError, match="ne reçoit plus de message"):
        post_entry(enrolled, world["nurse_user"], _draft())
    assert len(read_log(world["gp_user"], Pathway.objects.get(pk=enrolled.pk))) == 1


# --- The pages: the log, its files, « Mes alertes » -------------------------------------------------


def _log(pathway):
    return f"/c/cmv/parcours-patients/{pathway.pk}/liaison/"


def test_the_log_page_posts_an_entry_with_a_file_and_the_pathway_page_shows_the_unread(world, enrolled, login):
    import html

    nurse = login(world["nurse_user"])
    posted = nurse.post(
        _log(enrolled),
        {"kind": "hospital_letter", "occurred_on": timezone.localdate().isoformat(), "text": "Courrier reçu.",
         "file": SimpleUploadedFile("sortie.pdf", PDF)},
    )  # fmt: skip
    assert posted.status_code == 302 and posted["Location"] == _log(enrolled)
    entry = LiaisonEntry.objects.get()
    gp = login(world["gp_user"])
    detail = html.unescape(gp.get(f"/c/cmv/parcours-patients/{enrolled.pk}/").content.decode())
    assert "Journal de liaison" in detail and "1 non lu" in detail
    badge = gp.get("/c/cmv/parcours-patients/").content.decode()
    assert 'data-testid="my-alerts"' in badge and '<span class="badge">1<' in badge
    alerts = html.unescape(gp.get("/c/cmv/parcours-patients/alertes/").content.decode())
    assert enrolled.reference in alerts and "Courrier d'hospitalisation reçu" in alerts
    assert "Courrier reçu." not in alerts  # the text is read in the log, where the read is audited
    log = html.unescape(gp.get(_log(enrolled)).content.decode())
    assert "Courrier reçu." in log and 'data-testid="unread"' in log
    assert 'data-testid="unread"' not in gp.get(_log(enrolled)).content.decode()  # marked read
    assert "Aucun message non lu" in html.unescape(gp.get("/c/cmv/parcours-patients/alertes/").content.decode())
    download = gp.get(f"{_log(enrolled)}{entry.pk}/fichier/")
    assert download.status_code == 200 and download.content == PDF and download["Content-Type"] == "application/pdf"
    assert "sortie.pdf" in download["Content-Disposition"]


def test_the_log_page_refuses_bad_input_in_french_with_nothing_saved(world, enrolled, login):
    import html

    nurse = login(world["nurse_user"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    for data, message in (
        ({"kind": "call", "occurred_on": tomorrow, "text": "Appel."}, "ne peut pas être dans le futur"),
        ({"kind": "call", "occurred_on": timezone.localdate().isoformat(), "text": "Appel.",
          "file": SimpleUploadedFile("faux.pdf", b"not a pdf")}, "ne correspond pas à son extension"),
        ({"kind": "call", "occurred_on": "", "text": ""}, "Ce champ est obligatoire"),
    ):  # fmt: skip
        page = nurse.post(_log(enrolled), data)
        assert page.status_code == 400
        assert message in html.unescape(page.content.decode())
    assert not LiaisonEntry.objects.exists()


def test_the_log_pages_answer_404_off_the_team_and_a_refusal_to_the_coordinator_without_consent(world, enrolled, login):
    entry = post_entry(enrolled, world["nurse_user"], _draft(upload=SimpleUploadedFile("c.pdf", PDF)))
    remove_member(enrolled.team.get(professional=world["gp"]), world["coordinator"])
    for who in ("gp_user", "other_nurse_user", "coordinator_other", "regional", "regulator"):
        client = login(world[who])
        assert client.get(_log(enrolled)).status_code == 404
        assert client.get(f"{_log(enrolled)}{entry.pk}/fichier/").status_code == 404
        assert client.post(_log(enrolled), {"kind": "call", "text": "x"}).status_code == 404
    coordinator = login(world["coordinator"])
    refused = coordinator.get(_log(enrolled))
    assert refused.status_code == 403 and "pas consenti au partage" in refused.content.decode()
    assert coordinator.get(f"{_log(enrolled)}{entry.pk}/fichier/").status_code == 404
    assert LiaisonEntry.objects.count() == 1


def test_my_alerts_lists_the_rupture_alerts_of_the_persons_pathways(world, enrolled, login):
    import html

    from maillage.pathways.actions.ruptures import declare_rehospitalisation

    declare_rehospitalisation(enrolled, world["coordinator"], on=timezone.localdate())
    for who in ("coordinator", "gp_user"):
        page = html.unescape(login(world[who]).get("/c/cmv/parcours-patients/alertes/").content.decode())
        assert "Réhospitalisation" in page and enrolled.reference in page
    other = html.unescape(login(world["other_nurse_user"]).get("/c/cmv/parcours-patients/alertes/").content.decode())
    assert enrolled.reference not in other and "Aucune alerte ouverte" in other
    assert AuditEntry.objects.filter(action="pathways.alerts.viewed", health_data=True).count() == 3
    assert login(world["coordinator_other"]).get("/c/cmv/parcours-patients/alertes/").status_code == 404

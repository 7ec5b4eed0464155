"""Issue 16, item 5 — talking to members: the audience of a mailing (collège, profession, commune,
voting members with an address), the newsletter's unsubscribe link, the delivery statuses, the
events' registration rules, the iCal feeds and the library's folder access."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from maillage.association import calendar, library, mailing
from maillage.association.actions import AssociationError
from maillage.association.actions import comms as comms_actions
from maillage.association.actions import events as event_actions
from maillage.association.actions import library as library_actions
from maillage.association.actions.comms import MailingDraft, send_mailing, write_mailing
from maillage.association.actions.events import EventDraft, plan_event, register, unregister
from maillage.association.models import (
    Audience,
    CalendarToken,
    Delivery,
    Event,
    Folder,
    Mailing,
    Member,
    NewsletterOptOut,
)
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from tests.association.conftest import member, reload
from tests.conftest import _login

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _draft(kind=Mailing.Kind.NEWSLETTER, **kwargs):
    values = {"subject": "Lettre de décembre", "body": "Bonjour,\n\nLes nouvelles de la CPTS."}
    return MailingDraft(kind=kind, **{**values, **kwargs})


def _emails(recipients):
    return sorted(email for _, email in recipients)


def _event(cpts, days=10, capacity=None, public=False, kind=Event.Kind.TRAINING):
    start = timezone.now() + timedelta(days=days)
    draft = EventDraft(kind=kind, title="Formation BPCO", starts_at=start, ends_at=start + timedelta(hours=2),
                       place="Maison de santé", capacity=capacity, public=public)  # fmt: skip
    return plan_event(cpts, draft, None)


# Audience


@pytest.fixture(autouse=True)
def _commune_without_address(association):
    """The commune of Malakoff is reached through its representative (the fixture gives every member
    the same default address)."""
    Member.objects.filter(pk=association["members"]["malakoff"].pk).update(email="")


def test_the_audience_is_the_voting_members_with_an_address_per_college_profession_commune(association):
    cpts, colleges, m = association["cpts"], association["colleges"], association["members"]
    malakoff, vanves = association["communes"]["92046"], association["communes"]["92075"]
    expired = member(cpts, colleges["liberaux"], last_name="Ancien", email="ancien@exemple.fr", profession_code="60")
    Member.objects.filter(pk=expired.pk).update(status=Member.Status.EXPIRED)
    member(cpts, colleges["liberaux"], last_name="Sanscourriel", email="", phone="0102030405", profession_code="60")
    member(cpts, colleges["liberaux"], last_name="Vanvéen", email="v@exemple.fr", commune=vanves)

    everyone = mailing.recipients(cpts, Audience.ALL, newsletter=False)
    assert _emails(everyone) == sorted(
        [m["gp"].email, "lucie@exemple.fr", association["mayor"].email, "m.roy@exemple.fr", "v@exemple.fr"]
    )
    # A legal person without an address of its own: its representative's.
    assert (m["malakoff"].pk, association["mayor"].email) in everyone
    liberaux = mailing.recipients(cpts, Audience.COLLEGE, newsletter=False, college=colleges["liberaux"])
    assert _emails(liberaux) == sorted([m["gp"].email, "lucie@exemple.fr", "v@exemple.fr"])
    nurses = mailing.recipients(cpts, Audience.PROFESSION, newsletter=False, profession_code="60")
    assert [pk for pk, _ in nurses] == [m["nurse"].pk]  # the expired nurse and the one without email left out
    in_malakoff = mailing.recipients(cpts, Audience.COMMUNE, newsletter=False, commune=malakoff)
    assert {pk for pk, _ in in_malakoff} == {m["gp"].pk, m["malakoff"].pk}  # practises there / represents it


def test_a_shared_address_receives_one_copy(association):
    cpts, colleges = association["cpts"], association["colleges"]
    member(cpts, colleges["usagers"], last_name="Roy", first_name="Paul", email="M.Roy@exemple.fr")
    everyone = _emails(mailing.recipients(cpts, Audience.ALL, newsletter=False))
    assert [e.lower() for e in everyone].count("m.roy@exemple.fr") == 1


# Sending and delivery


def test_sending_enqueues_one_task_per_batch_and_the_worker_records_each_delivery(association, monkeypatch):
    monkeypatch.setattr(mailing, "BATCH", 1)  # one task per recipient here (50 per task in production)
    cpts, coordinator = association["cpts"], association["coordinator"]
    newsletter = write_mailing(cpts, _draft(audience=Audience.COLLEGE, college=association["colleges"]["liberaux"]),
                               coordinator)  # fmt: skip
    mail.outbox = []
    assert send_mailing(newsletter, coordinator) == 2
    assert mail.outbox == []  # nothing leaves inside the request
    assert DBTaskResult.objects.ready().count() == 2
    assert set(newsletter.deliveries.values_list("status", flat=True)) == {Delivery.Status.QUEUED}
    assert run_pending() == 2
    assert set(newsletter.deliveries.values_list("status", flat=True)) == {Delivery.Status.SENT}
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {association["gp_user"].email, "lucie@exemple.fr"}
    message = sent["lucie@exemple.fr"]
    assert message.subject == f"[{cpts.name}] Lettre de décembre"
    assert "Les nouvelles de la CPTS." in message.body and "/c/cmv/adherent/annonces/" in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body and "/adherents/desabonnement/" in link
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert AuditEntry.objects.filter(action="association.mailing.sent", object_id=str(newsletter.pk)).count() == 1


def test_a_failed_delivery_shows_its_error_and_is_retried(association, monkeypatch):
    cpts, coordinator = association["cpts"], association["coordinator"]
    announcement = write_mailing(cpts, _draft(Mailing.Kind.ANNOUNCEMENT, audience=Audience.COLLEGE,
                                              college=association["colleges"]["usagers"]), coordinator)  # fmt: skip
    send_mailing(announcement, coordinator)

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("le serveur de courriel ne répond pas")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    run_pending()
    delivery = announcement.deliveries.get()
    assert delivery.status == Delivery.Status.FAILED and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.error and "ne répond pas" in delivery.error
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the retry, later
    page = association["coordinator_client"].get(f"/c/cmv/association/messages/{announcement.pk}/").content.decode()
    assert "échec" in page and "ne répond pas" in page
    # An announcement carries no unsubscribe link.
    monkeypatch.undo()
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))
    run_pending()
    assert reload(delivery).status == Delivery.Status.SENT
    assert "désabonnement" not in mail.outbox[-1].body and "List-Unsubscribe" not in mail.outbox[-1].extra_headers


def test_a_mailing_is_sent_once_and_never_to_nobody(association):
    cpts, coordinator = association["cpts"], association["coordinator"]
    sent = write_mailing(cpts, _draft(), coordinator)
    send_mailing(sent, coordinator)
    with pytest.raises(AssociationError, match="déjà été envoyé"):
        send_mailing(sent, coordinator)
    nobody = write_mailing(cpts, _draft(audience=Audience.PROFESSION, profession_code="21"), coordinator)
    with pytest.raises(AssociationError, match="Aucun adhérent"):
        send_mailing(nobody, coordinator)
    assert reload(nobody).sent_at is None and not nobody.deliveries.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"subject": ""}, "Indiquez l'objet"),
        ({"subject": "Objet\nBcc: tout@exemple.fr"}, "une seule ligne"),
        ({"body": "x" * 10_001}, "trop long"),
        ({"body": "Patient 1 84 12 75 115 042 15 à rappeler"}, "sécurité sociale"),
        ({"kind": "spam"}, "type du message"),
        ({"audience": Audience.COLLEGE}, "collège"),
        ({"audience": Audience.COMMUNE}, "commune du territoire"),
    ],
)
def test_bad_mailings_are_refused_in_french(association, changes, message):
    draft = _draft(**{k: v for k, v in changes.items() if k != "kind"})
    if "kind" in changes:
        draft.kind = changes["kind"]
    with pytest.raises(AssociationError, match=message):
        write_mailing(association["cpts"], draft, association["coordinator"])
    assert not Mailing.objects.exists()


def test_a_college_of_another_cpts_is_refused(association, idf):
    from maillage.association import statutes

    statutes.of(idf["paris13"])
    other = statutes.colleges(idf["paris13"]).get(code="liberaux")
    with pytest.raises(AssociationError, match="collège"):
        write_mailing(association["cpts"], _draft(audience=Audience.COLLEGE, college=other), None)


# Unsubscribe


def test_the_unsubscribe_link_needs_no_login_is_idempotent_and_spares_announcements(association):
    cpts, coordinator, nurse = association["cpts"], association["coordinator"], association["members"]["nurse"]
    token = mailing.unsubscribe_token(nurse.pk)
    anonymous = Client(enforce_csrf_checks=True)
    page = anonymous.get(f"/adherents/desabonnement/{token}/")
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    assert not NewsletterOptOut.objects.exists()  # a GET (a mail scanner's) changes nothing
    for _ in range(2):  # one-click (RFC 8058): a POST without session or CSRF token
        done = anonymous.post(f"/adherents/desabonnement/{token}/", {"List-Unsubscribe": "One-Click"})
        assert done.status_code == 200 and "Vous êtes désabonné" in done.content.decode()
    assert NewsletterOptOut.objects.filter(member=nurse).count() == 1
    assert AuditEntry.objects.filter(action="association.newsletter.unsubscribed").count() == 1
    assert anonymous.get(f"/adherents/desabonnement/{token}x/").status_code == 404
    assert anonymous.get(f"/adherents/desabonnement/{nurse.pk}:abc/").status_code == 404

    newsletter = write_mailing(cpts, _draft(), coordinator)
    send_mailing(newsletter, coordinator)
    assert not newsletter.deliveries.filter(member=nurse).exists()
    announcement = write_mailing(cpts, _draft(Mailing.Kind.ANNOUNCEMENT, subject="Convocation à l'AG"), coordinator)
    send_mailing(announcement, coordinator)
    assert announcement.deliveries.filter(member=nurse).exists()


def test_a_member_unsubscribed_after_sending_gets_no_newsletter(association):
    cpts, coordinator, nurse = association["cpts"], association["coordinator"], association["members"]["nurse"]
    newsletter = write_mailing(cpts, _draft(), coordinator)
    send_mailing(newsletter, coordinator)
    comms_actions.unsubscribe(nurse, None)
    mail.outbox = []
    run_pending()
    assert newsletter.deliveries.get(member=nurse).status == Delivery.Status.UNSUBSCRIBED
    assert "lucie@exemple.fr" not in [m.to[0] for m in mail.outbox]


def test_the_coordinator_writes_and_sends_through_the_pages_and_sees_each_delivery(association):
    client = association["coordinator_client"]
    college = association["colleges"]["liberaux"]
    form = client.get("/c/cmv/association/messages/nouveau/")
    assert form.status_code == 200
    bad = client.post("/c/cmv/association/messages/nouveau/", {"kind": "newsletter", "subject": "", "body": "x"})
    assert bad.status_code == 400 and "corrigez" in bad.content.decode()
    response = client.post("/c/cmv/association/messages/nouveau/", {
        "kind": "newsletter", "subject": "Lettre <b>", "body": "<script>alert(1)</script>\nBonjour",
        "audience": "college", "college": college.pk,
    })  # fmt: skip
    newsletter = Mailing.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/messages/{newsletter.pk}/")
    draft_page = client.get(response.url).content.decode()
    assert "2 adhérents" in draft_page and "<script>alert" not in draft_page and "&lt;script&gt;" in draft_page
    assert f"Objet : [{association['cpts'].name}] Lettre &lt;b&gt;" in draft_page  # the email, previewed
    assert "Pour ne plus la recevoir : [le lien de désabonnement personnel" in draft_page
    assert client.post(f"/c/cmv/association/messages/{newsletter.pk}/envoyer/").status_code == 302
    run_pending()
    page = client.get(f"/c/cmv/association/messages/{newsletter.pk}/").content.decode()
    assert page.count('data-testid="delivery"') == 2 and "Envoyé (2)" in page
    assert mail.outbox[-1].content_subtype == "plain"


# Events


def test_registration_is_refused_when_full_after_the_start_twice_or_when_not_a_voting_member(association):
    cpts, m = association["cpts"], association["members"]
    event = _event(cpts, capacity=2)
    register(event, m["gp"], None)
    with pytest.raises(AssociationError, match="déjà inscrit"):
        register(event, m["gp"], None)
    register(event, m["nurse"], None)
    with pytest.raises(AssociationError, match="complet"):
        register(event, m["patient"], None)
    unregister(event, m["nurse"], None)
    register(event, m["patient"], None)
    with pytest.raises(AssociationError, match="déjà commencé"):
        register(event, m["nurse"], None, now=event.starts_at + timedelta(minutes=1))
    Member.objects.filter(pk=m["malakoff"].pk).update(status=Member.Status.EXPIRED)
    with pytest.raises(AssociationError, match="pas à jour"):
        register(_event(cpts), reload(m["malakoff"]), None)
    with pytest.raises(AssociationError, match="pas inscrit"):
        unregister(event, m["nurse"], None)
    assert sorted(event.registrations.values_list("member_id", flat=True)) == sorted([m["gp"].pk, m["patient"].pk])


def test_a_bad_event_is_refused(association):
    start = timezone.now() + timedelta(days=3)
    for draft, message in [
        (EventDraft("training", "", start, start, "Ici"), "intitulé"),
        (EventDraft("training", "Formation", start, start - timedelta(hours=1), "Ici"), "avant son début"),
        (EventDraft("training", "Formation", start, start, "Ici", capacity=0), "places"),
        (EventDraft("bal", "Formation", start, start, "Ici"), "type"),
    ]:
        with pytest.raises(AssociationError, match=message):
            plan_event(association["cpts"], draft, None)
    assert not Event.objects.exists()


def test_a_member_registers_in_the_space_and_the_coordinator_sees_it(association):
    mayor = _login(association["mayor"], with_mfa=True)
    event = _event(association["cpts"], capacity=1)
    page = mayor.get("/c/cmv/adherent/agenda/").content.decode()
    assert "Formation BPCO" in page and "M'inscrire" in page
    mayor.post(f"/c/cmv/adherent/agenda/{event.pk}/inscription/")
    again = mayor.post(f"/c/cmv/adherent/agenda/{event.pk}/inscription/", follow=True).content.decode()
    assert "Vous êtes déjà inscrit à cet événement." in again
    listing = association["coordinator_client"].get(f"/c/cmv/association/agenda/{event.pk}/").content.decode()
    assert "Commune de Malakoff" in listing and 'data-testid="registration"' in listing
    # The GP (no matching Member account? the GP has one) — a role without a member gets 404.
    from tests.factories import RoleFactory

    stranger = _login(RoleFactory(cpts=association["cpts"]).user, with_mfa=True)
    assert stranger.get("/c/cmv/adherent/agenda/").status_code == 404


# Feeds


def _events_of(body: bytes):
    return list(Calendar.from_ical(body).walk("VEVENT"))


def test_the_public_feed_has_the_public_events_only_and_nobody_in_it(association):
    cpts, m = association["cpts"], association["members"]
    public = _event(cpts, public=True, kind=Event.Kind.EVENING)
    _event(cpts, days=20)
    register(public, m["patient"], None)
    response = Client().get("/cpts/cmv/agenda.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    items = _events_of(response.content)
    assert [str(e["uid"]) for e in items] == [f"association-event-{public.pk}@maillage"]
    assert b"Roy" not in response.content and b"inscrit" not in response.content


def test_the_private_feed_is_per_member_revocable_and_says_only_their_own_registration(association):
    cpts, m = association["cpts"], association["members"]
    mine, other = _event(cpts), _event(cpts, days=15)
    register(mine, m["nurse"], None)
    register(other, m["gp"], None)
    token = event_actions.renew_calendar(m["nurse"], None).token
    body = Client().get(f"/adherents/agenda/{token}.ics").content
    items = {str(e["uid"]): str(e["description"]) for e in _events_of(body)}
    assert len(items) == 2
    assert "Vous êtes inscrit" in items[f"association-event-{mine.pk}@maillage"]
    assert "Vous êtes inscrit" not in items[f"association-event-{other.pk}@maillage"]
    assert b"Leroy" not in body and b"Petit" not in body
    renewed = event_actions.renew_calendar(m["nurse"], None).token
    assert Client().get(f"/adherents/agenda/{token}.ics").status_code == 404
    assert Client().get(f"/adherents/agenda/{renewed}.ics").status_code == 200
    Member.objects.filter(pk=m["nurse"].pk).update(status=Member.Status.CANCELLED)
    assert Client().get(f"/adherents/agenda/{renewed}.ics").status_code == 404
    event_actions.revoke_calendar(m["nurse"], None)
    assert not CalendarToken.objects.exists()


def test_the_feed_times_are_utc_instants_of_the_local_times(association):
    event = _event(association["cpts"])
    item = _events_of(calendar.public_feed(association["cpts"]))
    assert item == []  # not public
    Event.objects.filter(pk=event.pk).update(public=True)
    (item,) = _events_of(calendar.public_feed(association["cpts"]))
    assert item.decoded("dtstart") == event.starts_at.replace(microsecond=0)


# Library


def _pdf(name="statuts.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n")


def _docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def library_world(association, media):
    cpts, coordinator = association["cpts"], association["coordinator"]
    folders = {
        access: library_actions.create_folder(cpts, f"Dossier {access}", access, coordinator)
        for access in Folder.Access.values
    }
    documents = {
        access: library_actions.upload(folder, f"Document {access}", _pdf(f"{access}.pdf"), coordinator)
        for access, folder in folders.items()
    }
    return {**association, "folders": folders, "documents": documents}


def test_each_folder_is_read_by_whom_it_says_and_anyone_else_gets_404(library_world):
    w = library_world
    doc = {access: d.pk for access, d in w["documents"].items()}
    anonymous = Client()
    public = anonymous.get(f"/cpts/cmv/association/documents/{doc['public']}/fichier/")
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    assert public["Content-Disposition"] == 'attachment; filename="public.pdf"'
    assert anonymous.get(f"/cpts/cmv/association/documents/{doc['members']}/fichier/").status_code == 404
    assert anonymous.get(f"/cpts/paris-13/association/documents/{doc['public']}/fichier/").status_code == 404
    page = anonymous.get("/cpts/cmv/association/").content.decode()
    assert "Document public" in page and "Document members" not in page

    mayor = _login(w["mayor"], with_mfa=True)  # a current member, not on the board
    assert mayor.get(f"/c/cmv/adherent/documents/{doc['members']}/fichier/").status_code == 200
    assert mayor.get(f"/c/cmv/adherent/documents/{doc['public']}/fichier/").status_code == 200
    assert mayor.get(f"/c/cmv/adherent/documents/{doc['board']}/fichier/").status_code == 404
    listing = mayor.get("/c/cmv/adherent/documents/").content.decode()
    assert "Document members" in listing and "Document board" not in listing
    assert mayor.get(f"/c/cmv/association/documents/{doc['board']}/fichier/").status_code == 404

    coordinator = w["coordinator_client"]
    for pk in doc.values():
        assert coordinator.get(f"/c/cmv/association/documents/{pk}/fichier/").status_code == 200
    # The member's and the coordinator's reads of non-public documents; public ones are not logged.
    assert AuditEntry.objects.filter(action="association.document.downloaded").count() == 3

    Member.objects.filter(pk=w["members"]["malakoff"].pk).update(status=Member.Status.EXPIRED)
    assert mayor.get(f"/c/cmv/adherent/documents/{doc['members']}/fichier/").status_code == 404


def test_a_board_member_reads_the_board_folder(library_world, monkeypatch):
    w = library_world
    malakoff = w["members"]["malakoff"]
    monkeypatch.setattr("maillage.association.access.is_board_member", lambda member, on=None: member == malakoff)
    mayor = _login(w["mayor"], with_mfa=True)
    assert mayor.get(f"/c/cmv/adherent/documents/{w['documents']['board'].pk}/fichier/").status_code == 200
    assert library.readable_accesses(w["mayor"], w["cpts"]) == set(Folder.Access.values)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.exe", b"MZ"), "format accepté"),
        (SimpleUploadedFile("vide.pdf", b""), "vide"),
        (SimpleUploadedFile("faux.pdf", b"MZ\x90\x00"), "ne correspond pas"),
        (SimpleUploadedFile("faux.docx", b"%PDF-1.4"), "ne correspond pas"),
        (SimpleUploadedFile("gros.pdf", b"%PDF-" + b"0" * 2048), "taille maximale"),
    ],
)
def test_uploads_are_bounded_in_type_size_and_content(association, media, settings, upload, message):
    settings.ASSOCIATION_DOCUMENT_MAX_BYTES = 1024 * 1024 if upload.name != "gros.pdf" else 1024
    folder = library_actions.create_folder(association["cpts"], "PV", Folder.Access.MEMBERS, None)
    with pytest.raises(AssociationError, match=message):
        library_actions.upload(folder, "", upload, None)
    assert not folder.documents.exists() and not list(media.rglob("*.*"))


def test_a_docx_is_accepted_and_served_with_its_media_type(association, media):
    folder = library_actions.create_folder(association["cpts"], "Protocoles", Folder.Access.MEMBERS, None)
    document = library_actions.upload(folder, "", SimpleUploadedFile("protocole.docx", _docx_bytes()), None)
    assert document.title == "protocole.docx"
    response = association["coordinator_client"].get(f"/c/cmv/association/documents/{document.pk}/fichier/")
    assert response["Content-Type"] == library.FORMATS[".docx"]
    with pytest.raises(AssociationError, match="existe déjà"):
        library_actions.create_folder(association["cpts"], "protocoles", Folder.Access.PUBLIC, None)


def test_the_coordinator_uploads_through_the_page(association, media):
    client = association["coordinator_client"]
    client.post("/c/cmv/association/documents/dossiers/", {"name": "Statuts", "access": "public"})
    folder = Folder.objects.get()
    response = client.post("/c/cmv/association/documents/deposer/",
                           {"folder": folder.pk, "title": "Statuts 2026", "file": _pdf()}, follow=True)  # fmt: skip
    assert "Document « Statuts 2026 » déposé" in response.content.decode()
    refused = client.post("/c/cmv/association/documents/deposer/",
                          {"folder": folder.pk, "file": SimpleUploadedFile("x.exe", b"MZ")}, follow=True)  # fmt: skip
    assert "format accepté" in refused.content.decode()
    document = folder.documents.get()
    client.post(f"/c/cmv/association/documents/{document.pk}/supprimer/")
    assert not folder.documents.exists()


# Members' space


def test_the_space_lists_the_announcements_of_the_members_audience(association):
    cpts, coordinator, colleges = association["cpts"], association["coordinator"], association["colleges"]
    for_all = write_mailing(cpts, _draft(Mailing.Kind.ANNOUNCEMENT, subject="Pour tous"), coordinator)
    for_users = write_mailing(cpts, _draft(subject="Pour les usagers", audience=Audience.COLLEGE,
                                           college=colleges["usagers"]), coordinator)  # fmt: skip
    for m in (for_all, for_users):
        send_mailing(m, coordinator)
    mayor = _login(association["mayor"], with_mfa=True)
    page = mayor.get("/c/cmv/adherent/annonces/").content.decode()
    assert "Pour tous" in page and "Pour les usagers" not in page
    assert mayor.get(f"/c/cmv/adherent/annonces/{for_users.pk}/").status_code == 404
    assert mayor.get(f"/c/cmv/adherent/annonces/{for_all.pk}/").status_code == 200
    mayor.post("/c/cmv/adherent/lettre/")
    assert NewsletterOptOut.objects.filter(member=association["members"]["malakoff"]).exists()
    mayor.post("/c/cmv/adherent/lettre/", {"abonne": "1"})
    assert not NewsletterOptOut.objects.exists()


# Demo


def test_the_demo_builds_announcements_a_newsletter_with_statuses_events_and_folders(association, media):
    from maillage.association import demo_comms

    cpts = association["cpts"]
    members = list(Member.objects.filter(cpts=cpts))
    demo_comms.build(cpts, members, association["coordinator"])
    assert Mailing.objects.filter(cpts=cpts, kind=Mailing.Kind.ANNOUNCEMENT).count() == 2
    newsletter = Mailing.objects.get(cpts=cpts, kind=Mailing.Kind.NEWSLETTER)
    assert newsletter.college == association["colleges"]["liberaux"] and newsletter.recipients == 2
    statuses = sorted(newsletter.deliveries.values_list("status", flat=True))
    assert statuses == [Delivery.Status.FAILED, Delivery.Status.SENT]
    assert not DBTaskResult.objects.exists()  # nothing is sent to fictional addresses
    kinds = set(Event.objects.filter(cpts=cpts).values_list("kind", flat=True))
    assert {Event.Kind.ASSEMBLY, Event.Kind.TRAINING, Event.Kind.EVENING} <= kinds
    assert Event.objects.get(kind=Event.Kind.TRAINING).registrations.exists()
    assert (
        dict(Folder.objects.filter(cpts=cpts).values_list("name", "access"))["Statuts et règlement intérieur"]
        == "public"
    )
    titles = set(cpts.association_documents.values_list("title", flat=True))
    assert {"Statuts de l'association", "Règlement intérieur"} <= titles and any("PV" in t for t in titles)
    page = Client().get("/cpts/cmv/association/").content.decode()
    assert "Statuts de l&#x27;association" in page and "santé mentale des adolescents" in page
    demo_comms.build(cpts, members, association["coordinator"])  # a second run adds nothing
    assert Mailing.objects.filter(cpts=cpts).count() == 3

"""Demo of « Communiquer avec les adhérents » for a demo CPTS: two announcements, a newsletter sent
to the collège of the libéraux (with its delivery statuses: sent, one failed), the agenda (the AG,
a formation, a soirée thématique, a past working group) with registrations, and the library's
folders (statuts and règlement intérieur public, the AG's PV for members, the board's PV for the
board). Skipped when the CPTS already has events. Nothing is sent: the deliveries are written with
the statuses a worker would have left (no task enqueued to fictional addresses)."""

import io
from datetime import datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from maillage.association import mailing as mailings
from maillage.association.models import (
    Audience,
    College,
    Delivery,
    Event,
    Folder,
    LibraryDocument,
    Mailing,
    Registration,
)

FAILED_ERROR = "SMTPRecipientsRefused : {'%s': (550, b'5.1.1 Adresse inconnue du serveur destinataire')}"


def _at(days: int, hour: int, minute: int = 0):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _docx(title: str, paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _document(folder, title, filename, paragraphs, user):
    document = LibraryDocument(cpts=folder.cpts, folder=folder, title=title, name=filename, uploaded_by=user)
    content = _docx(title, paragraphs)
    document.size = len(content)
    document.file.save(filename, ContentFile(content), save=False)
    document.save()
    return document


def _library(cpts, user) -> None:
    statutes = Folder.objects.create(cpts=cpts, name="Statuts et règlement intérieur", access=Folder.Access.PUBLIC)
    minutes = Folder.objects.create(cpts=cpts, name="Procès-verbaux des assemblées", access=Folder.Access.MEMBERS)
    protocols = Folder.objects.create(cpts=cpts, name="Protocoles pluriprofessionnels", access=Folder.Access.MEMBERS)
    board = Folder.objects.create(cpts=cpts, name="Conseil d'administration", access=Folder.Access.BOARD)
    _document(statutes, "Statuts de l'association", "statuts.docx", [
        f"Article 1 — Il est fondé entre les adhérents aux présents statuts une association régie par la loi du "
        f"1er juillet 1901, ayant pour titre « {cpts.name} ».",
        "Article 2 — L'association a pour objet de constituer une communauté professionnelle territoriale de "
        "santé (article L1434-12 du code de la santé publique).",
        "Article 5 — L'association se compose de collèges : professionnels de santé libéraux ; établissements "
        "et services sanitaires ; médico-social et social ; collectivités ; usagers.",
    ], user)  # fmt: skip
    _document(statutes, "Règlement intérieur", "reglement-interieur.docx", [
        "Le présent règlement précise les modalités de fonctionnement de l'association prévues par les statuts.",
        "Les convocations aux assemblées générales sont adressées quinze jours au moins avant la date fixée.",
    ], user)  # fmt: skip
    last_year = timezone.localdate().year - 1
    _document(minutes, f"PV de l'assemblée générale ordinaire {last_year}", f"pv-ag-{last_year}.docx", [
        "Le quorum étant atteint, l'assemblée peut valablement délibérer.",
        "Le rapport moral et le rapport financier sont approuvés à l'unanimité des votes exprimés.",
    ], user)  # fmt: skip
    _document(protocols, "Protocole de prise en charge des plaies chroniques", "protocole-plaies.docx", [
        "Protocole pluriprofessionnel médecin – infirmier – pharmacien, validé par le groupe de travail.",
    ], user)  # fmt: skip
    _document(board, "PV du conseil d'administration", "pv-ca.docx", [
        "Le conseil arrête le budget prévisionnel et le calendrier des formations.",
    ], user)  # fmt: skip


def _mailing(cpts, user, *, kind, subject, body, audience=Audience.ALL, college=None, days_ago=0, failed=0):
    sent_at = timezone.now() - timedelta(days=days_ago, hours=2)
    mailing = Mailing.objects.create(
        cpts=cpts, kind=kind, subject=subject, body=body, audience=audience, college=college,
        created_by=user, created_at=sent_at - timedelta(hours=1), sent_at=sent_at, sent_by=user,
    )  # fmt: skip
    people = mailings.recipients_of(mailing)
    rows = []
    for i, (member_id, email) in enumerate(people):
        failing = i < failed
        rows.append(
            Delivery(
                mailing=mailing,
                member_id=member_id,
                email=email,
                status=Delivery.Status.FAILED if failing else Delivery.Status.SENT,
                error=FAILED_ERROR % email if failing else "",
                attempts=5 if failing else 1,
                updated_at=sent_at + timedelta(minutes=1 + i // 50),
            )
        )
    Delivery.objects.bulk_create(rows)
    mailing.recipients = len(rows)
    mailing.save(update_fields=["recipients"])
    return mailing


def _mailings(cpts, user) -> None:
    liberaux = College.objects.filter(cpts=cpts, code="liberaux").first()
    _mailing(cpts, user, kind=Mailing.Kind.ANNOUNCEMENT, days_ago=20,
             subject="Permanence de la coordination pendant les fêtes",
             body="Bonjour,\n\nLa coordination de la CPTS assure une permanence téléphonique du lundi au vendredi "
                  "de 9 h à 17 h pendant les fêtes de fin d'année.\n\nBonne fin d'année à tous.")  # fmt: skip
    _mailing(cpts, user, kind=Mailing.Kind.ANNOUNCEMENT, days_ago=3,
             subject="Assemblée générale : réservez la date",
             body="Bonjour,\n\nL'assemblée générale ordinaire de l'association se tiendra dans un mois. La "
                  "convocation et l'ordre du jour vous parviendront dans le délai prévu par les statuts.\n\n"
                  "Inscrivez-vous dès maintenant depuis votre espace adhérent.")  # fmt: skip
    if liberaux is not None:
        _mailing(cpts, user, kind=Mailing.Kind.NEWSLETTER, audience=Audience.COLLEGE, college=liberaux,
                 days_ago=1, failed=1, subject="Lettre des libéraux — décembre",
                 body="Bonjour,\n\nAu sommaire ce mois-ci : la nouvelle formation à la spirométrie au cabinet, "
                      "le protocole plaies chroniques validé par le groupe de travail, et la soirée thématique "
                      "sur la santé mentale des adolescents.\n\nÀ bientôt.")  # fmt: skip


def _events(cpts, members, user) -> None:
    voting = [m for m in members if m.votes]
    assembly = Event.objects.create(
        cpts=cpts, kind=Event.Kind.ASSEMBLY, title="Assemblée générale ordinaire", starts_at=_at(30, 19),
        ends_at=_at(30, 21, 30), place="Salle des fêtes", description="Rapport moral, rapport financier, "
        "renouvellement du conseil d'administration.", created_by=user,
    )  # fmt: skip
    training = Event.objects.create(
        cpts=cpts, kind=Event.Kind.TRAINING, title="Formation : la spirométrie au cabinet", starts_at=_at(12, 20),
        ends_at=_at(12, 22), place="Maison de santé, salle de réunion", capacity=12, created_by=user,
        description="Formation pluriprofessionnelle médecins, infirmiers et pharmaciens (BPCO).",
    )  # fmt: skip
    evening = Event.objects.create(
        cpts=cpts, kind=Event.Kind.EVENING, title="Soirée thématique : la santé mentale des adolescents",
        starts_at=_at(19, 19, 30), ends_at=_at(19, 22), place="Médiathèque municipale", capacity=40, public=True,
        description="Avec la maison des adolescents et le CMP du secteur. Ouverte au public.", created_by=user,
    )  # fmt: skip
    past = Event.objects.create(
        cpts=cpts, kind=Event.Kind.WORKING_GROUP, title="Groupe de travail « plaies chroniques »",
        starts_at=_at(-14, 13), ends_at=_at(-14, 14), place="En visioconférence", created_by=user,
    )  # fmt: skip
    plan = [(assembly, voting[:8]), (training, voting[:11]), (evening, voting[2:9]), (past, voting[:4])]
    Registration.objects.bulk_create(
        [Registration(event=event, member=member) for event, people in plan for member in people]
    )


def build(cpts, members, coordinator_user) -> None:
    if Event.objects.filter(cpts=cpts).exists():
        return
    members = list(members.values() if isinstance(members, dict) else members)
    _library(cpts, coordinator_user)
    _mailings(cpts, coordinator_user)
    _events(cpts, members, coordinator_user)

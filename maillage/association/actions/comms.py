"""Writes of « Communiquer avec les adhérents »: a mailing written (a draft), then sent — its
audience computed from the voting members of that moment, one delivery row per recipient and one
background task per batch of copies (mailing.py), in one transaction —, and a member's newsletter
subscription. Each write is one transaction with one audit entry; a refusal raises
`AssociationError` with a French message."""

import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from maillage.association import mailing as mailings
from maillage.association.actions import AssociationError, require
from maillage.association.models import Audience, College, Delivery, Mailing, Member, NewsletterOptOut
from maillage.core import audit
from maillage.core.french import plural
from maillage.core.identifiers import is_valid_nir

SUBJECT_MAX, BODY_MAX = 200, 10_000
# 13 digits (or 2A/2B) and a 2-digit key, spaces allowed between the groups of a printed NIR.
_NIR_LIKE = re.compile(r"\b[1-478]\s?\d{2}\s?\d{2}\s?(?:\d{2}|2[AB])\s?\d{3}\s?\d{3}\s?\d{2}\b", re.IGNORECASE)


@dataclass
class MailingDraft:
    kind: str
    subject: str
    body: str
    audience: str = Audience.ALL
    college: College | None = None
    profession_code: str = ""
    commune: object = None


def _looks_like_patient_data(text: str) -> bool:
    return any(is_valid_nir(re.sub(r"\s", "", m.group(0)).upper()) for m in _NIR_LIKE.finditer(text))


def _check(cpts, draft: MailingDraft) -> tuple[str, str]:
    require(draft.kind in Mailing.Kind.values, "Choisissez le type du message : annonce ou lettre d'information.")
    subject = (draft.subject or "").strip()
    body = (draft.body or "").strip()
    require(subject, "Indiquez l'objet du message.")
    require(len(subject) <= SUBJECT_MAX, f"L'objet est trop long ({SUBJECT_MAX} caractères au plus).")
    require("\n" not in subject and "\r" not in subject, "L'objet tient sur une seule ligne.")
    require(body, "Écrivez le texte du message.")
    require(len(body) <= BODY_MAX, f"Le texte est trop long ({BODY_MAX:,} caractères au plus).".replace(",", "\u202f"))
    require(
        not _looks_like_patient_data(f"{subject}\n{body}"),
        "Le texte contient ce qui ressemble à un numéro de sécurité sociale : un message aux adhérents ne "
        "contient jamais de données de patient.",
    )
    require(draft.audience in Audience.values, "Choisissez les destinataires.")
    if draft.audience == Audience.COLLEGE:
        require(
            isinstance(draft.college, College) and draft.college.cpts_id == cpts.pk,
            "Choisissez le collège des destinataires.",
        )
    if draft.audience == Audience.PROFESSION:
        code = (draft.profession_code or "").strip()
        require(code and len(code) <= 4 and code.isalnum(), "Choisissez la profession des destinataires.")
    if draft.audience == Audience.COMMUNE:
        require(
            draft.commune is not None and cpts.communes().filter(pk=draft.commune.pk).exists(),
            "Choisissez une commune du territoire de la CPTS.",
        )
    return subject, body


def write_mailing(cpts, draft: MailingDraft, actor) -> Mailing:
    """A new draft: nothing leaves until `send_mailing`."""
    subject, body = _check(cpts, draft)
    audience = draft.audience
    with transaction.atomic():
        mailing = Mailing.objects.create(
            cpts=cpts,
            kind=draft.kind,
            subject=subject,
            body=body,
            audience=audience,
            college=draft.college if audience == Audience.COLLEGE else None,
            profession_code=draft.profession_code.strip() if audience == Audience.PROFESSION else "",
            commune=draft.commune if audience == Audience.COMMUNE else None,
            created_by=audit.user_or_none(actor),
        )
        audit.record(
            "association.mailing.written",
            actor=actor,
            cpts=cpts,
            obj=mailing,
            details={"type": mailing.kind, "destinataires": audience},
        )
    return mailing


def audience_label(mailing: Mailing) -> str:
    if mailing.audience == Audience.COLLEGE and mailing.college:
        return f"collège « {mailing.college.name} »"
    if mailing.audience == Audience.PROFESSION:
        from maillage.directory.search import profession_choices

        return f"profession « {dict(profession_choices()).get(mailing.profession_code, mailing.profession_code)} »"
    if mailing.audience == Audience.COMMUNE and mailing.commune:
        return f"commune de {mailing.commune.name}"
    return "tous les adhérents"


def send_mailing(mailing: Mailing, actor, now=None) -> int:
    """Computes the audience now, writes one delivery per recipient and enqueues one task per batch
    of copies, in one transaction (the worker sends them once it commits). Returns the number of
    recipients."""
    now = now or timezone.now()
    with transaction.atomic():
        mailing = (
            Mailing.objects.select_for_update(of=("self",))
            .select_related("cpts", "college", "commune")
            .get(pk=mailing.pk)
        )
        require(mailing.sent_at is None, "Ce message a déjà été envoyé.")
        people = mailings.recipients_of(mailing)
        require(
            people,
            "Aucun adhérent à jour de sa cotisation, avec une adresse électronique, dans ces destinataires : "
            "rien n'est envoyé.",
        )
        created = Delivery.objects.bulk_create(
            [
                Delivery(mailing=mailing, member_id=pk, email=email, status=Delivery.Status.QUEUED)
                for pk, email in people
            ],
            batch_size=1000,
        )
        ids = [d.pk for d in created]
        if None in ids:  # a database that does not return the new keys
            ids = list(mailing.deliveries.order_by("pk").values_list("pk", flat=True))
        mailings.enqueue(ids)
        mailing.sent_at, mailing.sent_by, mailing.recipients = now, audit.user_or_none(actor), len(people)
        mailing.save(update_fields=["sent_at", "sent_by", "recipients"])
        audit.record(
            "association.mailing.sent",
            actor=actor,
            cpts=mailing.cpts,
            obj=mailing,
            details={"type": mailing.kind, "destinataires": audience_label(mailing), "nombre": len(people)},
        )
    return len(people)


def sent_message(count: int, mailing: Mailing) -> str:
    return (
        f"Le message « {mailing.subject} » part vers {plural(count, 'adhérent')} : "
        "l'état de chaque envoi s'affiche ci-dessous."
    )


def unsubscribe(member: Member, actor=None, *, via: str = "lien") -> bool:
    """No more newsletters for `member` (announcements still reach them). Idempotent: True when it
    changed something."""
    with transaction.atomic():
        _, created = NewsletterOptOut.objects.get_or_create(member=member)
        if created:
            audit.record(
                "association.newsletter.unsubscribed",
                actor=actor,
                cpts=member.cpts,
                obj=member,
                details={"par": via},
            )
    return created


def resubscribe(member: Member, actor) -> bool:
    with transaction.atomic():
        deleted, _ = NewsletterOptOut.objects.filter(member=member).delete()
        if deleted:
            audit.record("association.newsletter.resubscribed", actor=actor, cpts=member.cpts, obj=member)
    return bool(deleted)


__all__ = ["AssociationError", "MailingDraft", "resubscribe", "send_mailing", "unsubscribe", "write_mailing"]

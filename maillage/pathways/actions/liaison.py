"""The liaison log of a pathway: posting an entry (checked, stored, the team notified), reading the
log (an audited health read that marks it read) and downloading an entry's file (audited).

The log is clinical content (access.py `may_use_liaison`): the active care team, and the
coordinator while the patient consents to sharing with the coordination. A professional who left
the team, another CPTS, anybody else: `NotVisible` (a 404), as for the pathway itself."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from maillage.core import audit
from maillage.core.bounds import MIN_YEAR
from maillage.lifecycle import documents
from maillage.pathways import access, notify
from maillage.pathways.actions import NotVisible, require
from maillage.pathways.models import (
    CONTACT_KINDS,
    HandOver,
    HandOverStatus,
    LiaisonEntry,
    LiaisonKind,
    LiaisonRead,
    Pathway,
    RuptureAlert,
)
from maillage.pathways.states import PathwayStatus

TEXT_MAX = 2000
NO_CLINICAL = (
    "Le patient n'a pas consenti au partage de ses informations avec la coordination de la CPTS : "
    "le journal de liaison ne vous est pas accessible."
)


@dataclass
class Draft:
    kind: str
    occurred_on: date | None
    text: str
    upload: object = None  # a Django UploadedFile, or None


def _require_liaison(actor, pathway) -> None:
    if not access.sees(actor, pathway):
        raise NotVisible()
    require(access.may_use_liaison(actor, pathway), NO_CLINICAL)


def _check(draft: Draft) -> str:
    require(draft.kind in LiaisonKind.values, "Choisissez le type de message.")
    require(isinstance(draft.occurred_on, date), "Indiquez la date de l'échange.")
    require(draft.occurred_on.year >= MIN_YEAR, f"La date de l'échange doit être postérieure à {MIN_YEAR}.")
    require(draft.occurred_on <= timezone.localdate(), "La date de l'échange ne peut pas être dans le futur.")
    text = (draft.text or "").strip()
    require(text, "Écrivez le message.")
    require(len(text) <= TEXT_MAX, f"Le message est trop long ({TEXT_MAX} caractères au plus).")
    if draft.upload is not None:
        errors = documents.problems(draft.upload)
        require(not errors, " ".join(errors))
    return text


def post_entry(pathway: Pathway, actor, draft: Draft) -> LiaisonEntry:
    """Adds an entry to the log; a call or a visit counts as a contact with the patient. The other
    active members of the team with an account are told by email, once the entry is saved (no
    clinical content, no identity: the pathway's reference and a link)."""
    _require_liaison(actor, pathway)
    require(
        pathway.status == PathwayStatus.ACTIVE,
        f"Ce parcours est « {pathway.get_status_display()} » : son journal de liaison ne reçoit plus de message.",
    )
    text = _check(draft)
    entry = None
    try:
        with transaction.atomic():
            now = timezone.now()
            entry = LiaisonEntry(
                pathway=pathway, kind=draft.kind, occurred_on=draft.occurred_on, text=text,
                author=audit.user_or_none(actor), author_label=_author_label(actor, pathway), posted_at=now,
            )  # fmt: skip
            if draft.upload is not None:
                entry.file_name = documents.clean_name(draft.upload.name)
                entry.file_size = draft.upload.size
                entry.file.save(entry.file_name, draft.upload, save=False)
            entry.save()
            if draft.kind in CONTACT_KINDS:
                # A contact with the patient: the « sans contact » delay starts again from it.
                contact_due = draft.occurred_on + timedelta(days=pathway.template.no_contact_days)
                Pathway.objects.filter(pk=pathway.pk, contact_due_on__lt=contact_due).update(contact_due_on=contact_due)
            if audit.user_or_none(actor) is not None:
                _mark_read(pathway, actor, now)  # one's own message is read
            audit.record(
                "pathways.liaison.posted", actor=actor, cpts=pathway.cpts, obj=entry, health_data=True,
                details={"parcours": pathway.reference, "type": draft.kind, "fichier": entry.file_name},
            )  # fmt: skip
            notify.liaison_entry(entry, actor)
    except Exception:
        # The row rolled back: the file written for it must not stay behind on disk.
        if entry is not None and entry.file.name:
            entry.file.storage.delete(entry.file.name)
        raise
    return entry


def _author_label(actor, pathway) -> str:
    user = audit.user_or_none(actor)
    if user is None:
        return "système"
    name = user.get_full_name() or user.email
    member = access.membership(user, pathway)
    if member is not None:
        return f"{name} ({member.get_role_display()})"
    return f"{name} (coordination de la CPTS)" if access.is_coordinator(user, pathway.cpts) else name


def _mark_read(pathway, user, moment) -> None:
    LiaisonRead.objects.update_or_create(pathway=pathway, user=user, defaults={"read_at": moment})


def read_log(user, pathway) -> list[LiaisonEntry]:
    """The log, newest first, each entry's `unread` set for this reader; the read is audited and the
    log marked read up to now."""
    _require_liaison(user, pathway)
    since = last_read(user, pathway)
    entries = list(pathway.liaison_entries.select_related("author"))
    for entry in entries:
        entry.unread = _unread(entry, user, since)
    with transaction.atomic():
        audit.record_health_read(
            "pathways.liaison.viewed", actor=user, cpts=pathway.cpts, obj=pathway,
            details={"parcours": pathway.reference, "messages": len(entries)},
        )  # fmt: skip
        if audit.user_or_none(user) is not None:
            _mark_read(pathway, user, timezone.now())
    return entries


def last_read(user, pathway):
    if audit.user_or_none(user) is None:
        return None
    return LiaisonRead.objects.filter(pathway=pathway, user=user).values_list("read_at", flat=True).first()


def _unread(entry, user, since) -> bool:
    if audit.user_or_none(user) is None or entry.author_id == user.pk:
        return False
    return since is None or entry.posted_at > since


def open_attachment(entry: LiaisonEntry, user):
    """The entry's file, opened for reading; each download is written in the audit log. Opened
    first: a file missing on disk raises FileNotFoundError and no download is logged."""
    pathway = entry.pathway
    _require_liaison(user, pathway)
    require(entry.file.name, "Ce message n'a pas de pièce jointe.")
    handle = entry.file.open("rb")
    with transaction.atomic():
        audit.record_health_read(
            "pathways.liaison.file_downloaded", actor=user, cpts=pathway.cpts, obj=entry,
            details={"parcours": pathway.reference, "fichier": entry.file_name},
        )  # fmt: skip
    return handle


def unread_entries(user, cpts):
    """The entries of the pathways of `cpts` whose log `user` reads, posted by someone else since
    they last read that log (newest first)."""
    if audit.user_or_none(user) is None:
        return LiaisonEntry.objects.none()
    reads = LiaisonRead.objects.filter(pathway=OuterRef("pathway"), user=user, read_at__gte=OuterRef("posted_at"))
    return (
        LiaisonEntry.objects.filter(pathway__in=access.liaison_pathways(user, cpts))
        .exclude(author=user)
        .exclude(Exists(reads))
        .select_related("pathway")
    )


def unread_count(user, pathway) -> int:
    if audit.user_or_none(user) is None or not access.may_use_liaison(user, pathway):
        return 0
    since = last_read(user, pathway)
    entries = pathway.liaison_entries.exclude(author=user)
    if since is not None:
        entries = entries.filter(posted_at__gt=since)
    return entries.count()


def unread_by_pathway(user, cpts) -> dict[int, int]:
    """pathway id → its unread entries for `user` (one query)."""
    rows = unread_entries(user, cpts).values("pathway_id").annotate(n=Count("id")).order_by()
    return {row["pathway_id"]: row["n"] for row in rows if row["n"]}


# « Mes alertes »: what a person has to look at in the pathways of a CPTS.

ALERTS_LIMIT = 200


def open_alerts(user, cpts):
    """The open rupture alerts of the pathways `user` sees in `cpts` (all of them for its coordinator)."""
    return RuptureAlert.objects.open().filter(pathway__in=access.visible_to(user, cpts))


def pending_handovers(user, cpts):
    """For a coordinator: the hand-overs other CPTS propose to theirs, waiting for an answer."""
    if not access.is_coordinator(user, cpts):
        return HandOver.objects.none()
    return HandOver.objects.filter(to_cpts=cpts, status=HandOverStatus.PENDING).select_related("from_cpts", "pathway")


def alert_count(user, cpts) -> int:
    """The badge of the pathways pages: open alerts, unread liaison messages, hand-overs to answer."""
    return open_alerts(user, cpts).count() + unread_entries(user, cpts).count() + pending_handovers(user, cpts).count()


@dataclass
class MyAlerts:
    alerts: list
    unread: list
    handovers: list


def read_alerts(user, cpts) -> MyAlerts:
    """« Mes alertes »: the pathways named in it (patients' names shown) make it a health-data read."""
    alerts = list(
        open_alerts(user, cpts).select_related("pathway", "task").order_by("-raised_at", "-id")[:ALERTS_LIMIT]
    )
    unread = list(unread_entries(user, cpts).order_by("-posted_at", "-id")[:ALERTS_LIMIT])
    references = sorted({alert.pathway.reference for alert in alerts} | {e.pathway.reference for e in unread})
    audit.record_health_read(
        "pathways.alerts.viewed", actor=user, cpts=cpts, obj=None, details={"parcours": references}
    )
    return MyAlerts(alerts=alerts, unread=unread, handovers=list(pending_handovers(user, cpts)))

"""Assemblies and board meetings, before and after the session: prepared (agenda, resolutions,
documents), convened (the electorate fixed, the statutes' figures copied, the emails enqueued on
commit), declared held or « carence » by the quorum, closed or cancelled. Attendance and votes are
in actions/votes.py. Each write is one transaction with one audit entry; a refusal raises
`AssociationError` with a French message, nothing written."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from maillage.association import assembly_rules as rules
from maillage.association import statutes as statutes_module
from maillage.association.actions import AssociationError, require
from maillage.association.models.assemblies import (
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyKind,
    AssemblyStatus,
    AssemblyTransition,
    Attendance,
    Resolution,
    assembly_allowed,
)
from maillage.core import audit, mail, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.french import plural
from maillage.core.models import log_transition
from maillage.lifecycle import documents

MAX_AGENDA, MAX_RESOLUTIONS, MAX_DOCUMENTS = 30, 30, 20
TEXT_MAX = 4000
STALE = "Cette assemblée vient d'être modifiée par quelqu'un d'autre : rechargez la page."


@dataclass
class AssemblyDraft:
    kind: str
    title: str
    starts_at: datetime | None
    place: str
    vote_opens_at: datetime | None = None
    vote_closes_at: datetime | None = None


def _check_draft(draft: AssemblyDraft) -> dict:
    require(draft.kind in AssemblyKind.values, "Choisissez le type d'assemblée.")
    title = (draft.title or "").strip()
    require(title, "Indiquez l'intitulé de l'assemblée.")
    require(len(title) <= 200, "L'intitulé est trop long (200 caractères au plus).")
    require(isinstance(draft.starts_at, datetime), "Indiquez la date et l'heure de l'assemblée.")
    require(MIN_YEAR <= draft.starts_at.year <= MAX_YEAR, f"La date doit être entre {MIN_YEAR} et {MAX_YEAR}.")
    place = (draft.place or "").strip()
    require(place, "Indiquez le lieu de l'assemblée.")
    require(len(place) <= 200, "Le lieu est trop long (200 caractères au plus).")
    opens, closes = draft.vote_opens_at, draft.vote_closes_at
    require(
        (opens is None) == (closes is None),
        "Le vote en ligne a une date d'ouverture et une date de clôture : indiquez les deux, ou aucune.",
    )
    if opens is not None:
        require(opens < closes, "Le vote en ligne doit ouvrir avant de se clore.")
        require(
            closes <= draft.starts_at,
            "Le vote en ligne se clôt au plus tard à l'ouverture de la séance : ses voix comptent pour le quorum.",
        )
    return {
        "kind": draft.kind, "title": title, "starts_at": draft.starts_at, "place": place,
        "vote_opens_at": opens, "vote_closes_at": closes,
    }  # fmt: skip


def create_assembly(cpts, draft: AssemblyDraft, actor) -> Assembly:
    fields = _check_draft(draft)
    with transaction.atomic():
        assembly = Assembly.objects.create(cpts=cpts, created_by=audit.user_or_none(actor), **fields)
        log_transition(AssemblyTransition, actor=actor, source="", target=AssemblyStatus.DRAFT, assembly=assembly)
        audit.record(
            "association.assembly.created", actor=actor, cpts=cpts, obj=assembly,
            details={"type": assembly.kind, "date": rules.when(assembly.starts_at)},
        )  # fmt: skip
    return assembly


def _require_draft(assembly, what: str) -> None:
    require(
        assembly.status == AssemblyStatus.DRAFT,
        f"Cette assemblée est « {assembly.get_status_display()} » : {what} ne se modifie plus après la convocation.",
    )


def edit_assembly(assembly: Assembly, draft: AssemblyDraft, actor, *, expected_version=None) -> Assembly:
    _require_draft(assembly, "elle")
    fields = _check_draft(draft)
    with transaction.atomic():
        versioning.check_and_bump(assembly, expected_version)
        assembly.refresh_from_db(fields=["status"])
        _require_draft(assembly, "elle")
        for name, value in fields.items():
            setattr(assembly, name, value)
        assembly.save(update_fields=list(fields))
        audit.record(
            "association.assembly.edited", actor=actor, cpts=assembly.cpts, obj=assembly,
            details={"date": rules.when(assembly.starts_at)},
        )  # fmt: skip
    return assembly


def add_agenda_item(assembly: Assembly, actor, *, title: str, description: str = "") -> AgendaItem:
    _require_draft(assembly, "l'ordre du jour")
    title, description = (title or "").strip(), (description or "").strip()
    require(title, "Indiquez le point de l'ordre du jour.")
    require(len(title) <= 200, "Le point de l'ordre du jour est trop long (200 caractères au plus).")
    require(len(description) <= 2000, "Les précisions sont trop longues (2 000 caractères au plus).")
    with transaction.atomic():
        count = assembly.agenda.count()
        require(count < MAX_AGENDA, f"L'ordre du jour compte {MAX_AGENDA} points au plus.")
        item = AgendaItem.objects.create(assembly=assembly, order=count + 1, title=title, description=description)
        audit.record("association.assembly.agenda_added", actor=actor, cpts=assembly.cpts, obj=assembly,
                     details={"point": title})  # fmt: skip
    return item


def add_resolution(assembly: Assembly, actor, *, title: str, text: str = "", secret: bool = False) -> Resolution:
    _require_draft(assembly, "la liste des résolutions")
    title, text = (title or "").strip(), (text or "").strip()
    require(title, "Indiquez l'intitulé de la résolution.")
    require(len(title) <= 200, "L'intitulé de la résolution est trop long (200 caractères au plus).")
    require(len(text) <= TEXT_MAX, f"Le texte de la résolution est trop long ({TEXT_MAX} caractères au plus).")
    with transaction.atomic():
        count = assembly.resolutions.count()
        require(count < MAX_RESOLUTIONS, f"Une assemblée vote {MAX_RESOLUTIONS} résolutions au plus.")
        resolution = Resolution.objects.create(
            assembly=assembly, order=count + 1, title=title, text=text, secret=bool(secret)
        )
        audit.record("association.assembly.resolution_added", actor=actor, cpts=assembly.cpts, obj=assembly,
                     details={"résolution": title, "secret": bool(secret)})  # fmt: skip
    return resolution


def remove_item(assembly: Assembly, actor, *, agenda_item=None, resolution=None) -> None:
    """Removes a point of the agenda or a resolution (before the convocation), the others renumbered."""
    target = agenda_item or resolution
    require(target is not None and target.assembly_id == assembly.pk, "Ce point n'est pas de cette assemblée.")
    _require_draft(assembly, "l'ordre du jour")
    with transaction.atomic():
        target.delete()
        siblings = assembly.agenda.all() if agenda_item is not None else assembly.resolutions.all()
        for n, sibling in enumerate(siblings.order_by("order", "id"), start=1):
            if sibling.order != n:
                type(sibling).objects.filter(pk=sibling.pk).update(order=n)
        audit.record("association.assembly.item_removed", actor=actor, cpts=assembly.cpts, obj=assembly,
                     details={"intitulé": target.title})  # fmt: skip


def attach_document(assembly: Assembly, actor, upload) -> AssemblyDocument:
    require(upload is not None, "Choisissez un fichier à joindre.")
    require(
        assembly.status not in (AssemblyStatus.CLOSED, AssemblyStatus.CANCELLED),
        f"Cette assemblée est « {assembly.get_status_display()} » : elle ne reçoit plus de document.",
    )
    errors = documents.problems(upload)
    require(not errors, " ".join(errors))
    document = None
    try:
        with transaction.atomic():
            require(assembly.documents.count() < MAX_DOCUMENTS, f"{MAX_DOCUMENTS} documents au plus par assemblée.")
            name = documents.clean_name(upload.name)
            document = AssemblyDocument(assembly=assembly, file_name=name, file_size=upload.size,
                                        uploaded_by=audit.user_or_none(actor))  # fmt: skip
            document.file.save(name, upload, save=False)
            document.save()
            audit.record("association.assembly.document_added", actor=actor, cpts=assembly.cpts, obj=assembly,
                         details={"fichier": name, "taille": upload.size})  # fmt: skip
    except Exception:
        # The row rolled back: the file written for it must not stay behind on disk.
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def open_document(document: AssemblyDocument, user):
    """The file opened for reading, its download audited (opened first: a file missing on disk
    raises FileNotFoundError and no download is logged)."""
    handle = document.file.open("rb")
    with transaction.atomic():
        audit.record("association.assembly.document_downloaded", actor=user, cpts=document.assembly.cpts,
                     obj=document.assembly, details={"fichier": document.file_name})  # fmt: skip
    return handle


# Moving the state


def _move(assembly: Assembly, target: str, actor, note: str = "", **changes) -> None:
    source = assembly.status
    done = Assembly.objects.filter(pk=assembly.pk, status=source).update(
        status=target, status_changed_at=timezone.now(), version=F("version") + 1, **changes
    )
    require(done, STALE)
    assembly.status = target
    for name, value in changes.items():
        setattr(assembly, name, value)
    assembly.refresh_from_db(fields=["version", "status_changed_at"])
    log_transition(AssemblyTransition, actor=actor, source=source, target=target, note=note, assembly=assembly)


def _refuse_move(assembly: Assembly, target: str, verb: str) -> None:
    require(
        assembly_allowed(assembly.status, target),
        f"Cette assemblée est « {assembly.get_status_display()} » : elle ne peut pas être {verb}.",
    )


def _locked(assembly, expected_version, target, verb) -> None:
    versioning.lock_and_check(assembly, expected_version)
    assembly.refresh_from_db(fields=["status"])
    _refuse_move(assembly, target, verb)


def convene(assembly: Assembly, actor, *, expected_version=None, today=None, send=True) -> int:
    """Convenes the assembly: every voting member (for a board meeting, the board) is put on its
    list and emailed the agenda and a link; refused within the statutory delay. Returns the number
    of members convened. `today` and `send=False`: the demo's past assemblies (no email)."""
    _refuse_move(assembly, AssemblyStatus.CONVENED, "convoquée")
    statutes = statutes_module.of(assembly.cpts)
    today = today or timezone.localdate()
    day = timezone.localtime(assembly.starts_at).date()
    delay = statutes.convocation_days
    require(
        day >= today + timedelta(days=delay),
        f"Les statuts demandent de convoquer {plural(delay, 'jour')} au moins avant l'assemblée : "
        f"une assemblée du {rules.long_date(day)} se convoque au plus tard le "
        f"{rules.long_date(day - timedelta(days=delay))}. Reportez sa date.",
    )
    agenda = list(assembly.agenda.order_by("order", "id"))
    require(agenda, "Ajoutez au moins un point à l'ordre du jour avant de convoquer.")
    members = list(rules.electorate(assembly))
    who = "administrateur" if assembly.is_board else "adhérent à jour de sa cotisation"
    require(members, f"Aucun {who} à convoquer.")
    resolutions = list(assembly.resolutions.order_by("order", "id"))
    with transaction.atomic(), mail.batch():
        _locked(assembly, expected_version, AssemblyStatus.CONVENED, "convoquée")
        colleges = {c.pk: c.vote_weight for c in assembly.cpts.colleges.all()}
        _move(
            assembly, AssemblyStatus.CONVENED, actor,
            convened_at=timezone.now(), quorum_percent=rules.quorum_of(statutes, assembly.kind),
            majority_percent=rules.majority_of(statutes, assembly.kind), max_proxies=statutes.max_proxies,
            weighted=statutes.weighted_votes and not assembly.is_board,
            weights={str(pk): weight for pk, weight in colleges.items()},
        )  # fmt: skip
        Attendance.objects.bulk_create(
            Attendance(assembly=assembly, member=m, college_id=m.college_id, email_sent=send and bool(m.contact_email))
            for m in members
        )
        subject, body = _convocation(assembly, agenda, resolutions)
        for member in members if send else ():
            mail.send_after_commit(member.contact_email, subject, body)
        audit.record(
            "association.assembly.convened", actor=actor, cpts=assembly.cpts, obj=assembly,
            details={"convoqués": len(members), "courriels": sum(1 for m in members if m.contact_email) if send else 0,
                     "date": rules.when(assembly.starts_at)},
        )  # fmt: skip
    return len(members)


def _convocation(assembly, agenda, resolutions) -> tuple[str, str]:
    from django.urls import reverse

    cpts = assembly.cpts
    kind = assembly.get_kind_display()
    link = mail.site_link(reverse("www:member_space_assembly", args=[cpts.slug, assembly.pk]))
    lines = [
        "Bonjour,",
        "",
        f"L'association {cpts.name} vous convoque à son {kind}, le {rules.when(assembly.starts_at)}, "
        f"lieu : {assembly.place}.",
        "",
        "Ordre du jour :",
        *[f"{n}. {item.title}" for n, item in enumerate(agenda, start=1)],
    ]  # fmt: skip
    if resolutions:
        lines += ["", "Résolutions soumises au vote :", *[f"{r.order}. {r.title}" for r in resolutions]]
    if assembly.has_online_vote:
        lines += [
            "",
            f"Si vous ne pouvez pas venir, vous pouvez voter en ligne du {rules.when(assembly.vote_opens_at)} "
            f"au {rules.when(assembly.vote_closes_at)}, ou donner pouvoir à un autre adhérent.",
        ]
    lines += ["", f"Les documents et le vote sont dans votre espace adhérent : {link}", "", "Maillage"]
    return f"Convocation : {assembly.title}", "\n".join(lines)


def hold(assembly: Assembly, actor, *, expected_version=None, now=None) -> Assembly:
    """The session opens: the quorum is counted on the attendance recorded (present, represented,
    voted online). Reached: held, the room's votes can be recorded. Not reached: « carence »."""
    from maillage.association.tally import attendance_figures

    now = now or timezone.now()
    _refuse_move(assembly, AssemblyStatus.HELD, "déclarée tenue")
    require(
        timezone.localtime(assembly.starts_at).date() <= timezone.localtime(now).date(),
        f"Cette assemblée est convoquée le {rules.when(assembly.starts_at)} : elle ne peut pas être déclarée "
        "tenue avant ce jour.",
    )
    with transaction.atomic():
        _locked(assembly, expected_version, AssemblyStatus.HELD, "déclarée tenue")
        figures = attendance_figures(assembly)
        target = AssemblyStatus.HELD if figures.quorum_reached else AssemblyStatus.LACKING
        changes = {"quorum_reached": figures.quorum_reached}
        if assembly.has_online_vote and assembly.vote_closes_at > now and assembly.vote_opens_at < now:
            changes["vote_closes_at"] = now  # the session ends the online vote
        _move(assembly, target, actor, **changes)
        audit.record(
            "association.assembly.held" if figures.quorum_reached else "association.assembly.lacking",
            actor=actor, cpts=assembly.cpts, obj=assembly,
            details={"convoqués": figures.electorate, "présents": figures.present,
                     "représentés": figures.represented, "à distance": figures.remote,
                     "quorum": f"{figures.needed} ({assembly.quorum_percent} %)"},
        )  # fmt: skip
    return assembly


def close(assembly: Assembly, actor, *, expected_version=None) -> Assembly:
    """The session is over: the votes stop, the minutes are final."""
    _refuse_move(assembly, AssemblyStatus.CLOSED, "close")
    with transaction.atomic():
        _locked(assembly, expected_version, AssemblyStatus.CLOSED, "close")
        _move(assembly, AssemblyStatus.CLOSED, actor)
        audit.record("association.assembly.closed", actor=actor, cpts=assembly.cpts, obj=assembly)
    return assembly


def cancel(assembly: Assembly, actor, *, note: str = "", expected_version=None) -> Assembly:
    _refuse_move(assembly, AssemblyStatus.CANCELLED, "annulée")
    with transaction.atomic():
        _locked(assembly, expected_version, AssemblyStatus.CANCELLED, "annulée")
        _move(assembly, AssemblyStatus.CANCELLED, actor, note=note)
        audit.record("association.assembly.cancelled", actor=actor, cpts=assembly.cpts, obj=assembly,
                     details={"motif": (note or "").strip()[:255]})  # fmt: skip
    return assembly


def require_not_closed(assembly) -> None:
    if assembly.status == AssemblyStatus.CLOSED:
        raise AssociationError("Cette assemblée est close : plus aucun vote ne s'enregistre.")

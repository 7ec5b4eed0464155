"""Protocols: written as drafts, validated by the group, put in use, reviewed, superseded by a new
version, retired. Every move follows `PROTOCOL_TRANSITIONS` under a row lock and is logged
(`ProtocolTransition`) with one audit entry."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.models import log_transition
from maillage.quality import library
from maillage.quality.actions import QualityError, check_fiche, check_professional, require
from maillage.quality.models import PeerGroup, Protocol, ProtocolReview, ProtocolTransition
from maillage.quality.states import MOVE_LABELS, PROTOCOL_TRANSITIONS, Profession, ProtocolStatus

TITLE_MAX, SUMMARY_MAX = 200, 4000
S = ProtocolStatus


@dataclass
class ProtocolDraft:
    title: str
    summary: str = ""
    professions: list[str] = field(default_factory=list)
    authors: list = field(default_factory=list)
    fiche: object = None


def _check_draft(cpts, draft: ProtocolDraft) -> str:
    title = (draft.title or "").strip()
    require(title, "Indiquez l'intitulé du protocole.")
    require(len(title) <= TITLE_MAX, f"L'intitulé est trop long ({TITLE_MAX} caractères au plus).")
    require(len(draft.summary or "") <= SUMMARY_MAX, f"L'objet est trop long ({SUMMARY_MAX} caractères au plus).")
    require(draft.professions, "Cochez les professions concernées par le protocole.")
    require(set(draft.professions) <= set(Profession.values), "Choisissez les professions dans la liste.")
    require(draft.authors, "Nommez au moins un auteur du protocole.")
    for person in draft.authors:
        check_professional(cpts, person)
    check_fiche(cpts, draft.fiche)
    return title


def create_protocol(cpts, draft: ProtocolDraft, actor=None) -> Protocol:
    title = _check_draft(cpts, draft)
    with transaction.atomic():
        protocol = Protocol.objects.create(
            cpts=cpts,
            title=title,
            summary=(draft.summary or "").strip(),
            professions=sorted(set(draft.professions)),
            fiche=draft.fiche,
        )
        protocol.authors.set(draft.authors)
        log_transition(ProtocolTransition, actor=actor, source="", target=S.DRAFT, protocol=protocol)
        audit.record("quality.protocol.created", actor=actor, cpts=cpts, obj=protocol, details={"version": 1})
    return protocol


def edit_protocol(protocol: Protocol, draft: ProtocolDraft, actor=None) -> Protocol:
    title = _check_draft(protocol.cpts, draft)
    with transaction.atomic():
        protocol = _locked(protocol)
        require(
            protocol.status == S.DRAFT,
            "Seul un brouillon se modifie : pour changer un protocole validé ou en usage, "
            "créez-en une nouvelle version.",
        )
        protocol.title, protocol.summary = title, (draft.summary or "").strip()
        protocol.professions, protocol.fiche = sorted(set(draft.professions)), draft.fiche
        protocol.save(update_fields=["title", "summary", "professions", "fiche"])
        protocol.authors.set(draft.authors)
        audit.record("quality.protocol.edited", actor=actor, cpts=protocol.cpts, obj=protocol)
    return protocol


def _locked(protocol: Protocol) -> Protocol:
    return Protocol.objects.select_for_update().select_related("cpts").get(pk=protocol.pk)


def attach_file(protocol: Protocol, upload, actor=None) -> Protocol:
    require(upload is not None, "Choisissez le fichier du protocole.")
    errors = library.ACCEPTED.problems(upload)
    if errors:
        raise QualityError(" ".join(errors))
    name = library.clean_name(upload.name)
    previous, written = protocol.file.name, None
    storage = protocol.file.storage
    try:
        with transaction.atomic():
            protocol = _locked(protocol)
            require(
                protocol.status in (S.DRAFT, S.VALIDATED),
                "Le fichier d'un protocole en usage ou retiré ne change plus : créez une nouvelle version.",
            )
            protocol.file.save(name, upload, save=False)
            written = protocol.file.name
            protocol.file_name, protocol.file_size = name, upload.size
            protocol.save(update_fields=["file", "file_name", "file_size"])
            audit.record(
                "quality.protocol.file_attached",
                actor=actor,
                cpts=protocol.cpts,
                obj=protocol,
                details={"fichier": name, "taille": upload.size},
            )
    except Exception:
        if written:  # the row rolled back: the file written for it must not stay behind
            storage.delete(written)
        raise
    if previous:
        transaction.on_commit(lambda: storage.delete(previous))
    return protocol


def validate(
    protocol: Protocol,
    *,
    validators: list,
    validated_on: date | None,
    next_review_on: date | None,
    group: PeerGroup | None = None,
    actor=None,
) -> Protocol:
    """The group validates the draft: at least one validator named, the date, the next review."""
    require(
        validators,
        "Un protocole validé par personne n'est pas validé : nommez au moins un professionnel qui l'a validé.",
    )
    require(validated_on is not None, "Indiquez la date de validation.")
    require(validated_on <= timezone.localdate(), "La date de validation ne peut pas être dans le futur.")
    require(next_review_on is not None, "Indiquez la date de la prochaine révision.")
    require(next_review_on > validated_on, "La prochaine révision vient après la validation.")
    for person in validators:
        check_professional(protocol.cpts, person)
    require(group is None or group.cpts_id == protocol.cpts_id, "Ce groupe n'est pas un groupe de la CPTS.")
    with transaction.atomic():
        protocol = _locked(protocol)
        _check_move(protocol, S.VALIDATED)
        protocol.validated_on, protocol.next_review_on = validated_on, next_review_on
        protocol.validating_group = group
        protocol.status = S.VALIDATED
        protocol.save(update_fields=["validated_on", "next_review_on", "validating_group", "status"])
        protocol.validators.set(validators)
        names = ", ".join(p.full_name for p in validators)
        log_transition(
            ProtocolTransition, actor=actor, source=S.DRAFT, target=S.VALIDATED, protocol=protocol,
            note=f"validé par {names}",
        )  # fmt: skip
        audit.record(
            "quality.protocol.validated",
            actor=actor,
            cpts=protocol.cpts,
            obj=protocol,
            details={"validé par": names, "validé le": validated_on.isoformat()},
        )
    return protocol


def _check_move(protocol: Protocol, target: str) -> None:
    require(
        target in PROTOCOL_TRANSITIONS.get(protocol.status, ()),
        f"Un protocole « {protocol.get_status_display()} » ne peut pas passer à l'état « {S(target).label} ».",
    )


def move(protocol: Protocol, target: str, actor=None, *, note: str = "") -> Protocol:
    """Put in use, back to draft, or retire. A version put in use retires the one it supersedes, which
    counts as that one's review."""
    require(target in MOVE_LABELS, "Choisissez un changement d'état.")
    with transaction.atomic():
        protocol = _locked(protocol)
        _check_move(protocol, target)
        if target == S.IN_USE:
            require(protocol.file, "Déposez le fichier du protocole avant de le mettre en usage.")
        source = protocol.status
        protocol.status = target
        protocol.save(update_fields=["status"])
        log_transition(ProtocolTransition, actor=actor, source=source, target=target, protocol=protocol, note=note)
        retired = _supersede(protocol, actor) if target == S.IN_USE else None
        audit.record(
            "quality.protocol.moved",
            actor=actor,
            cpts=protocol.cpts,
            obj=protocol,
            details={"de": source, "vers": target, **({"remplace": str(retired)} if retired else {})},
        )
    return protocol


def _supersede(protocol: Protocol, actor) -> Protocol | None:
    old = protocol.supersedes
    if old is None:
        return None
    old = Protocol.objects.select_for_update().get(pk=old.pk)
    if old.status != S.IN_USE:
        return None
    today = timezone.localdate()
    old.status = S.RETIRED
    old.save(update_fields=["status"])
    log_transition(
        ProtocolTransition, actor=actor, source=S.IN_USE, target=S.RETIRED, protocol=old,
        note=f"remplacé par la version {protocol.number}",
    )  # fmt: skip
    ProtocolReview.objects.create(
        protocol=old, cpts=old.cpts, due_on=old.next_review_on or today, reviewed_on=today,
        next_review_on=protocol.next_review_on, note=f"remplacé par la version {protocol.number}",
        author=audit.user_or_none(actor),
    )  # fmt: skip
    return old


def review(protocol: Protocol, *, reviewed_on: date | None, next_review_on: date | None, note="", actor=None):
    """The group reviewed the protocol in use and keeps it as it is until `next_review_on`."""
    require(reviewed_on is not None, "Indiquez la date de la révision.")
    require(reviewed_on <= timezone.localdate(), "La date de révision ne peut pas être dans le futur.")
    require(next_review_on is not None and next_review_on > reviewed_on, "La révision suivante vient après celle-ci.")
    require(len(note or "") <= 255, "La conclusion est trop longue (255 caractères au plus).")
    with transaction.atomic():
        protocol = _locked(protocol)
        require(protocol.status == S.IN_USE, "Seul un protocole en usage se révise.")
        row = ProtocolReview.objects.create(
            protocol=protocol, cpts=protocol.cpts, due_on=protocol.next_review_on or reviewed_on,
            reviewed_on=reviewed_on, next_review_on=next_review_on, note=(note or "").strip(),
            author=audit.user_or_none(actor),
        )  # fmt: skip
        protocol.next_review_on = next_review_on
        protocol.save(update_fields=["next_review_on"])
        audit.record(
            "quality.protocol.reviewed",
            actor=actor,
            cpts=protocol.cpts,
            obj=protocol,
            details={"revu le": reviewed_on.isoformat(), "dans les délais": reviewed_on <= row.due_on},
        )
    return protocol


def new_version(protocol: Protocol, actor=None) -> Protocol:
    """A draft of the next version, copied from this one (title, object, professions, authors)."""
    with transaction.atomic():
        protocol = _locked(protocol)
        require(
            protocol.status == S.IN_USE,
            "Une nouvelle version part du protocole en usage (un brouillon se modifie, un protocole validé peut "
            "revenir au brouillon).",
        )
        pending = Protocol.objects.filter(supersedes=protocol, status__in=(S.DRAFT, S.VALIDATED)).first()
        require(
            pending is None, f"La version {pending.number if pending else ''} de ce protocole est déjà en préparation."
        )
        draft = Protocol.objects.create(
            cpts=protocol.cpts, title=protocol.title, summary=protocol.summary, number=protocol.number + 1,
            supersedes=protocol, professions=list(protocol.professions), fiche=protocol.fiche,
        )  # fmt: skip
        draft.authors.set(protocol.authors.all())
        log_transition(
            ProtocolTransition, actor=actor, source="", target=S.DRAFT, protocol=draft,
            note=f"nouvelle version de la version {protocol.number}",
        )  # fmt: skip
        audit.record(
            "quality.protocol.created", actor=actor, cpts=protocol.cpts, obj=draft, details={"version": draft.number}
        )
    return draft


def open_file(protocol: Protocol, actor) -> bytes:
    """The file's bytes; every download is audited. FileNotFoundError when it is missing on disk."""
    require(protocol.file, "Ce protocole n'a pas encore de fichier.")
    with protocol.file.open("rb") as handle:
        body = handle.read()
    with transaction.atomic():
        audit.record(
            "quality.protocol.downloaded",
            actor=actor,
            cpts=protocol.cpts,
            obj=protocol,
            details={"fichier": protocol.file_name},
        )
    return body

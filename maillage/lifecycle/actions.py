"""Writes to a CPTS's lifecycle: dating a milestone, attaching a document, moving the phase.

Each action validates everything first, then writes in one transaction with one audit entry.
The CPTS's `Lifecycle` row is locked for the whole write, so two coordinators dating milestones at
once cannot leave the order broken between them.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from maillage.core import audit, bounds, versioning
from maillage.core.french import day as french_day
from maillage.core.models import log_transition
from maillage.lifecycle import documents
from maillage.lifecycle.milestones import WITH_AMOUNT, Kind, mission_of, predecessors, successors
from maillage.lifecycle.models import Document, Lifecycle, Milestone, PhaseTransition
from maillage.lifecycle.phases import Phase, allowed
from maillage.lifecycle.timeline import dates_of, latest_decision, validation_from
from maillage.territory import published
from maillage.territory.models import Cpts


class LifecycleError(Exception):
    """A refused write; its messages are shown to the coordinator as they are."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__(" ".join(self.messages))


def _locked(cpts) -> Lifecycle:
    Lifecycle.objects.get_or_create(cpts=cpts)
    return Lifecycle.objects.select_for_update().get(cpts=cpts)


def date_problems(kind: str, day: date, dates: dict[str, date], today: date) -> list[str]:
    """Why `kind` may not be dated `day`, given the CPTS's other milestone `dates`."""
    label = Kind(kind).label
    found = []
    if day > today:
        found.append(f"« {label} » : la date {french_day(day)} est dans le futur ; un jalon daté est un jalon réalisé.")
    if mission_of(kind) and Kind.ACI_SIGNED not in dates:
        found.append(f"« {label} » : datez d'abord la signature de l'ACI, dont comptent les échéances des missions.")
    for before in predecessors(kind):
        if before in dates and dates[before] > day:
            found.append(
                f"« {label} » ne peut pas être daté du {french_day(day)}, "
                f"avant « {Kind(before).label} » ({french_day(dates[before])})."
            )
    for after in successors(kind):
        if after in dates and dates[after] < day:
            found.append(
                f"« {label} » ne peut pas être daté du {french_day(day)}, "
                f"après « {Kind(after).label} » ({french_day(dates[after])})."
            )
    return found


def _amount(kind: str, amount) -> tuple[Decimal | None, list[str]]:
    if amount in (None, ""):
        return None, []
    if kind not in WITH_AMOUNT:
        return None, [f"« {Kind(kind).label} » n'a pas de montant."]
    try:
        # Bounded before any arithmetic: 1E+30 cannot be rounded to cents (InvalidOperation).
        value = bounds.decimal(str(amount), max_digits=12, decimal_places=2)
    except ValueError as exc:
        return None, [f"Le montant {exc}"]
    if value < 0:
        return None, ["Le montant ne peut pas être négatif."]
    if value != value.quantize(Decimal("0.01")):
        return None, ["Le montant s'exprime en euros et centimes (deux décimales au plus)."]
    return value, []


def _contract_problems(cpts, kind: str, day: date) -> list[str]:
    """The ACI's signature is one date: a recorded funding contract (maillage/funding) and this
    milestone must say the same."""
    if kind != Kind.ACI_SIGNED:
        return []
    from maillage.funding.terms import contract_of

    contract = contract_of(cpts)
    if contract is None or contract.signed_on == day:
        return []
    return [
        f"« {Kind(kind).label} » : le contrat ACI enregistré dans Financement est signé du "
        f"{french_day(contract.signed_on)} ; corrigez l'une ou l'autre date pour qu'elles concordent."
    ]


def date_milestone(
    cpts: Cpts,
    kind: str,
    day: date,
    *,
    actor,
    amount=None,
    note: str = "",
    today: date | None = None,
    expected_version: int | None = None,
    history: bool = False,
) -> Milestone:
    """Records that the milestone `kind` happened on `day` (and, for the seed funding, its amount).
    Refused (`versioning.StaleEdit`) if the milestone changed since its form was read at
    `expected_version` (0: not dated yet). The ARS's answer is the ARS's to record
    (maillage/lifecycle/ars.py); `history=True` lets the demo load a past one."""
    if kind not in Kind.values:
        raise LifecycleError("Ce jalon n'existe pas.")
    if kind == Kind.ARS_RESPONSE and not history:
        raise LifecycleError(
            "La réponse de l'ARS est enregistrée par l'ARS elle-même, depuis son espace régional ; "
            "sans réponse deux mois après le dépôt, le projet est réputé validé."
        )
    if day is None:
        raise LifecycleError(f"« {Kind(kind).label} » : indiquez la date.")
    today = today or timezone.localdate()
    with transaction.atomic():
        _locked(cpts)
        dates = dates_of(cpts)
        dates.pop(kind, None)
        value, amount_errors = _amount(kind, amount)
        errors = date_problems(kind, day, dates, today) + amount_errors + _contract_problems(cpts, kind, day)
        if errors:
            raise LifecycleError(errors)
        version = versioning.check_and_bump(Milestone.objects.filter(cpts=cpts, kind=kind), expected_version)
        milestone, _ = Milestone.objects.update_or_create(
            cpts=cpts,
            kind=kind,
            defaults={"date": day, "amount": value, "note": (note or "").strip()[:255], "version": version},
        )
        details = {"jalon": kind, "date": day.isoformat()}
        if value is not None:
            details["montant"] = str(value)
        audit.record("lifecycle.milestone.dated", actor=actor, cpts=cpts, obj=milestone, details=details)
    return milestone


def phase_problems(target: str, dates: dict[str, date], today: date, decision=None) -> list[str]:
    """The prerequisites the milestones imply for entering `target` that are not met."""
    missing = []
    if target == Phase.CONCEPTION and Kind.LETTER_OF_INTENT not in dates:
        missing.append("Pour passer en conception, datez la lettre d'intention.")
    if target == Phase.CONTRACTUALISATION:
        for kind in (Kind.STATUTES, Kind.PROJECT_SUBMITTED):
            if kind not in dates:
                missing.append(f"Pour passer en contractualisation, datez « {Kind(kind).label} ».")
    if target == Phase.FONCTIONNEMENT:
        validation = validation_from(dates, decision)
        if validation is None:
            missing.append("Pour passer en fonctionnement, le projet de santé doit avoir été déposé.")
        elif validation.objected_on is not None:
            missing.append(
                "Pour passer en fonctionnement, le projet de santé doit être validé par l'ARS : "
                f"elle a formulé une objection le {french_day(validation.objected_on)} ; déposez le projet révisé."
            )
        elif not validation.validated(today):
            missing.append(
                "Pour passer en fonctionnement, le projet de santé doit être validé par l'ARS "
                f"(réponse de l'ARS, ou son silence jusqu'au {french_day(validation.deemed_on)})."
            )
        if Kind.ACI_SIGNED not in dates:
            missing.append("Pour passer en fonctionnement, datez la signature de l'ACI.")
    return missing


def move_phase(cpts: Cpts, target: str, *, actor, note: str = "", today: date | None = None) -> Lifecycle:
    """Moves the CPTS to `target` along an allowed transition whose prerequisites are met. Entering
    fonctionnement (the ACI is signed) makes the CPTS « constituée »."""
    if target not in Phase.values:
        raise LifecycleError("Cette phase n'existe pas.")
    today = today or timezone.localdate()
    with transaction.atomic():
        lifecycle = _locked(cpts)
        source = lifecycle.phase
        if not allowed(source, target):
            raise LifecycleError(
                f"La CPTS est en phase « {Phase(source).label} » : "
                f"elle ne peut pas passer en « {Phase(target).label} »."
            )
        errors = phase_problems(target, dates_of(cpts), today, latest_decision(cpts))
        if errors:
            raise LifecycleError(errors)
        now = timezone.now()
        lifecycle.phase, lifecycle.phase_changed_at = target, now
        lifecycle.save(update_fields=["phase", "phase_changed_at"])
        log_transition(
            PhaseTransition, actor=actor, source=source, target=target, note=note, at=now, lifecycle=lifecycle
        )
        details = {"de": source, "vers": target}
        if target == Phase.FONCTIONNEMENT and cpts.status != Cpts.Status.ACTIVE:
            Cpts.objects.filter(pk=cpts.pk).update(status=Cpts.Status.ACTIVE)
            published.bump()  # the public map and the API show the status
            cpts.status = Cpts.Status.ACTIVE
            details["statut"] = Cpts.Status.ACTIVE
        audit.record("lifecycle.phase.moved", actor=actor, cpts=cpts, obj=lifecycle, details=details)
    return lifecycle


def attach_document(cpts: Cpts, kind: str, upload, *, actor) -> Document:
    """Stores `upload` (a Django UploadedFile) under MEDIA_ROOT, attached to the milestone `kind`."""
    if kind not in Kind.values:
        raise LifecycleError("Ce jalon n'existe pas.")
    if upload is None:
        raise LifecycleError("Choisissez un fichier à déposer.")
    errors = documents.problems(upload)
    if errors:
        raise LifecycleError(errors)
    name = documents.clean_name(upload.name)
    document = None
    try:
        with transaction.atomic():
            _locked(cpts)
            milestone, _ = Milestone.objects.get_or_create(cpts=cpts, kind=kind)
            document = Document(cpts=cpts, milestone=milestone, name=name, size=upload.size)
            document.uploaded_by = audit.user_or_none(actor)
            document.file.save(name, upload, save=False)
            document.save()
            audit.record(
                "lifecycle.document.uploaded",
                actor=actor,
                cpts=cpts,
                obj=document,
                details={"jalon": kind, "fichier": name, "taille": upload.size},
            )
    except Exception:
        # The row rolled back: the file written for it must not stay behind on disk.
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def open_document(document: Document, *, actor):
    """The stored file, opened for reading; each download is written in the audit log.

    Opened first: a file missing on disk raises FileNotFoundError and no download is logged."""
    handle = document.file.open("rb")
    with transaction.atomic():
        audit.record(
            "lifecycle.document.downloaded",
            actor=actor,
            cpts=document.cpts,
            obj=document,
            details={"jalon": document.milestone.kind, "fichier": document.name},
        )
    return handle

"""Writes of the projet de santé: each one transaction and one audit entry.

Inputs are validated in full (`fiches.clean_*`) before the first write, so a refused edit leaves
nothing half saved. The projet row is locked while it changes, so two coordinators editing at once
are serialised rather than interleaved.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from maillage.core import audit, versioning
from maillage.core.models import log_transition
from maillage.projet import fiches as rules
from maillage.projet import states
from maillage.projet.models import FicheAction, FicheIndicator, ProjetSante, ProjetTransition

TEXT_FIELDS = ["presentation", "governance", "diagnostic_comment"]


class ProjetError(Exception):
    """A refused write; the message is French and says why."""


def current(cpts) -> ProjetSante | None:
    """The CPTS's projet de santé: its latest version, or None before the first edit."""
    return ProjetSante.objects.filter(cpts=cpts).order_by("-version").first()


def _locked_draft(cpts) -> tuple[ProjetSante, bool]:
    """The projet to edit, locked; version 1 is created by the first edit. Call inside a transaction."""
    latest = ProjetSante.objects.select_for_update().filter(cpts=cpts).order_by("-version").first()
    if latest is None:
        try:
            with transaction.atomic():
                return ProjetSante.objects.create(cpts=cpts, version=1), True
        except IntegrityError as exc:  # another coordinator's first edit got there first
            raise ProjetError("Le projet de santé vient d'être créé par ailleurs : rechargez la page.") from exc
    if not states.editable(latest.status):
        raise ProjetError(
            f"Le projet de santé (version {latest.version}) est « {latest.get_status_display()} » : il n'est "
            "plus modifiable. Repassez-le en brouillon ou créez une nouvelle version."
        )
    return latest, False


def start(cpts, actor, diagnostic, *, today=None) -> ProjetSante:
    """Version 1 of the projet, pre-filled from what Maillage knows (`starter.build`): texts, one
    fiche-action per mission, the registry's indicators with their current values as baselines.
    Refused once the projet exists: a draft someone has edited is never overwritten."""
    from maillage.projet import starter

    draft = starter.build(cpts, diagnostic, today or timezone.localdate())
    with transaction.atomic():
        if ProjetSante.objects.select_for_update().filter(cpts=cpts).exists():
            raise ProjetError("Le projet de santé est déjà commencé : modifiez-le plutôt que de le recréer.")
        try:
            with transaction.atomic():
                projet = ProjetSante.objects.create(
                    cpts=cpts,
                    version=1,
                    presentation=draft.presentation,
                    governance=draft.governance,
                    diagnostic_comment=draft.diagnostic_comment,
                )
        except IntegrityError as exc:  # another coordinator started it at the same moment
            raise ProjetError("Le projet de santé vient d'être créé par ailleurs : rechargez la page.") from exc
        indicators = 0
        for item in draft.fiches:  # one fiche per mission: each first of its mission
            fiche = FicheAction.objects.create(
                projet=projet,
                position=1,
                **{name: getattr(item, name) for name in ["mission", *rules.FICHE_TEXTS]},
            )
            FicheIndicator.objects.bulk_create(
                FicheIndicator(fiche=fiche, position=n, code=i.code, label=i.label, unit=i.unit, baseline=i.baseline)
                for n, i in enumerate(item.indicators, start=1)
            )
            indicators += len(item.indicators)
        audit.record(
            "projet.started",
            actor=actor,
            cpts=cpts,
            obj=projet,
            details={"fiches": len(draft.fiches), "indicateurs": indicators},
        )
    return projet


def save_texts(cpts, data: dict, actor, *, expected_version: int | None = None) -> ProjetSante:
    """Refused (`versioning.StaleEdit`) if the texts changed since their form was read at
    `expected_version` (0: before the projet existed)."""
    cleaned = {name: (data.get(name) or "").strip() for name in TEXT_FIELDS if name in data}
    with transaction.atomic():
        texts_version = versioning.check_and_bump(
            ProjetSante.objects.filter(cpts=cpts).order_by("-version"), expected_version
        )
        projet, created = _locked_draft(cpts)
        projet.texts_version = texts_version  # a projet created here starts at it too
        changed = [name for name, value in cleaned.items() if getattr(projet, name) != value]
        for name in changed:
            setattr(projet, name, cleaned[name])
        projet.save()
        audit.record(
            "projet.texts.saved", actor=actor, cpts=cpts, obj=projet, details={"champs": changed, "créé": created}
        )
    return projet


def save_fiche(
    cpts, data: dict, indicators: list[dict], actor, *, fiche: FicheAction | None = None, expected_version=None
) -> FicheAction:
    """Creates (fiche=None) or replaces a fiche-action and its indicators, in the CPTS's draft.
    A replacement is refused (`versioning.StaleEdit`) if the fiche changed since its form was read
    at `expected_version`."""
    try:
        values = rules.clean_fiche(data)
        rows = rules.clean_indicators(indicators)
    except ValidationError as exc:
        raise ProjetError(" ".join(exc.messages)) from exc
    with transaction.atomic():
        projet, created = _locked_draft(cpts)
        if fiche is None:
            last = projet.fiches.filter(mission=values["mission"]).aggregate(n=Max("position"))["n"] or 0
            fiche = FicheAction(projet=projet, position=last + 1)
        elif fiche.projet_id != projet.pk:
            raise ProjetError("Cette fiche-action appartient à une autre version du projet de santé.")
        else:
            versioning.check_and_bump(fiche, expected_version)
        for name, value in values.items():
            setattr(fiche, name, value)
        fiche.save()
        fiche.indicators.all().delete()
        FicheIndicator.objects.bulk_create(
            FicheIndicator(fiche=fiche, position=n, **row) for n, row in enumerate(rows, start=1)
        )
        audit.record(
            "projet.fiche.saved",
            actor=actor,
            cpts=cpts,
            obj=fiche,
            details={"mission": fiche.mission, "indicateurs": len(rows), "projet créé": created},
        )
    return fiche


def delete_fiche(cpts, fiche: FicheAction, actor) -> None:
    with transaction.atomic():
        projet, _ = _locked_draft(cpts)
        if fiche.projet_id != projet.pk:
            raise ProjetError("Cette fiche-action appartient à une autre version du projet de santé.")
        audit.record("projet.fiche.deleted", actor=actor, cpts=cpts, obj=fiche, details={"mission": fiche.mission})
        fiche.delete()


def move(cpts, target: str, actor, *, history: bool = False) -> ProjetSante:
    """Files the projet with the ARS (the coordinator's only move). The ARS's answer is recorded by
    the ARS (maillage/lifecycle/ars.py); `history=True` lets the demo load a past one."""
    from maillage.lifecycle.ars import note_filing

    with transaction.atomic():
        projet = ProjetSante.objects.select_for_update().filter(cpts=cpts).order_by("-version").first()
        if projet is None:
            raise ProjetError("Il n'y a pas encore de projet de santé : rédigez-le d'abord.")
        if target not in states.Status.values or not states.allowed(projet.status, target):
            raise ProjetError(
                f"Le projet de santé est « {projet.get_status_display()} » : ce changement d'état n'est pas possible."
            )
        if target not in states.COORDINATOR_MOVES and not history:
            raise ProjetError(
                "La réponse de l'ARS est enregistrée par l'ARS elle-même ; sans réponse deux mois après le "
                "dépôt, le projet est réputé validé."
            )
        if target == states.Status.SUBMITTED and not history:
            note_filing(cpts, timezone.localdate())
        if target == states.Status.SUBMITTED and not projet.fiches.exists():
            raise ProjetError("Un projet de santé sans fiche-action ne peut pas être déposé : ajoutez-en au moins une.")
        source = projet.status
        projet.status = target
        projet.save(update_fields=["status", "updated_at"])
        log_transition(ProjetTransition, actor=actor, source=source, target=target, projet=projet)
        details = {"de": source, "vers": target}
        audit.record("projet.status.changed", actor=actor, cpts=cpts, obj=projet, details=details)
    return projet


def _validated_by_silence(cpts, projet) -> bool:
    """A filed projet the ARS did not answer within two months is validated (art. L1434-12 CSP)."""
    from maillage.lifecycle.ars import pending

    waiting = pending(cpts, projet)
    return waiting is not None and waiting.tacit(timezone.localdate())


def new_version(cpts, actor) -> ProjetSante:
    """A draft copy of the validated projet (texts, fiches, indicators), to be revised and filed again."""
    with transaction.atomic():
        latest = ProjetSante.objects.select_for_update().filter(cpts=cpts).order_by("-version").first()
        if latest is None or not (latest.status == states.Status.VALIDATED or _validated_by_silence(cpts, latest)):
            raise ProjetError("Une nouvelle version se crée à partir d'un projet de santé validé.")
        draft = ProjetSante.objects.create(
            cpts=cpts, version=latest.version + 1, **{name: getattr(latest, name) for name in TEXT_FIELDS}
        )
        for fiche in latest.fiches.prefetch_related("indicators"):
            kept = list(fiche.indicators.all())
            fiche.pk, fiche.projet = None, draft
            fiche.save()
            FicheIndicator.objects.bulk_create(
                FicheIndicator(fiche=fiche, **{f: getattr(i, f) for f in rules.INDICATOR_FIELDS}) for i in kept
            )
        audit.record(
            "projet.version.created", actor=actor, cpts=cpts, obj=draft, details={"depuis la version": latest.version}
        )
    return draft

"""Adverse events associated with care (EIAS): declared by a member without any patient identity,
analysed in a group session, actions decided and followed until done."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.quality.actions import no_identity, require
from maillage.quality.models import AdverseEvent, EventAction, GroupSession
from maillage.quality.states import EventCategory, EventSeverity, EventStatus

TEXT_MAX, TITLE_MAX, OWNER_MAX = 8000, 200, 200
OLDEST_DAYS = 3 * 365  # an event older than three years is not a « retour d'expérience » any more


@dataclass
class EventDraft:
    occurred_on: date | None
    category: str
    severity: str
    description: str


def declare_event(cpts, draft: EventDraft, actor=None) -> AdverseEvent:
    today = timezone.localdate()
    require(draft.occurred_on is not None, "Indiquez la date de l'événement.")
    require(draft.occurred_on <= today, "La date de l'événement ne peut pas être dans le futur.")
    require(draft.occurred_on >= today - timedelta(days=OLDEST_DAYS), "L'événement date de plus de trois ans.")
    require(draft.category in EventCategory.values, "Choisissez la nature de l'événement.")
    require(draft.severity in EventSeverity.values, "Dites quelles ont été les conséquences pour le patient.")
    description = (draft.description or "").strip()
    require(description, "Décrivez ce qui s'est passé.")
    require(len(description) <= TEXT_MAX, f"La description est trop longue ({TEXT_MAX} caractères au plus).")
    no_identity(description, "Les mots de la description")
    with transaction.atomic():
        event = AdverseEvent.objects.create(
            cpts=cpts,
            occurred_on=draft.occurred_on,
            category=draft.category,
            severity=draft.severity,
            description=description,
            declared_by=audit.user_or_none(actor),
        )
        audit.record(
            "quality.event.declared",
            actor=actor,
            cpts=cpts,
            obj=event,
            details={"nature": draft.category, "conséquences": draft.severity},
        )
    return event


def analyse_event(event: AdverseEvent, *, session: GroupSession | None, analysis: str, actor=None) -> AdverseEvent:
    require(session is not None, "Choisissez la séance du groupe où l'événement a été analysé.")
    require(session.cpts_id == event.cpts_id, "Cette séance n'est pas une séance d'un groupe de la CPTS.")
    require(session.held_on >= event.occurred_on, "La séance choisie a eu lieu avant l'événement.")
    analysis = (analysis or "").strip()
    require(analysis, "Résumez l'analyse : causes, enseignements.")
    require(len(analysis) <= TEXT_MAX, f"L'analyse est trop longue ({TEXT_MAX} caractères au plus).")
    no_identity(analysis, "Les mots de l'analyse")
    with transaction.atomic():
        event = AdverseEvent.objects.select_for_update().get(pk=event.pk)
        event.session, event.analysis = session, analysis
        event.status, event.analysed_on = EventStatus.ANALYSED, session.held_on
        event.save(update_fields=["session", "analysis", "status", "analysed_on"])
        audit.record(
            "quality.event.analysed",
            actor=actor,
            cpts=event.cpts,
            obj=event,
            details={"séance": str(session), "groupe": session.group.name},
        )
    return event


def add_action(event: AdverseEvent, *, title: str, owner: str, due_on: date | None, actor=None) -> EventAction:
    title, owner = (title or "").strip(), (owner or "").strip()
    require(title, "Indiquez l'action décidée.")
    require(len(title) <= TITLE_MAX, f"L'action est décrite trop longuement ({TITLE_MAX} caractères au plus).")
    require(owner, "Indiquez qui en est responsable.")
    require(len(owner) <= OWNER_MAX, f"Le responsable est trop long ({OWNER_MAX} caractères au plus).")
    require(due_on is not None, "Indiquez l'échéance de l'action.")
    no_identity(title, "Les mots de l'action")
    with transaction.atomic():
        action = EventAction.objects.create(event=event, cpts=event.cpts, title=title, owner=owner, due_on=due_on)
        audit.record(
            "quality.event.action_added",
            actor=actor,
            cpts=event.cpts,
            obj=event,
            details={"action": title, "échéance": due_on.isoformat()},
        )
    return action


def mark_done(action: EventAction, *, done_on: date | None = None, actor=None) -> EventAction:
    done_on = done_on or timezone.localdate()
    require(done_on <= timezone.localdate(), "Une action se marque faite une fois faite : sa date est passée.")
    with transaction.atomic():
        action = EventAction.objects.select_for_update().select_related("event").get(pk=action.pk)
        require(action.done_on is None, f"L'action « {action.title} » est déjà faite.")
        action.done_on = done_on
        action.save(update_fields=["done_on"])
        audit.record(
            "quality.event.action_done",
            actor=actor,
            cpts=action.cpts,
            obj=action.event,
            details={"action": action.title, "faite le": done_on.isoformat()},
        )
    return action

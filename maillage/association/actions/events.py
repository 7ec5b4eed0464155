"""Writes of the CPTS's calendar: an event planned or changed by the coordination, a member's
registration and its withdrawal, and a member's private calendar address. One transaction, one
audit entry each; a refusal raises `AssociationError` with a French message."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from maillage.association.actions import require
from maillage.association.models import CalendarToken, Event, Member, Registration
from maillage.core import audit
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.french import plural

TITLE_MAX, PLACE_MAX, TEXT_MAX, CAPACITY_MAX = 200, 200, 4000, 100_000


@dataclass
class EventDraft:
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    description: str = ""
    capacity: int | None = None
    public: bool = False


def _check(draft: EventDraft) -> dict:
    require(draft.kind in Event.Kind.values, "Choisissez le type de l'événement.")
    title, place = (draft.title or "").strip(), (draft.place or "").strip()
    description = (draft.description or "").strip()
    require(title, "Indiquez l'intitulé de l'événement.")
    require(len(title) <= TITLE_MAX, f"L'intitulé est trop long ({TITLE_MAX} caractères au plus).")
    require(place, "Indiquez le lieu de l'événement (ou « en visioconférence »).")
    require(len(place) <= PLACE_MAX, f"Le lieu est trop long ({PLACE_MAX} caractères au plus).")
    require(len(description) <= TEXT_MAX, f"La présentation est trop longue ({TEXT_MAX} caractères au plus).")
    require(isinstance(draft.starts_at, datetime), "Indiquez la date et l'heure du début.")
    require(isinstance(draft.ends_at, datetime), "Indiquez la date et l'heure de la fin.")
    require(MIN_YEAR <= draft.starts_at.year <= MAX_YEAR, f"La date doit être entre {MIN_YEAR} et {MAX_YEAR}.")
    require(draft.ends_at >= draft.starts_at, "La fin de l'événement est avant son début.")
    require((draft.ends_at - draft.starts_at).days < 31, "Un événement dure moins d'un mois.")
    require(
        draft.capacity is None or 1 <= draft.capacity <= CAPACITY_MAX,
        f"Le nombre de places est entre 1 et {CAPACITY_MAX:,} (laissez vide pour ne pas le limiter).".replace(
            ",", "\u202f"
        ),
    )
    return {
        "kind": draft.kind,
        "title": title,
        "place": place,
        "description": description,
        "starts_at": draft.starts_at,
        "ends_at": draft.ends_at,
        "capacity": draft.capacity,
        "public": bool(draft.public),
    }


def plan_event(cpts, draft: EventDraft, actor) -> Event:
    fields = _check(draft)
    with transaction.atomic():
        event = Event.objects.create(cpts=cpts, created_by=audit.user_or_none(actor), **fields)
        audit.record(
            "association.event.planned",
            actor=actor,
            cpts=cpts,
            obj=event,
            details={"type": event.kind, "debut": event.starts_at.isoformat(), "public": event.public},
        )
    return event


def cancel_event(event: Event, actor, now=None) -> Event:
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require(event.cancelled_at is None, "Cet événement est déjà annulé.")
        event.cancelled_at = now
        event.version += 1
        event.save(update_fields=["cancelled_at", "version"])
        audit.record("association.event.cancelled", actor=actor, cpts=event.cpts, obj=event)
    return event


def register(event: Event, member: Member, actor, now=None) -> Registration:
    """The member takes a place. The event's row is locked, so two members taking the last place
    at once cannot both have it."""
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require(member is not None and member.cpts_id == event.cpts_id, "Cet événement n'est pas de votre CPTS.")
        require(
            member.votes, "Votre adhésion n'est pas à jour : l'inscription aux événements est réservée aux adhérents."
        )
        require(event.cancelled_at is None, "Cet événement est annulé.")
        require(event.starts_at > now, "Cet événement a déjà commencé : les inscriptions sont closes.")
        require(
            not event.registrations.filter(member=member).exists(),
            "Vous êtes déjà inscrit à cet événement.",
        )
        taken = event.registrations.count()
        require(
            event.capacity is None or taken < event.capacity,
            f"L'événement est complet ({plural(event.capacity or 0, 'place')}) : l'inscription n'est plus possible.",
        )
        registration = Registration.objects.create(event=event, member=member, created_at=now)
        audit.record(
            "association.event.registered",
            actor=actor,
            cpts=event.cpts,
            obj=event,
            details={"adherent": member.reference},
        )
    return registration


def unregister(event: Event, member: Member, actor, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update().get(pk=event.pk)
        require(event.starts_at > now, "Cet événement a déjà commencé : l'inscription ne peut plus être retirée.")
        deleted, _ = Registration.objects.filter(event=event, member=member).delete()
        require(deleted, "Vous n'êtes pas inscrit à cet événement.")
        audit.record(
            "association.event.unregistered",
            actor=actor,
            cpts=event.cpts,
            obj=event,
            details={"adherent": member.reference},
        )


def renew_calendar(member: Member, actor) -> CalendarToken:
    """A new private address of the calendar; the previous one stops working."""
    with transaction.atomic():
        token, _ = CalendarToken.objects.update_or_create(
            member=member, defaults={"token": CalendarToken.new_token(), "created_at": timezone.now()}
        )
        audit.record("association.calendar.renewed", actor=actor, cpts=member.cpts, obj=member)
    return token


def revoke_calendar(member: Member, actor) -> bool:
    with transaction.atomic():
        deleted, _ = CalendarToken.objects.filter(member=member).delete()
        if deleted:
            audit.record("association.calendar.revoked", actor=actor, cpts=member.cpts, obj=member)
    return bool(deleted)

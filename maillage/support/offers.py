"""Writes of the installation offers: posted by a member, a commune's representative or the
coordination (on its own or a member's behalf), validated (published) or refused by the
coordination, marked filled or withdrawn. One transaction, one audit entry and one transition row
each; a refusal raises `SupportError` with a French message before anything is written."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from maillage.core import audit
from maillage.core.models import log_transition
from maillage.support import SupportError, require
from maillage.support.models import OFFER_MOVES, PROFESSIONS, Offer, OfferKind, OfferStatus, OfferTransition

TITLE_MAX, TEXT_MAX, NAME_MAX, PHONE_MAX, POSITIONS_MAX = 150, 4000, 150, 30, 50
# An offer stays on the public page a year at most: past that it is renewed by posting it again.
LONGEST = timedelta(days=366)


@dataclass
class OfferDraft:
    kind: str
    title: str
    description: str
    profession: str
    commune_code: str
    expires_on: date | None
    contact_name: str
    contact_email: str = ""
    contact_phone: str = ""
    starts_on: date | None = None
    positions: int = 1


def _check(cpts, draft: OfferDraft, today: date) -> dict:
    require(draft.kind in OfferKind.values, "Choisissez le type d'annonce.")
    title, description = (draft.title or "").strip(), (draft.description or "").strip()
    require(title, "Donnez un intitulé à l'annonce.")
    require(len(title) <= TITLE_MAX, f"L'intitulé est trop long ({TITLE_MAX} caractères au plus).")
    require(description, "Décrivez l'offre (lieu, conditions, équipement…).")
    require(len(description) <= TEXT_MAX, f"La description est trop longue ({TEXT_MAX} caractères au plus).")
    require(draft.profession in dict(PROFESSIONS), "Choisissez la profession recherchée.")
    commune = cpts.communes().filter(code=(draft.commune_code or "").strip()).first()
    require(commune is not None, "Choisissez une commune du territoire de la CPTS.")
    require(isinstance(draft.expires_on, date), "Indiquez jusqu'à quand l'annonce est valable.")
    require(draft.expires_on >= today, "La date de fin de l'annonce est déjà passée.")
    require(
        draft.expires_on <= today + LONGEST, "Une annonce est publiée un an au plus : choisissez une date plus proche."
    )
    require(
        draft.starts_on is None or draft.starts_on <= draft.expires_on,
        "La date de début est après la fin de validité de l'annonce.",
    )
    require(
        draft.starts_on is None or draft.starts_on >= today - timedelta(days=366),
        "La date de début est trop ancienne.",
    )
    name = (draft.contact_name or "").strip()
    email, phone = (draft.contact_email or "").strip(), (draft.contact_phone or "").strip()
    require(name, "Indiquez le nom du contact.")
    require(len(name) <= NAME_MAX, f"Le nom du contact est trop long ({NAME_MAX} caractères au plus).")
    require(email or phone, "Indiquez un courriel ou un téléphone pour être contacté (l'un des deux suffit).")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise SupportError(f"Le courriel « {email[:60]} » n'est pas une adresse valide.") from None
    require(len(phone) <= PHONE_MAX, f"Le téléphone est trop long ({PHONE_MAX} caractères au plus).")
    require(not phone or sum(c.isdigit() for c in phone) >= 10, "Le téléphone doit compter au moins 10 chiffres.")
    positions = draft.positions or 1
    require(1 <= positions <= POSITIONS_MAX, f"Le nombre de places est entre 1 et {POSITIONS_MAX}.")
    return {
        "kind": draft.kind,
        "title": title,
        "description": description,
        "profession": draft.profession,
        "commune": commune,
        "expires_on": draft.expires_on,
        "starts_on": draft.starts_on,
        "contact_name": name,
        "contact_email": email,
        "contact_phone": phone,
        "positions": positions,
    }


def post_offer(cpts, draft: OfferDraft, actor, *, on_behalf_of=None, by_coordination=False, now=None) -> Offer:
    """A member's or a commune's offer waits for the coordination's validation; the coordination's
    own is published at once."""
    now = now or timezone.now()
    fields = _check(cpts, draft, timezone.localdate(now))
    require(
        on_behalf_of is None or on_behalf_of.cpts_id == cpts.pk, "Cet adhérent n'est pas de l'association de la CPTS."
    )
    status = OfferStatus.PUBLISHED if by_coordination else OfferStatus.SUBMITTED
    with transaction.atomic():
        offer = Offer.objects.create(
            cpts=cpts,
            status=status,
            posted_by=audit.user_or_none(actor),
            on_behalf_of=on_behalf_of,
            published_at=now if by_coordination else None,
            **fields,
        )
        log_transition(OfferTransition, actor=actor, source="", target=status, offer=offer)
        audit.record(
            "support.offer.posted",
            actor=actor,
            cpts=cpts,
            obj=offer,
            details={"type": offer.kind, "etat": status, "pour": on_behalf_of.reference if on_behalf_of else ""},
        )
    return offer


ACTIONS = {
    OfferStatus.PUBLISHED: "support.offer.published",
    OfferStatus.REFUSED: "support.offer.refused",
    OfferStatus.FILLED: "support.offer.filled",
    OfferStatus.WITHDRAWN: "support.offer.withdrawn",
}


def move(offer: Offer, target: str, actor, *, note: str = "", version: int | None = None, now=None) -> Offer:
    """The offer to `target` (published, refused, filled, withdrawn) if its state allows it."""
    now = now or timezone.now()
    require(target in ACTIONS, "Changement d'état inconnu.")
    note = (note or "").strip()
    require(len(note) <= 255, "Le motif est trop long (255 caractères au plus).")
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        require(
            version is None or version == offer.version,
            "L'annonce a changé depuis l'ouverture de la page : rechargez-la avant de recommencer.",
        )
        source = offer.status
        if target not in OFFER_MOVES[OfferStatus(source)]:
            raise SupportError(
                f"Une annonce {offer.get_status_display()} ne peut pas devenir « {OfferStatus(target).label} »."
            )
        require(
            target != OfferStatus.PUBLISHED or offer.expires_on >= timezone.localdate(now),
            "L'annonce a expiré : elle ne peut plus être publiée.",
        )
        require(target != OfferStatus.REFUSED or note, "Dites pourquoi l'annonce est refusée (le déposant le lira).")
        offer.status = target
        if target == OfferStatus.PUBLISHED:
            offer.published_at = now
        if target == OfferStatus.FILLED:
            offer.filled_at = now
        offer.version += 1
        offer.save(update_fields=["status", "published_at", "filled_at", "version"])
        log_transition(OfferTransition, actor=actor, source=source, target=target, note=note, offer=offer, at=now)
        audit.record(ACTIONS[target], actor=actor, cpts=offer.cpts, obj=offer, details={"de": source, "motif": note})
    return offer

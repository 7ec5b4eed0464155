"""Issue 17 — the crisis's stock ledger: protective equipment and test kits received, distributed
(to a professional of the directory or anyone named in free text), adjusted after a count.

The stock of an item is the sum of its movements, never a copy. A movement locks the item's row,
reads the stock and refuses one that would make it negative (French message, nothing written).
When a movement takes the stock under the item's threshold, the CPTS's coordinators get one email
(background task), and `low_since` records it until the stock is back over the threshold."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.models import User
from maillage.core import audit
from maillage.core.french import plural
from maillage.core.mail import send_after_commit, site_link
from maillage.crisis.models import Crisis, SupplyItem, SupplyMovement
from maillage.crisis.models.response import MAX_QUANTITY, MovementKind
from maillage.crisis.response_centres import ResponseError, require

__all__ = ["ResponseError", "add_item", "move", "stock_of", "with_stock"]

STANDARD_ITEMS = [
    "Masques FFP2",
    "Masques chirurgicaux",
    "Surblouses",
    "Gants (paires)",
    "Tests antigéniques",
    "Autotests",
    "Solution hydroalcoolique (flacons)",
]


def with_stock(queryset):
    """Items annotated with `stock` (sum of movements) and `distributed` (units given out)."""
    return queryset.annotate(
        stock=Coalesce(Sum("movements__delta"), 0),
        distributed=Coalesce(Sum("movements__delta", filter=Q(movements__kind=MovementKind.DISTRIBUTED)), 0),
    )


def stock_of(item: SupplyItem) -> int:
    return item.movements.aggregate(total=Coalesce(Sum("delta"), 0))["total"]


def add_item(crisis: Crisis, actor, *, name: str, threshold) -> SupplyItem:
    name = (name or "").strip()
    require(crisis.status != Crisis.Status.CANCELLED, "Cette crise a été annulée.")
    require(name and len(name) <= 100, "Indiquez l'article (100 caractères au plus).")
    require(
        isinstance(threshold, int) and 0 <= threshold <= MAX_QUANTITY,
        f"Le seuil d'alerte doit être entre 0 et {MAX_QUANTITY:,}.".replace(",", "\u202f"),
    )
    require(not crisis.supply_items.filter(name__iexact=name).exists(), f"L'article « {name} » est déjà dans le stock.")
    with transaction.atomic():
        item = SupplyItem.objects.create(crisis=crisis, name=name, threshold=threshold)
        audit.record(
            "crisis.supply.item_added", actor=actor, cpts=crisis.cpts, obj=item,
            details={"crise": crisis.title, "article": name, "seuil": threshold},
        )  # fmt: skip
    return item


@dataclass
class MovementDraft:
    kind: str
    quantity: int | None  # positive; an adjustment may be negative
    on: date | None
    professional: object = None
    recipient: str = ""
    note: str = ""


def _delta(draft: MovementDraft) -> int:
    require(draft.kind in MovementKind.values, "Choisissez le mouvement (réception, distribution, ajustement).")
    require(isinstance(draft.quantity, int), "Indiquez la quantité.")
    require(abs(draft.quantity) <= MAX_QUANTITY, "Cette quantité est trop grande : vérifiez la saisie.")
    if draft.kind == MovementKind.ADJUSTMENT:
        require(draft.quantity != 0, "Un ajustement ajoute ou retire au moins une unité.")
        return draft.quantity
    require(draft.quantity > 0, "La quantité doit être d'au moins une unité.")
    return -draft.quantity if draft.kind == MovementKind.DISTRIBUTED else draft.quantity


def move(item: SupplyItem, draft: MovementDraft, actor, *, today: date | None = None) -> SupplyMovement:
    today = today or timezone.localdate()
    delta = _delta(draft)
    recipient, note = (draft.recipient or "").strip(), (draft.note or "").strip()
    require(isinstance(draft.on, date), "Indiquez la date du mouvement.")
    require(draft.on <= today, "Cette date est à venir : on enregistre un mouvement une fois fait.")
    require(len(recipient) <= 150 and len(note) <= 250, "Le destinataire ou la note est trop long.")
    if draft.kind == MovementKind.DISTRIBUTED:
        require(draft.professional is not None or recipient, "Indiquez à qui le matériel a été distribué.")
    with transaction.atomic():
        locked = SupplyItem.objects.select_for_update().select_related("crisis__cpts").get(pk=item.pk)
        before = stock_of(locked)
        after = before + delta
        require(
            after >= 0,
            f"Stock insuffisant : il reste {plural(before, 'unité')} de « {locked.name} », "
            f"impossible d'en retirer {-delta}.",
        )
        movement = SupplyMovement.objects.create(
            item=locked, kind=draft.kind, delta=delta, on=draft.on, professional=draft.professional,
            recipient=recipient, note=note, created_by=audit.user_or_none(actor),
        )  # fmt: skip
        audit.record(
            "crisis.supply.moved", actor=actor, cpts=locked.crisis.cpts, obj=locked,
            details={"article": locked.name, "mouvement": movement.get_kind_display(), "quantité": delta,
                     "stock": after, "destinataire": str(draft.professional or recipient)},
        )  # fmt: skip
        _watch_threshold(locked, after)
    return movement


def _watch_threshold(item: SupplyItem, stock: int) -> None:
    """One email to the coordinators when the stock goes under the threshold; ready for the next
    crossing once it is back over it. Runs under the item's lock, inside the movement's transaction."""
    low = stock < item.threshold
    if low and item.low_since is None:
        item.low_since = timezone.now()
        item.save(update_fields=["low_since"])
        cpts = item.crisis.cpts
        link = site_link(reverse("www:crisis_stock", args=[cpts.slug, item.crisis_id]))
        body = (
            f"Le stock de « {item.name} » de la crise « {item.crisis.title} » est passé sous son seuil "
            f"d'alerte : il en reste {stock} (seuil : {item.threshold}).\n\nLe registre des stocks : {link}\n"
        )
        coordinators = User.objects.filter(roles__cpts=cpts, roles__kind="coordinator").values_list("email", flat=True)
        for email in coordinators.distinct():
            send_after_commit(email, f"Stock bas : {item.name}", body)
    elif not low and item.low_since is not None:
        item.low_since = None
        item.save(update_fields=["low_since"])


def low_items(cpts):
    """The items of the CPTS's crises in progress whose stock is under their threshold."""
    items = with_stock(SupplyItem.objects.filter(crisis__cpts=cpts, crisis__status=Crisis.Status.ACTIVE))
    return [item for item in items.select_related("crisis") if item.stock < item.threshold]

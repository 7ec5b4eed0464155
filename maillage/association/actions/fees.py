"""Cotisations: the yearly amounts per collège, the payment settings, and payments recorded by hand
with their receipt number. Each write is one transaction with one audit entry; a refusal raises
`AssociationError` with a French message, with nothing written."""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from maillage.association import status
from maillage.association import statutes as statutes_of
from maillage.association.actions import AssociationError, require
from maillage.association.fees import rate_for
from maillage.association.models import College, FeeRate, Member
from maillage.association.models.fees import MAX_FEE_CENTS, FeeSettings, Payment, PaymentMethod, ReceiptCounter
from maillage.association.money import euros
from maillage.core import audit, versioning
from maillage.core.bounds import MAX_YEAR, MIN_YEAR

# A fee more than this many times the collège's rate is a typing error (a comma forgotten).
ABSURD_FACTOR = 10
REFERENCE_MAX = 100


# Membership years: named by the year they start in (a CPTS whose year starts in September calls
# « 2026 » the year from 1 September 2026 to 31 August 2027).


def year_bounds(statutes, year: int) -> tuple[date, date]:
    return status.membership_year(statutes, date(year, statutes.year_start_month, 1))


def covers(statutes, member, year: int) -> bool:
    """Whether the member's `paid_until` already reaches the end of membership year `year`."""
    return member.paid_until is not None and member.paid_until >= year_bounds(statutes, year)[1]


def unpaid(cpts, statutes, year: int, rates: dict):
    """Validated members, not struck off, of a collège with a fee in `year` (`rates`: {collège id:
    cents}), who have not paid it."""
    _, end = year_bounds(statutes, year)
    paying = [college_id for college_id, cents in rates.items() if cents]
    return (
        Member.objects.of_cpts(cpts)
        .filter(cancelled_on=None, validated_on__isnull=False, college_id__in=paying)
        .filter(Q(paid_until__isnull=True) | Q(paid_until__lt=end))
        .exclude(pk__in=Payment.objects.filter(cpts=cpts, year=year).values("member_id"))
    )


def current_year(statutes, today: date | None = None) -> int:
    return status.membership_year(statutes, today or timezone.localdate())[0].year


def year_label(statutes, year: int) -> str:
    """« 2026 », or « 2026-2027 » when the membership year straddles two calendar years."""
    return str(year) if statutes.year_start_month == 1 else f"{year}-{year + 1}"


def settings_of(cpts) -> FeeSettings:
    found = FeeSettings.objects.filter(cpts=cpts).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return FeeSettings.objects.create(cpts=cpts)
    except IntegrityError:  # made by a concurrent request meanwhile
        return FeeSettings.objects.get(cpts=cpts)


# Rates


def set_rates(cpts, actor, year: int, amounts: dict) -> int:
    """Sets the fee of each collège for `year`: {college id: cents, or None to remove it (nothing
    due)}; 0 is free. Returns how many rates changed."""
    require(MIN_YEAR <= year <= MAX_YEAR, f"L'année est entre {MIN_YEAR} et {MAX_YEAR}.")
    colleges = {c.pk: c for c in College.objects.filter(cpts=cpts)}
    require(set(amounts) <= set(colleges), "Un des collèges n'est pas de cette CPTS.")
    for college_id, cents in amounts.items():
        if cents is not None:
            require(
                0 <= cents <= MAX_FEE_CENTS,
                f"{colleges[college_id].name} : la cotisation est entre 0 (gratuite) et {euros(MAX_FEE_CENTS)}.",
            )
    changes = {}
    with transaction.atomic():
        existing = {r.college_id: r for r in FeeRate.objects.select_for_update().filter(cpts=cpts, year=year)}
        for college_id, cents in amounts.items():
            rate = existing.get(college_id)
            before = rate.amount_cents if rate is not None else None
            if before == cents:
                continue
            if cents is None:
                rate.delete()
            elif rate is None:
                FeeRate.objects.create(cpts=cpts, college_id=college_id, year=year, amount_cents=cents)
            else:
                FeeRate.objects.filter(pk=rate.pk).update(amount_cents=cents)
            changes[colleges[college_id].name] = {"avant": _shown(before), "après": _shown(cents)}
        if changes:
            audit.record(
                "association.fee_rates_set", actor=actor, cpts=cpts, details={"année": year, "collèges": changes}
            )
    return len(changes)


def _shown(cents) -> str:
    if cents is None:
        return "non fixée"
    return "gratuite" if cents == 0 else euros(cents)


def save_settings(cpts, actor, *, payment_url: str, reminder_days: int, expected_version=None) -> FeeSettings:
    require(1 <= reminder_days <= 180, "La relance part entre 1 et 180 jours avant l'échéance.")
    require(
        not payment_url or payment_url.startswith("https://"),
        "L'adresse du paiement en ligne commence par https:// (une page sécurisée).",
    )
    settings = settings_of(cpts)
    with transaction.atomic():
        versioning.check_and_bump(settings, expected_version)
        before = {"adresse": settings.payment_url, "jours": settings.reminder_days}
        FeeSettings.objects.filter(pk=settings.pk).update(payment_url=payment_url, reminder_days=reminder_days)
        settings.payment_url, settings.reminder_days = payment_url, reminder_days
        audit.record(
            "association.fee_settings_saved",
            actor=actor,
            cpts=cpts,
            obj=settings,
            details={"avant": before, "après": {"adresse": payment_url, "jours": reminder_days}},
        )
    return settings


# Payments


@dataclass
class PaymentDraft:
    year: int
    amount_cents: int
    paid_on: date
    method: str
    reference: str = ""


def record_payment(cpts, member: Member, actor, draft: PaymentDraft, today: date | None = None) -> Payment:
    """Records a member's fee for a membership year, gives it the next receipt number of the
    CPTS and year of issue, moves `paid_until` to the end of that year and recomputes the
    member's status (a member in grace becomes current). All or nothing."""
    today = today or timezone.localdate()
    if member.cpts_id != cpts.pk:
        raise AssociationError("Cet adhérent n'est pas de cette CPTS.")
    statutes = statutes_of.of(cpts)
    _check_draft(statutes, member, draft, today)
    try:
        with transaction.atomic():
            locked = Member.objects.select_for_update().get(pk=member.pk)
            _check_member(statutes, locked, draft)
            number = _next_receipt(cpts, today.year)
            payment = Payment.objects.create(
                cpts=cpts, member=locked, year=draft.year, amount_cents=draft.amount_cents, paid_on=draft.paid_on,
                method=draft.method, reference=draft.reference.strip(), receipt_year=today.year,
                receipt_seq=number, recorded_by=audit.user_or_none(actor),
            )  # fmt: skip
            _, end = year_bounds(statutes, draft.year)
            paid_until = max(locked.paid_until or end, end)
            # The member's record changed: an edit form read before is stale (ADR 0017). The row is
            # locked already: the version is bumped with the new end, in one UPDATE.
            Member.objects.filter(pk=locked.pk).update(paid_until=paid_until, version=F("version") + 1)
            locked.paid_until, locked.version = paid_until, locked.version + 1
            status.refresh(locked, actor, today, note=f"cotisation {year_label(statutes, draft.year)} réglée")
            audit.record(
                "association.payment_recorded",
                actor=actor,
                cpts=cpts,
                obj=payment,
                details={
                    "adhérent": locked.reference,
                    "année": draft.year,
                    "montant": euros(draft.amount_cents),
                    "mode": PaymentMethod(draft.method).label,
                    "reçu": payment.receipt_number,
                },
            )
    except IntegrityError as exc:
        raise AssociationError(_integrity_message(exc, draft)) from None
    member.status, member.paid_until, member.version = locked.status, locked.paid_until, locked.version
    return payment


def _check_draft(statutes, member, draft: PaymentDraft, today: date) -> None:
    now = current_year(statutes, today)
    require(
        now - 1 <= draft.year <= now + 1,
        f"L'année d'adhésion réglée est la précédente, la courante ou la suivante "
        f"({year_label(statutes, now - 1)} à {year_label(statutes, now + 1)}).",
    )
    require(draft.method in PaymentMethod.values, "Choisissez le mode de paiement.")
    require(len(draft.reference or "") <= REFERENCE_MAX, f"La référence a au plus {REFERENCE_MAX} caractères.")
    require(draft.amount_cents > 0, "Le montant d'un paiement est supérieur à 0 €.")
    require(
        draft.amount_cents <= MAX_FEE_CENTS,
        f"Le montant de {euros(draft.amount_cents)} est invraisemblable : une cotisation est au plus de "
        f"{euros(MAX_FEE_CENTS)}.",
    )
    require(draft.paid_on <= today, "La date du paiement ne peut pas être dans le futur.")
    start, _ = year_bounds(statutes, draft.year)
    require(
        draft.paid_on.year >= start.year - 1,
        f"Un paiement du {draft.paid_on:%d/%m/%Y} ne peut pas régler la cotisation {year_label(statutes, draft.year)}.",
    )
    rate = rate_for(member, draft.year)
    label = year_label(statutes, draft.year)
    require(
        rate is not None,
        f"Aucune cotisation n'est fixée pour le collège « {member.college.name} » en {label} : fixez-la d'abord "
        "dans la page des cotisations.",
    )
    require(rate > 0, f"La cotisation {label} du collège « {member.college.name} » est gratuite : rien à régler.")
    require(
        draft.amount_cents >= rate,
        f"Le montant ({euros(draft.amount_cents)}) est inférieur à la cotisation {label} du collège "
        f"« {member.college.name} » ({euros(rate)}) : un paiement partiel ne règle pas l'année.",
    )
    require(
        draft.amount_cents <= rate * ABSURD_FACTOR,
        f"Le montant ({euros(draft.amount_cents)}) dépasse de loin la cotisation {label} du collège "
        f"({euros(rate)}) : vérifiez la saisie.",
    )


def _check_member(statutes, member: Member, draft: PaymentDraft) -> None:
    """Under the member's lock: what another payment or a cancellation may have just changed."""
    label = year_label(statutes, draft.year)
    require(
        member.status != Member.Status.CANCELLED and member.cancelled_on is None,
        f"L'adhésion de {member.display_name} est radiée : aucun paiement ne peut y être enregistré.",
    )
    paid = Payment.objects.filter(member=member, year=draft.year).first()
    require(
        paid is None,
        f"La cotisation {label} de {member.display_name} est déjà réglée (reçu {paid.receipt_number})." if paid else "",
    )
    require(
        not covers(statutes, member, draft.year),
        f"La cotisation {label} de {member.display_name} est déjà réglée "
        f"(jusqu'au {member.paid_until:%d/%m/%Y})." if member.paid_until else "",
    )  # fmt: skip


def _next_receipt(cpts, year: int) -> int:
    """The next receipt number of the CPTS in `year`, taken under the counter's row lock: a second
    payment's transaction waits for the first to commit or roll back, so numbers are neither
    shared nor skipped (a rolled-back payment gives its number back)."""
    counter = ReceiptCounter.objects.select_for_update().filter(cpts=cpts, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReceiptCounter.objects.create(cpts=cpts, year=year)
        except IntegrityError:  # a concurrent payment created it first: its row is ours to wait for
            pass
        counter = ReceiptCounter.objects.select_for_update().get(cpts=cpts, year=year)
    counter.last += 1
    ReceiptCounter.objects.filter(pk=counter.pk).update(last=counter.last)
    return counter.last


def _integrity_message(exc: IntegrityError, draft: PaymentDraft) -> str:
    text = str(exc)
    if "unique_fee_receipt_number" in text or "receipt_seq" in text:
        return (
            "Ce numéro de reçu a déjà été attribué à un autre paiement : rien n'a été enregistré. "
            "Réessayez ; si cela se reproduit, signalez-le à l'administrateur de la plateforme."
        )
    if "unique_fee_payment_year" in text or "payment.member_id" in text:
        return f"La cotisation {draft.year} de cet adhérent vient d'être enregistrée par quelqu'un d'autre."
    raise exc

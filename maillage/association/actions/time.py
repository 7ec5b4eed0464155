"""Issue 16 — paying professionals for their time: the CPTS's hourly rates per activity and the
time its members spend (RCP, working groups, the board, trainings…).

A rate applies from a date; a time entry takes the rate in force on its day and keeps it with its
amount (rounded to the cent), so changing a rate never rewrites what was already recorded.
Refused (French message, nothing written): no rate for the activity on that day, a duration of
zero, negative or over 24 hours, a date to come, someone who is not a member of the CPTS."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from maillage.association.actions import require
from maillage.association.models import HourlyRate, Member, TimeEntry
from maillage.association.models.board import MAX_MINUTES, TimeActivity
from maillage.association.money import MAX_CENTS, euros
from maillage.core import audit
from maillage.core.bounds import MAX_YEAR, MIN_YEAR

NOTE_MAX = 300


def rate_on(cpts, activity: str, day: date) -> HourlyRate | None:
    """The rate of `activity` in force on `day` (the latest set from that day or before)."""
    return HourlyRate.objects.filter(cpts=cpts, activity=activity, since__lte=day).order_by("-since").first()


def current_rates(cpts, today: date) -> list[tuple[str, str, HourlyRate | None]]:
    """(activity code, label, rate in force today or None) for every activity."""
    return [(code, label, rate_on(cpts, code, today)) for code, label in TimeActivity.choices]


def amount(minutes: int, rate_cents: int) -> int:
    """The pay for `minutes` at `rate_cents` an hour, rounded to the nearest cent (half up)."""
    return (minutes * rate_cents + 30) // 60


def set_rate(cpts, actor, *, activity: str, amount_cents: int | None, since: date | None) -> HourlyRate:
    require(activity in TimeActivity.values, "Choisissez l'activité.")
    require(isinstance(amount_cents, int), "Indiquez le tarif horaire en euros.")
    require(0 <= amount_cents <= MAX_CENTS, f"Le tarif horaire doit être entre 0 et {euros(MAX_CENTS)}.")
    require(isinstance(since, date), "Indiquez la date à partir de laquelle le tarif s'applique.")
    require(MIN_YEAR <= since.year <= MAX_YEAR, f"La date doit être entre {MIN_YEAR} et {MAX_YEAR}.")
    with transaction.atomic():
        rate, created = HourlyRate.objects.update_or_create(
            cpts=cpts, activity=activity, since=since,
            defaults={"amount_cents": amount_cents, "created_by": audit.user_or_none(actor)},
        )  # fmt: skip
        audit.record(
            "association.rate.set", actor=actor, cpts=cpts, obj=rate,
            details={"activité": rate.get_activity_display(), "tarif_horaire": euros(amount_cents),
                     "à_partir_du": since.isoformat(), "remplace": not created},
        )  # fmt: skip
    return rate


@dataclass
class TimeDraft:
    member: Member | None
    activity: str
    on: date | None
    minutes: int | None
    note: str = ""


def _check_member(cpts, member, on) -> None:
    require(
        isinstance(member, Member) and member.cpts_id == cpts.pk,
        "Cette personne n'est pas adhérente de la CPTS : le temps rétribué est celui de ses adhérents.",
    )
    status = Member.Status
    require(
        member.status != status.PENDING,
        f"L'adhésion de {member.display_name} n'est pas encore validée : validez-la avant de saisir son temps.",
    )
    cancelled = member.status == status.CANCELLED and (member.cancelled_on is None or on > member.cancelled_on)
    require(not cancelled, f"{member.display_name} n'est plus adhérent à cette date (adhésion résiliée).")


def record_time(cpts, draft: TimeDraft, actor, *, today: date | None = None) -> TimeEntry:
    today = today or timezone.localdate()
    note = (draft.note or "").strip()
    require(draft.activity in TimeActivity.values, "Choisissez l'activité.")
    require(isinstance(draft.on, date), "Indiquez la date.")
    require(draft.on <= today, "Cette date est à venir : on saisit le temps une fois passé.")
    require(draft.on.year >= MIN_YEAR, f"La date doit être en {MIN_YEAR} ou après.")
    require(isinstance(draft.minutes, int), "Indiquez la durée en minutes.")
    require(draft.minutes > 0, "La durée doit être d'au moins une minute.")
    require(draft.minutes <= MAX_MINUTES, "La durée dépasse 24 heures (1 440 minutes) : vérifiez la saisie.")
    require(len(note) <= NOTE_MAX, f"La note est trop longue ({NOTE_MAX} caractères au plus).")
    _check_member(cpts, draft.member, draft.on)
    rate = rate_on(cpts, draft.activity, draft.on)
    label = TimeActivity(draft.activity).label
    require(
        rate is not None,
        f"Aucun tarif horaire n'est fixé pour « {label} » au {draft.on:%d/%m/%Y} : fixez-le d'abord (0 € pour du "
        "temps bénévole).",
    )
    with transaction.atomic():
        entry = TimeEntry.objects.create(
            cpts=cpts, member=draft.member, activity=draft.activity, on=draft.on, minutes=draft.minutes, note=note,
            rate_cents=rate.amount_cents, amount_cents=amount(draft.minutes, rate.amount_cents),
            created_by=audit.user_or_none(actor),
        )  # fmt: skip
        audit.record(
            "association.time.recorded", actor=actor, cpts=cpts, obj=entry,
            details={"adhérent": draft.member.display_name, "activité": label, "date": draft.on.isoformat(),
                     "minutes": draft.minutes, "montant": euros(entry.amount_cents)},
        )  # fmt: skip
    return entry


def delete_time(entry: TimeEntry, actor) -> None:
    """A time entry recorded by mistake; the audit log keeps what it said."""
    with transaction.atomic():
        details = {"adhérent": entry.member.display_name, "activité": entry.get_activity_display(),
                   "date": entry.on.isoformat(), "minutes": entry.minutes,
                   "montant": euros(entry.amount_cents)}  # fmt: skip
        audit.record("association.time.deleted", actor=actor, cpts=entry.cpts, obj=entry, details=details)
        TimeEntry.objects.filter(pk=entry.pk).delete()

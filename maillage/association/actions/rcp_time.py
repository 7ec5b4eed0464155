"""Issue 16 — paid time from the RCP: the time each participant spent in the CPTS's held RCP
(maillage/pathways meetings, « temps de participation ») becomes time entries of the members
they are, at the RCP rate of the meeting's day. Only the time: no patient, no clinical content.

A participant counts when they are a professional of the directory who is a member of the CPTS's
association (not an application waiting, not struck off before the meeting) and their time was
recorded. An import run twice adds nothing (each entry keeps its participation as `source`)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from maillage.association.actions import require
from maillage.association.actions.time import amount, rate_on
from maillage.association.models import Member, TimeEntry
from maillage.association.models.board import MAX_MINUTES, TimeActivity
from maillage.association.money import euros
from maillage.core import audit
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.pathways.models import MeetingParticipant
from maillage.pathways.models.meetings import MeetingStatus


@dataclass
class Imported:
    added: int = 0
    already: int = 0
    not_members: int = 0
    cents: int = 0


def _moment(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


def import_rcp_time(cpts, actor, *, start: date | None, end: date | None, today: date | None = None) -> Imported:
    today = today or timezone.localdate()
    require(isinstance(start, date) and isinstance(end, date), "Indiquez la période : du … au ….")
    require(MIN_YEAR <= start.year <= MAX_YEAR and MIN_YEAR <= end.year <= MAX_YEAR,
            f"Les dates de la période sont entre {MIN_YEAR} et {MAX_YEAR}.")  # fmt: skip
    require(start <= end, "Le début de la période est après sa fin.")
    end = min(end, today)
    participations = (
        MeetingParticipant.objects.filter(
            meeting__cpts=cpts, meeting__status=MeetingStatus.HELD, meeting__starts_at__gte=_moment(start),
            meeting__starts_at__lt=_moment(end + timedelta(days=1)), professional__isnull=False, minutes__gt=0,
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "pk")
    )  # fmt: skip
    members = {
        m.professional_id: m
        for m in Member.objects.of_cpts(cpts).filter(professional__isnull=False).exclude(status=Member.Status.PENDING)
    }
    done = set(TimeEntry.objects.filter(cpts=cpts, source__startswith="rcp:").values_list("source", flat=True))
    result = Imported()
    with transaction.atomic():
        for participation in participations:
            day = timezone.localtime(participation.meeting.starts_at).date()
            member = members.get(participation.professional_id)
            cancelled = member is not None and member.status == Member.Status.CANCELLED
            if member is None or (cancelled and (member.cancelled_on is None or day > member.cancelled_on)):
                result.not_members += 1
                continue
            source = f"rcp:{participation.pk}"
            if source in done:
                result.already += 1
                continue
            rate = rate_on(cpts, TimeActivity.RCP, day)
            require(
                rate is not None,
                f"Aucun tarif horaire n'est fixé pour les RCP au {day:%d/%m/%Y} : fixez-le d'abord (0 € pour du "
                "temps bénévole).",
            )
            minutes = min(participation.minutes, MAX_MINUTES)
            entry = TimeEntry.objects.create(
                cpts=cpts, member=member, activity=TimeActivity.RCP, on=day, minutes=minutes,
                note=participation.meeting.title[:300], source=source, rate_cents=rate.amount_cents,
                amount_cents=amount(minutes, rate.amount_cents), created_by=audit.user_or_none(actor),
            )  # fmt: skip
            result.added += 1
            result.cents += entry.amount_cents
        audit.record(
            "association.time.rcp_imported", actor=actor, cpts=cpts,
            details={"du": start.isoformat(), "au": end.isoformat(), "ajoutées": result.added,
                     "déjà_importées": result.already, "non_adhérents": result.not_members,
                     "montant": euros(result.cents)},
        )  # fmt: skip
    return result

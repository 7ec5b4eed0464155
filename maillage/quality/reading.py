"""What the quality pages read: a group's profession mix, the attendance per member and year,
the protocols due for review. A few queries each, whatever the number of rows."""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from maillage.quality.models import GroupMember, Protocol, SessionAttendance
from maillage.quality.states import ProtocolStatus

REVIEW_NOTICE_DAYS = 30  # a protocol whose review is due within a month is on the coordinator's list


def profession_mix(members) -> list[tuple[str, int]]:
    """[(profession, count)] of a group's current members, most represented first."""
    counts = Counter(m.professional.profession_label or "autre profession" for m in members)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


@dataclass
class Attendance:
    professional_id: int
    name: str
    profession: str
    groups: list[str]
    sessions: int
    hours: Decimal


def attendance(cpts, year: int) -> list[Attendance]:
    """Per professional (members of the CPTS's groups, and whoever attended a session that year): the
    sessions attended and the hours spent in `year`."""
    rows = (
        SessionAttendance.objects.filter(session__cpts=cpts, session__held_on__year=year)
        .values("professional_id")
        .annotate(sessions=Count("pk"), hours=Sum("hours"))
    )
    figures = {row["professional_id"]: row for row in rows}
    groups: dict[int, list[str]] = {}
    people = {}
    for member in GroupMember.objects.filter(group__cpts=cpts).select_related("professional", "group"):
        if member.left_on is None or member.left_on.year >= year:
            groups.setdefault(member.professional_id, []).append(member.group.name)
            people[member.professional_id] = member.professional
    missing = set(figures) - set(people)
    if missing:
        from maillage.directory.models import Professional

        people.update({p.pk: p for p in Professional.objects.filter(pk__in=missing)})
    result = [
        Attendance(
            professional_id=pk,
            name=f"{p.last_name} {p.first_name}".strip(),
            profession=p.profession_label,
            groups=sorted(groups.get(pk, [])),
            sessions=figures.get(pk, {}).get("sessions", 0),
            hours=figures.get(pk, {}).get("hours") or Decimal(0),
        )
        for pk, p in people.items()
    ]
    return sorted(result, key=lambda a: (a.name.lower(), a.professional_id))


def due_for_review(cpts, today=None):
    """Protocols in use whose review date is past or within `REVIEW_NOTICE_DAYS`."""
    today = today or timezone.localdate()
    return Protocol.objects.filter(
        cpts=cpts, status=ProtocolStatus.IN_USE, next_review_on__lte=today + timedelta(days=REVIEW_NOTICE_DAYS)
    ).order_by("next_review_on", "pk")

"""Issue 16 — the association's indicators in the registry (section « vie associative », not an
ACI mission). Regional readers see them through `registry.for_region` (counts under 5 hidden, a
share withheld over fewer than 5 people).

Definitions:
- members by collège / by status: the members on the period's last day (today for a period in
  progress) — their status that day read from their status history (`MemberTransition`), the
  voting members (à jour, en période de grâce) by collège;
- share of the territory's professionals who are members: the voting members linked to a
  professional of the directory who works on the territory, per 100 such professionals;
- AG attendance: over the general assemblies (ordinary and extraordinary) held during the period,
  the members present, represented or having voted online per 100 members convened;
- fees collected: the payments recorded during the period (by payment date), in euros."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from maillage.association.models import Assembly, Attendance, College, Member, MemberTransition, Payment
from maillage.association.models.assemblies import AssemblyKind, AssemblyStatus, Presence
from maillage.directory.models import Listing
from maillage.indicators.registry import ASSOCIATION, Direction, Kind, register

BY_COLLEGE = "association.members_by_college"
BY_STATUS = "association.members_by_status"
SHARE = "association.professionals_member_share"
ATTENDANCE = "association.assembly_attendance"
FEES = "association.fees_collected"


def last_day(period) -> date:
    """The period's last day, or today while it runs."""
    return min(period.end - timedelta(days=1), timezone.localdate())


def _members_on(cpts, day: date) -> dict[int, list]:
    """{member id: [status on `day`, collège id, professional id]} of the members created by then:
    the status is the target of their last transition up to that day, or their status now when
    their history says nothing. Two queries, whatever the number of members."""
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    rows = Member.objects.filter(cpts=cpts, created_at__lt=end).values_list(
        "pk", "status", "college_id", "professional_id"
    )
    members = {pk: [status, college, professional] for pk, status, college, professional in rows}
    transitions = MemberTransition.objects.filter(member__cpts=cpts, at__lt=end).order_by("at", "id")
    for member_id, target in transitions.values_list("member_id", "target"):
        if member_id in members:
            members[member_id][0] = target  # the last one wins
    return members


def statuses_on(cpts, day: date) -> dict[int, str]:
    """{member id: status on `day`} (see `_members_on`)."""
    return {pk: row[0] for pk, row in _members_on(cpts, day).items()}


def _voting_on(cpts, period) -> list[list]:
    voting = {Member.Status.CURRENT, Member.Status.GRACE}
    return [row for row in _members_on(cpts, last_day(period)).values() if row[0] in voting]


@register(
    BY_COLLEGE,
    label="Adhérents à jour, par collège",
    mission=ASSOCIATION,
    unit="adhérents",
    kind=Kind.DISTRIBUTION,
    description="Adhérents à jour de leur cotisation ou en période de grâce le dernier jour de la période, "
    "par collège des statuts.",
)
def members_by_college(cpts, period):
    colleges = list(College.objects.filter(cpts=cpts).order_by("order", "pk").values_list("pk", "name"))
    counts = Counter(college for _status, college, _professional in _voting_on(cpts, period))
    return {name: counts[pk] for pk, name in colleges}


@register(
    BY_STATUS,
    label="Adhérents par état de l'adhésion",
    mission=ASSOCIATION,
    unit="adhérents",
    kind=Kind.DISTRIBUTION,
    description="Adhérents le dernier jour de la période selon l'état de leur adhésion : en attente, à jour, "
    "en période de grâce, expirée, radiée.",
)
def members_by_status(cpts, period):
    statuses = statuses_on(cpts, last_day(period))
    return {label: sum(1 for s in statuses.values() if s == code) for code, label in Member.Status.choices}


def _territory_professionals(cpts, period) -> int:
    return Listing.objects.filter(cpts=cpts).count()


@register(
    SHARE,
    label="Part des professionnels du territoire adhérents de la CPTS",
    mission=ASSOCIATION,
    unit="%",
    kind=Kind.PERCENTAGE,
    description="Adhérents à jour (ou en période de grâce) liés à un professionnel de l'annuaire exerçant sur le "
    "territoire, pour 100 professionnels exerçant sur le territoire (annuaire RPPS et ADELI).",
    counts_people=False,
    population=_territory_professionals,
    direction=Direction.HIGHER,
    numerator="professionnels du territoire adhérents",
    denominator="professionnels du territoire",
)
def professionals_member_share(cpts, period):
    total = _territory_professionals(cpts, period)
    if not total:
        return None
    linked = {professional for _status, _college, professional in _voting_on(cpts, period) if professional}
    listed = set(Listing.objects.filter(cpts=cpts).values_list("professional_id", flat=True))
    return round(100 * len(linked & listed) / total, 1)


def _attendance(cpts, period) -> tuple[int, int]:
    """(present, represented or having voted online; convened) over the general assemblies held
    during the period (quorum reached or not; not those planned or cancelled)."""
    held = Assembly.objects.filter(
        cpts=cpts,
        starts_at__gte=period.start_at,
        starts_at__lt=period.end_at,
        status__in=(AssemblyStatus.HELD, AssemblyStatus.LACKING, AssemblyStatus.CLOSED),
    ).exclude(kind=AssemblyKind.BOARD)
    rows = Attendance.objects.filter(assembly__in=held)
    attended = (Presence.PRESENT, Presence.REPRESENTED, Presence.REMOTE)
    figures = rows.aggregate(convened=Count("pk"), attended=Count("pk", filter=Q(presence__in=attended)))
    return figures["attended"], figures["convened"]


def _convened(cpts, period) -> int:
    return _attendance(cpts, period)[1]


@register(
    ATTENDANCE,
    label="Participation aux assemblées générales",
    mission=ASSOCIATION,
    unit="%",
    kind=Kind.PERCENTAGE,
    description="Adhérents présents, représentés ou ayant voté en ligne pour 100 adhérents convoqués, sur les "
    "assemblées générales (ordinaires et extraordinaires) tenues pendant la période.",
    counts_people=False,
    population=_convened,
    direction=Direction.HIGHER,
    numerator="adhérents présents, représentés ou ayant voté en ligne",
    denominator="adhérents convoqués",
)
def assembly_attendance(cpts, period):
    attended, convened = _attendance(cpts, period)
    return round(100 * attended / convened, 1) if convened else None


@register(
    FEES,
    label="Cotisations encaissées",
    mission=ASSOCIATION,
    unit="€",
    kind=Kind.COUNT,
    description="Montant des paiements de cotisation enregistrés pendant la période (date du paiement).",
    counts_people=False,
    population=None,
)
def fees_collected(cpts, period):
    found = Payment.objects.filter(cpts=cpts, paid_on__gte=period.start, paid_on__lt=period.end)
    cents = found.aggregate(total=Sum("amount_cents"))["total"] or 0
    return round(cents / 100, 2)

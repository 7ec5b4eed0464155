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
- fees collected: the payments recorded during the period, in euros.
The last two read the assemblies' and the fees' models by name (`apps.get_model`): without them
(an instance where those parts are not installed) they have no value."""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db.models import Sum
from django.utils import timezone

from maillage.association.models import College, Member, MemberTransition
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


# The assemblies' states and presences (maillage/association/models/assemblies.py) read by value.
HELD = ("held", "lacking", "closed")
ATTENDED = ("present", "represented", "remote")


def _model(name: str):
    try:
        return apps.get_model("association", name)
    except LookupError:
        return None


def _field(model, *names: str) -> str | None:
    fields = {f.name for f in model._meta.get_fields()}
    return next((name for name in names if name in fields), None)


def _assemblies_held(cpts, period):
    """The general assemblies of the period, or None when the assemblies' part is not installed."""
    assembly = _model("Assembly")
    if assembly is None:
        return None
    when = _field(assembly, "held_on", "date", "starts_at", "scheduled_at")
    if when is None:
        return None
    start, end = period.start, period.end
    if assembly._meta.get_field(when).get_internal_type() == "DateTimeField":
        start, end = period.start_at, period.end_at
    found = assembly.objects.filter(cpts=cpts, **{f"{when}__gte": start, f"{when}__lt": end})
    if _field(assembly, "kind"):
        found = found.exclude(kind="board")
    if _field(assembly, "status"):  # held (quorum reached or not), not planned or cancelled
        found = found.filter(status__in=HELD)
    return found


def _attendance(cpts, period) -> tuple[int, int] | None:
    """(present or represented, convened) over the period's assemblies; None without the models."""
    assemblies = _assemblies_held(cpts, period)
    attendance = _model("Attendance")
    if assemblies is None or attendance is None:
        return None
    presence = _field(attendance, "presence", "status", "kind")
    if presence is None or _field(attendance, "assembly") is None:
        return None
    rows = attendance.objects.filter(assembly__in=assemblies)
    convened = rows.count()
    attended = rows.filter(**{f"{presence}__in": ATTENDED}).count()
    return attended, convened


def _convened(cpts, period) -> int | None:
    figures = _attendance(cpts, period)
    return None if figures is None else figures[1]


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
    figures = _attendance(cpts, period)
    if not figures or not figures[1]:
        return None
    return round(100 * figures[0] / figures[1], 1)


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
    payment = _model("Payment")
    if payment is None:
        return None
    when = _field(payment, "paid_on", "received_on", "date")
    amount = _field(payment, "amount_cents")
    if when is None or amount is None:
        return None
    owner = "cpts" if _field(payment, "cpts") else "member__cpts"
    found = payment.objects.filter(**{owner: cpts, f"{when}__gte": period.start, f"{when}__lt": period.end})
    if cancelled := _field(payment, "cancelled_at", "voided_at"):
        found = found.filter(**{f"{cancelled}__isnull": True})
    cents = found.aggregate(total=Sum(amount))["total"] or 0
    return round(cents / 100, 2)

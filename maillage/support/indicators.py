"""Issue 17 — the mission's indicators in the registry (maillage/indicators/registry.py) and its
lines of the yearly ACI report (maillage/indicators/activity.py).

Definitions (each one query per CPTS and period):
- newcomers: professionals found installing on the territory (directory or declared) during the
  period, by the day they were found, those set aside as « not an installation » left out;
- newcomers contacted: the first welcome sent during the period;
- newcomers who joined: marked « a adhéré » during the period;
- offers published: installation offers put on the public page during the period;
- offers filled: offers marked « pourvue » during the period;
- students hosted: the places of the internship offers marked « pourvue » during the period."""

from datetime import datetime, time

from django.db.models import Count, Q, Sum
from django.utils import timezone

from maillage.core.french import plural
from maillage.indicators.activity import Line, activity
from maillage.indicators.periods import Period
from maillage.indicators.registry import Direction, Kind, Mission, register
from maillage.support.models import Newcomer, NewcomerStatus, Offer, OfferKind, OfferStatus

NEWCOMERS = "support.newcomers"
CONTACTED = "support.newcomers_contacted"
JOINED = "support.newcomers_joined"
PUBLISHED = "support.offers_published"
FILLED = "support.offers_filled"
STUDENTS = "support.students_hosted"
CODES = [NEWCOMERS, CONTACTED, JOINED, PUBLISHED, FILLED, STUDENTS]


def _moments(period: Period) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(period.start, time.min), zone),
        timezone.make_aware(datetime.combine(period.end, time.min), zone),
    )


def _newcomers(cpts, period: Period):
    return Newcomer.objects.filter(cpts=cpts, detected_on__gte=period.start, detected_on__lt=period.end).exclude(
        status=NewcomerStatus.DISMISSED
    )


@register(
    NEWCOMERS,
    label="Nouveaux professionnels installés sur le territoire",
    mission=Mission.SUPPORT,
    unit="professionnels",
    kind=Kind.COUNT,
    description="Professionnels repérés pendant la période comme s'installant sur le territoire (nouvelle activité "
    "dans l'annuaire RPPS ou déclaration de la coordination), hors ceux écartés.",
)
def newcomers(cpts, period):
    return _newcomers(cpts, period).count()


@register(
    CONTACTED,
    label="Nouveaux installés contactés par la CPTS",
    mission=Mission.SUPPORT,
    unit="professionnels",
    kind=Kind.COUNT,
    direction=Direction.HIGHER,
    description="Nouveaux installés à qui l'accueil de la CPTS a été envoyé pour la première fois pendant la période.",
)
def contacted(cpts, period):
    start, end = _moments(period)
    return Newcomer.objects.filter(cpts=cpts, contacted_at__gte=start, contacted_at__lt=end).count()


@register(
    JOINED,
    label="Nouveaux installés ayant adhéré à la CPTS",
    mission=Mission.SUPPORT,
    unit="professionnels",
    kind=Kind.COUNT,
    direction=Direction.HIGHER,
    description="Nouveaux installés dont l'adhésion à l'association a été enregistrée pendant la période.",
)
def joined(cpts, period):
    return Newcomer.objects.filter(cpts=cpts, joined_on__gte=period.start, joined_on__lt=period.end).count()


@register(
    PUBLISHED,
    label="Annonces d'installation publiées",
    mission=Mission.SUPPORT,
    unit="annonces",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    description="Annonces (cabinets, remplacements, collaborations, stages) publiées sur la page publique de la CPTS "
    "pendant la période.",
)
def offers_published(cpts, period):
    start, end = _moments(period)
    return Offer.objects.filter(cpts=cpts, published_at__gte=start, published_at__lt=end).count()


@register(
    FILLED,
    label="Annonces d'installation pourvues",
    mission=Mission.SUPPORT,
    unit="annonces",
    kind=Kind.COUNT,
    counts_people=False,
    population=None,
    direction=Direction.HIGHER,
    description="Annonces marquées « pourvue » pendant la période.",
)
def offers_filled(cpts, period):
    start, end = _moments(period)
    return Offer.objects.filter(cpts=cpts, status=OfferStatus.FILLED, filled_at__gte=start, filled_at__lt=end).count()


@register(
    STUDENTS,
    label="Étudiants accueillis en stage",
    mission=Mission.SUPPORT,
    unit="étudiants",
    kind=Kind.COUNT,
    direction=Direction.HIGHER,
    description="Places des annonces de stage (maîtres de stage du territoire) pourvues pendant la période.",
)
def students_hosted(cpts, period):
    start, end = _moments(period)
    filled = Offer.objects.filter(
        cpts=cpts, kind=OfferKind.INTERNSHIP, status=OfferStatus.FILLED, filled_at__gte=start, filled_at__lt=end
    )
    return filled.aggregate(n=Sum("positions", default=0))["n"]


@activity(Mission.SUPPORT)
def year_lines(cpts, year: int) -> list[Line]:
    """What the mission did in `year`: figures only, no person named."""
    period = Period.year(year)
    start, end = _moments(period)
    by_profession = _newcomers(cpts, period).values("profession").annotate(n=Count("id")).order_by("-n", "profession")
    newcomers_detail = ", ".join(
        f"{row['n']} {row['profession'].lower() or 'profession non précisée'}" for row in by_profession
    )
    offers = Offer.objects.filter(cpts=cpts)
    published = offers.filter(published_at__gte=start, published_at__lt=end)
    kinds = dict(OfferKind.choices)
    by_kind = published.values("kind").annotate(n=Count("id")).order_by("kind")
    offers_detail = ", ".join(f"{kinds[row['kind']]} : {row['n']}" for row in by_kind)
    filled = offers.aggregate(
        n=Count("id", filter=Q(status=OfferStatus.FILLED, filled_at__gte=start, filled_at__lt=end)),
        students=Sum(
            "positions",
            default=0,
            filter=Q(kind=OfferKind.INTERNSHIP, status=OfferStatus.FILLED, filled_at__gte=start, filled_at__lt=end),
        ),
    )
    total = sum(row["n"] for row in by_profession)
    return [
        Line("Nouveaux professionnels installés repérés", total, newcomers_detail, counts_people=True),
        Line("Nouveaux installés accueillis (accueil envoyé)", contacted(cpts, period), counts_people=True),
        Line("Nouveaux installés ayant adhéré à l'association", joined(cpts, period), counts_people=True),
        Line("Annonces d'installation publiées", published.count(), offers_detail),
        Line("Annonces pourvues", filled["n"]),
        Line(
            "Étudiants accueillis en stage",
            filled["students"] or 0,
            plural(filled["students"] or 0, "place de stage pourvue", "places de stage pourvues"),
        ),
    ]

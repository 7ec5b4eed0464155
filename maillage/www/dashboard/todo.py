"""What each person has to do today, as lines of a to-do list: a sentence and the page where it is
done. One function per role; each runs a fixed number of queries whatever the data (no query per
CPTS, per request or per doctor).

Regional lines never name a person nor count patients: only CPTS and communes (ADR 0018)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from maillage.accounts import policy
from maillage.accounts.models import RoleKind
from maillage.accounts.policy import READ, Area
from maillage.core.french import agree, plural
from maillage.directory.models import ProfessionalAccount
from maillage.doctor_access.models import DoctorOffer, DoctorRequest, MatchRun, Proposal
from maillage.doctor_access.states import Status
from maillage.indicators import registry
from maillage.indicators.models import IndicatorValue
from maillage.lifecycle.milestones import CHAIN
from maillage.lifecycle.models import Milestone
from maillage.lifecycle.timeline import deadlines_from, validation_from
from maillage.territory import coverage
from maillage.territory.models import Cpts
from maillage.unscheduled.enums import BookingStatus, RequestStatus, SlotStatus, Urgency
from maillage.unscheduled.models import Booking, CareRequest, Slot

GP = "10"  # the profession code of a médecin (RPPS nomenclature)
EXPIRING = timedelta(hours=48)


@dataclass(frozen=True)
class Line:
    text: str  # the sentence, number and words agreed
    url: str  # the page where it is done
    detail: str = ""  # a second sentence: who, since when
    names: list[str] = field(default_factory=list)  # CPTS or doctors to name under the line


def _age(since: datetime, now: datetime) -> str:
    """« 3 jours », « 5 heures », « 20 minutes »: how long ago, in the largest whole unit."""
    seconds = max((now - since).total_seconds(), 0)
    if seconds >= 86400:
        return plural(int(seconds // 86400), "jour")
    if seconds >= 3600:
        return plural(int(seconds // 3600), "heure")
    return plural(int(seconds // 60), "minute")


def coordinator(cpts, now: datetime | None = None) -> list[Line]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    lines: list[Line] = []
    requests = DoctorRequest.objects.of_cpts(cpts).aggregate(
        received=Count("pk", filter=Q(status=Status.RECEIVED)),
        qualified=Count("pk", filter=Q(status=Status.QUALIFIED)),
        oldest=Min("received_at", filter=Q(status__in=[Status.RECEIVED, Status.QUALIFIED])),
    )
    mt = reverse("www:doctor_requests", args=[cpts.slug])
    if requests["received"]:
        n = requests["received"]
        lines.append(Line(f"{plural(n, 'demande')} de médecin traitant à qualifier", f"{mt}?etat={Status.RECEIVED}"))
    expiring = Proposal.objects.filter(
        request__cpts=cpts, status=Proposal.Status.PENDING, expires_at__gt=now, expires_at__lte=now + EXPIRING
    ).count()
    if expiring:
        verb = agree(expiring, "expire", "expirent")
        lines.append(
            Line(
                f"{plural(expiring, 'proposition')} aux médecins {verb} dans les 48 heures",
                f"{mt}?etat={Status.PROPOSED}",
            )
        )
    if requests["oldest"] is not None:
        lines.append(
            Line(
                f"Le patient qui attend depuis le plus longtemps attend depuis {_age(requests['oldest'], now)}",
                f"{mt}?etat=ouvertes",
            )
        )
    blocked = _matching_blocked(cpts, requests["qualified"], now)
    if blocked is not None:
        lines.append(blocked)
    calls = CareRequest.objects.of_cpts(cpts).filter(status=RequestStatus.OPEN).count()
    if calls:
        lines.append(
            Line(
                f"{plural(calls, 'appel')} en attente d'un rendez-vous non programmé",
                reverse("www:snp_desk", args=[cpts.slug]),
            )
        )
    lines.extend(_care_requests_unanswered(cpts))  # issue 15
    lines.extend(_association(cpts, today))  # issue 16
    lines.extend(_prevention_results(cpts, today))  # issue 17 — prévention
    lines.extend(_support(cpts))  # Issue 17 — accompagnement des professionnels
    lines.extend(_crisis_stock(cpts))  # issue 17 — crise: supplies
    lines.extend(_quality(cpts, today))  # issue 17 — qualité et pertinence
    dates = dict(Milestone.objects.filter(cpts=cpts, date__isnull=False).values_list("kind", "date"))
    late = [d for d in deadlines_from(dates, today) if d.late]
    timeline = reverse("www:lifecycle_timeline", args=[cpts.slug])
    if late:
        lines.append(
            Line(
                f"{plural(len(late), 'échéance')} de mission en retard",
                timeline,
                names=[f"{d.label} (prévue le {d.due:%d/%m/%Y})" for d in late],
            )
        )
    missing = _indicators_to_enter(cpts, today)
    if missing:
        lines.append(
            Line(
                f"{plural(len(missing), 'valeur')} d'indicateur à saisir pour {today.year}",
                reverse("www:cpts_indicators", args=[cpts.slug]),
                names=[indicator.label for indicator in missing],
            )
        )
    undocumented = list(
        Milestone.objects.filter(cpts=cpts, date__isnull=False, kind__in=CHAIN, documents__isnull=True)
        .order_by("date")
        .values_list("kind", flat=True)
    )
    if undocumented:
        labels = dict(Milestone._meta.get_field("kind").choices)
        lines.append(
            Line(
                f"{plural(len(undocumented), 'document')} à déposer pour les étapes franchies",
                timeline,
                names=[labels.get(kind, kind) for kind in undocumented],
            )
        )
    return lines


def _matching_blocked(cpts, waiting: int, now) -> Line | None:
    """When the last matching left patients waiting for lack of places: the GP members to ask to
    open some (no offer, offer paused or full). Three queries."""
    run = MatchRun.objects.filter(cpts=cpts).only("waiting", "proposals").first()
    if run is None or not run.waiting or not waiting:
        return None
    offers = list(DoctorOffer.objects.filter(cpts=cpts).with_places_left(now).select_related("professional"))
    if any(offer.places_left(now) > 0 for offer in offers):
        return None  # places exist: the next matching will use them
    with_offer = {offer.professional_id for offer in offers}
    to_ask = {offer.professional.full_name for offer in offers}
    members = ProfessionalAccount.objects.filter(
        user__roles__cpts=cpts, user__roles__kind=RoleKind.MEMBER, professional__profession_code=GP
    ).select_related("professional")
    to_ask |= {link.professional.full_name for link in members if link.professional_id not in with_offer}
    return Line(
        f"Appariement bloqué : {plural(waiting, 'patient')} sans place chez les médecins",
        reverse("www:doctor_matching", args=[cpts.slug]),
        detail="Médecins à qui demander d'ouvrir des places :" if to_ask else "Aucun médecin membre à solliciter.",
        names=sorted(to_ask),
    )


def _indicators_to_enter(cpts, today) -> list:
    """The external indicators (entered by hand) with no value entered for a period of this year."""
    entered = set(
        IndicatorValue.objects.filter(cpts=cpts, source_date__isnull=False, period_start__year=today.year).values_list(
            "code", flat=True
        )
    )
    return [indicator for indicator in registry.external() if indicator.code not in entered]


# Issue 15 — care requests: the coordinator's unanswered ones, a professional's waiting for them.
def _care_requests_unanswered(cpts) -> list[Line]:
    from maillage.pathways.models import CareRequest as PatientCareRequest
    from maillage.pathways.models import RequestStatus as CareRequestStatus

    n = PatientCareRequest.objects.filter(cpts=cpts, status=CareRequestStatus.UNANSWERED).count()
    if not n:
        return []
    text = f"{plural(n, 'demande de prise en charge', 'demandes de prise en charge')} sans réponse, à élargir"
    return [Line(text, reverse("www:care_request_list", args=[cpts.slug]))]


def _care_requests_offered(cpts, professional) -> list[Line]:
    from maillage.pathways.models import CareRequestRecipient
    from maillage.pathways.models.requests import ACCEPTING

    n = CareRequestRecipient.objects.filter(
        professional=professional, declined_at__isnull=True, request__cpts=cpts, request__status__in=sorted(ACCEPTING)
    ).count()
    if not n:
        return []
    text = f"{plural(n, 'demande de prise en charge', 'demandes de prise en charge')} en attente de votre réponse"
    return [Line(text, reverse("www:care_request_list", args=[cpts.slug]))]


def _crisis_stock(cpts) -> list[Line]:
    """Issue 17 — the items of a crisis in progress whose stock is under their alert threshold."""
    from maillage.crisis.response_supplies import low_items

    low = low_items(cpts)
    if not low:
        return []
    crisis = low[0].crisis_id
    return [
        Line(
            f"{plural(len(low), 'article')} du stock de crise sous le seuil d'alerte",
            reverse("www:crisis_stock", args=[cpts.slug, crisis]),
            names=[f"{item.name} : il en reste {item.stock} (seuil : {item.threshold})" for item in low],
        )
    ]


# Issue 16 — the association: applications to validate, members in grace, mandates to renew.
def _association(cpts, today) -> list[Line]:
    from maillage.association.board import RENEWAL_NOTICE_DAYS, renewals_due
    from maillage.association.models import Member

    members = reverse("www:association_members", args=[cpts.slug])
    counts = Member.objects.of_cpts(cpts).aggregate(
        applications=Count("pk", filter=Q(status=Member.Status.PENDING, validated_on=None, cancelled_on=None)),
        grace=Count("pk", filter=Q(status=Member.Status.GRACE)),
    )
    lines = []
    if counts["applications"]:
        n = counts["applications"]
        text = plural(n, "demande d'adhésion", "demandes d'adhésion")
        lines.append(Line(f"{text} à valider", f"{members}?status=pending"))
    if counts["grace"]:
        n = counts["grace"]
        lines.append(
            Line(f"{plural(n, 'adhérent')} en période de grâce : cotisation à relancer", f"{members}?status=grace")
        )
    renewals = renewals_due(cpts, today).count()
    if renewals:
        verb = agree(renewals, "arrive", "arrivent")
        lines.append(
            Line(
                f"{plural(renewals, 'mandat')} du conseil {verb} à échéance dans les {RENEWAL_NOTICE_DAYS} jours",
                reverse("www:association_board", args=[cpts.slug]),
            )
        )
    return lines


# Issue 17 — prévention: the actions held whose results are still to record.
def _prevention_results(cpts, today) -> list[Line]:
    from maillage.prevention.models import Event as PreventionEvent

    waiting = PreventionEvent.objects.filter(cpts=cpts, day__lt=today, results_at=None)
    n = waiting.count()
    if not n:
        return []
    first = waiting.order_by("day", "pk").values_list("campaign_id", flat=True).first()
    verb = agree(n, "passée", "passées")
    return [
        Line(
            f"{plural(n, 'action de prévention', 'actions de prévention')} {verb} sans résultats saisis",
            reverse("www:prevention_campaign", args=[cpts.slug, first]),
        )
    ]


# Issue 17 — qualité et pertinence: protocols in use whose review is due (past, or within a month).
def _quality(cpts, today) -> list[Line]:
    from maillage.quality.reading import REVIEW_NOTICE_DAYS, due_for_review

    due = list(due_for_review(cpts, today).values_list("title", "next_review_on"))
    if not due:
        return []
    n = len(due)
    return [
        Line(
            f"{plural(n, 'protocole')} à réviser (date de révision passée ou dans les {REVIEW_NOTICE_DAYS} jours)",
            reverse("www:quality_protocols", args=[cpts.slug]),
            names=[f"{title} (le {day:%d/%m/%Y})" for title, day in due],
        )
    ]


# Issue 17 — accompagnement des professionnels: offers to validate, newcomers to welcome (one query).
def _support(cpts) -> list[Line]:
    from django.db.models import IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from maillage.support.models import Newcomer, NewcomerStatus, Offer, OfferStatus
    from maillage.territory.models import Cpts

    def counted(queryset):
        rows = queryset.filter(cpts=OuterRef("pk")).order_by().values("cpts").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    counts = (
        Cpts.objects.filter(pk=cpts.pk)
        .annotate(
            offers=counted(Offer.objects.filter(status=OfferStatus.SUBMITTED)),
            newcomers=counted(Newcomer.objects.filter(status=NewcomerStatus.DETECTED)),
        )
        .values("offers", "newcomers")
        .get()
    )
    lines = []
    if counts["offers"]:
        text = plural(counts["offers"], "annonce d'installation", "annonces d'installation")
        lines.append(Line(f"{text} à valider", reverse("www:support_offers", args=[cpts.slug])))
    if counts["newcomers"]:
        text = plural(counts["newcomers"], "nouvel installé", "nouveaux installés")
        lines.append(Line(f"{text} à accueillir", reverse("www:support_newcomers", args=[cpts.slug])))
    return lines


def member(cpts, user, professional, now: datetime | None = None) -> list[Line]:
    """A GP's day: proposals to answer, today's bookings, free slots this week."""
    now = now or timezone.now()
    lines: list[Line] = []
    pending = Proposal.objects.filter(
        offer__cpts=cpts, offer__user=user, status=Proposal.Status.PENDING, expires_at__gt=now
    ).count()
    if pending:
        lines.append(
            Line(
                f"{plural(pending, 'proposition')} de patient à accepter ou refuser",
                reverse("www:doctor_space", args=[cpts.slug]),
            )
        )
    if professional is None:
        return lines
    lines.extend(_care_requests_offered(cpts, professional))  # issue 15
    local = timezone.localtime(now)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week_end = day_start + timedelta(days=7 - day_start.weekday())
    slots = reverse("www:snp_slots", args=[cpts.slug])
    today = Booking.objects.filter(
        slot__cpts=cpts,
        slot__professional=professional,
        status=BookingStatus.BOOKED,
        slot__start__gte=day_start,
        slot__start__lt=day_start + timedelta(days=1),
    ).count()
    lines.append(Line(f"{plural(today, 'rendez-vous non programmé', 'rendez-vous non programmés')} aujourd'hui", slots))
    free = (
        Slot.objects.of_cpts(cpts)
        .filter(professional=professional, status=SlotStatus.FREE, start__gte=now, start__lt=week_end)
        .count()
    )
    lines.append(Line(f"{plural(free, 'créneau libre', 'créneaux libres')} d'ici dimanche", slots))
    return lines


def regulator(cpts, now: datetime | None = None) -> list[Line]:
    """Open calls by urgency, the most urgent first, each with the age of its oldest."""
    now = now or timezone.now()
    desk = reverse("www:snp_desk", args=[cpts.slug])
    rows = {
        row["urgency"]: row
        for row in CareRequest.objects.of_cpts(cpts)
        .filter(status=RequestStatus.OPEN)
        .values("urgency")
        .annotate(n=Count("pk"), oldest=Min("received_at"))
        .order_by()
    }
    lines = []
    for urgency in Urgency:
        row = rows.get(urgency.value)
        if row:
            lines.append(
                Line(
                    f"{plural(row['n'], 'appel')} « {urgency.label} » en attente d'un rendez-vous",
                    desk,
                    detail=f"La plus ancienne attend depuis {_age(row['oldest'], now)}.",
                )
            )
    if not lines:
        lines.append(Line("Aucun appel en attente d'un rendez-vous", desk))
    return lines


def regional(region, today=None) -> list[Line]:
    """The région's CPTS with late deadlines, the projets awaiting the ARS's answer (and the date
    its silence validates them), the communes covered by no CPTS. Counts of CPTS and communes only."""
    today = today or timezone.localdate()
    funnel = reverse("www:coverage_region_cpts", args=[region.code])
    all_cpts = {c.pk: c.name for c in Cpts.objects.of_regions([region.code]).only("pk", "name")}
    dates: dict[int, dict] = {pk: {} for pk in all_cpts}
    for cpts_id, kind, when in Milestone.objects.filter(cpts_id__in=list(all_cpts), date__isnull=False).values_list(
        "cpts_id", "kind", "date"
    ):
        dates[cpts_id][kind] = when
    late, waiting = [], []
    for pk, name in sorted(all_cpts.items(), key=lambda item: item[1]):
        n_late = sum(1 for d in deadlines_from(dates[pk], today) if d.late)
        if n_late:
            late.append(f"{name} ({plural(n_late, 'échéance')} en retard)")
        validation = validation_from(dates[pk])
        if validation is not None and validation.answered_on is None and today < validation.deemed_on:
            waiting.append(
                f"{name} : déposé le {validation.submitted_on:%d/%m/%Y}, "
                f"validation réputée acquise le {validation.deemed_on:%d/%m/%Y} sans réponse"
            )
    lines = []
    if late:
        lines.append(Line(f"{plural(len(late), 'CPTS', 'CPTS')} avec des échéances en retard", funnel, names=late))
    if waiting:
        lines.append(
            Line(f"{plural(len(waiting), 'projet')} de santé en attente de la réponse de l'ARS", funnel, names=waiting)
        )
    blank = coverage.compute(region=region.code)
    n = len(blank.zones_blanches)
    verb = agree(n, "n'est couverte", "ne sont couvertes")
    lines.append(
        Line(
            f"{plural(n, 'commune')} de la région {verb} par aucune CPTS (zones blanches)",
            reverse("www:coverage_region", args=[region.code]),
        )
    )
    return lines


# The area each role's list reads, asked of the policy before anything is counted.
AREA = {
    RoleKind.COORDINATOR: Area.COORDINATION,
    RoleKind.MEMBER: Area.DOCTOR_ACCESS_OWN,
    RoleKind.REGULATOR: Area.UNSCHEDULED_DESK,
    RoleKind.REGIONAL_VIEWER: Area.COVERAGE,
    RoleKind.REGIONAL_ADMIN: Area.COVERAGE,
}


def for_role(role, user, professional=None) -> list[Line]:
    """The lines of the role the user acts under (none for roles without a to-do list, nor when
    the policy does not let the user read the role's area there)."""
    area = AREA.get(role.kind) if role is not None else None
    if area is None:
        return []
    if role.cpts_id is not None:
        if not policy.may(user, area, READ, role.cpts):
            return []
        if role.kind == RoleKind.COORDINATOR:
            return coordinator(role.cpts)
        if role.kind == RoleKind.MEMBER:
            return member(role.cpts, user, professional)
        return regulator(role.cpts)
    if role.region_id is None or not policy.regions(user, area).filter(code=role.region_id).exists():
        return []
    return regional(role.region)

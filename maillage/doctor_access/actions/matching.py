"""The matching, as the coordinator (or `manage.py match_doctors`) runs it: a plan to preview,
then the same plan applied.

`plan` reads the pool and the offers and calls the optimiser (matching.py). `apply` locks the
CPTS's settings row first, so two coordinators applying at once run one after the other; the
second one recomputes on what the first left and finds those patients already proposed. The
partial unique constraint on pending proposals backs this up at the database level.
"""

import time
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from maillage.core import audit, mail
from maillage.doctor_access import matching, notify
from maillage.doctor_access.actions.doctors import expire_proposals
from maillage.doctor_access.actions.lifecycle import move
from maillage.doctor_access.models import AccessSettings, DoctorOffer, DoctorRequest, MatchRun, Proposal
from maillage.doctor_access.states import Status


@dataclass
class PlannedProposal:
    request: DoctorRequest
    offer: DoctorOffer
    distance_km: float


@dataclass
class Plan:
    cpts: object
    waiting: int
    places: int
    proposals: list[PlannedProposal] = field(default_factory=list)
    unplaced: list[DoctorRequest] = field(default_factory=list)
    seconds: float = 0.0


def _offers(cpts) -> list[tuple[DoctorOffer, int]]:
    offers = (
        DoctorOffer.objects.filter(cpts=cpts, paused=False, capacity__gt=0)
        .with_places_left()
        .select_related("professional", "commune", "user")
        .prefetch_related("communes")
        .order_by("id")
    )
    return [(offer, offer.places_left()) for offer in offers]


def plan(cpts) -> Plan:
    settings = AccessSettings.of(cpts)
    pool = list(DoctorRequest.objects.waiting().filter(cpts=cpts).select_related("commune"))
    offers = [(offer, left) for offer, left in _offers(cpts) if left > 0]
    result = Plan(cpts, waiting=len(pool), places=sum(left for _, left in offers))
    if not pool or not offers:
        result.unplaced = pool
        return result
    centroids = {}
    for commune in [r.commune for r in pool] + [o.commune for o, _ in offers]:
        if commune.latitude is not None and commune.longitude is not None:
            centroids[commune.code] = (commune.latitude, commune.longitude)
    seekers = [matching.Seeker(r.pk, r.commune_id, r.priority, (r.received_at.isoformat(), r.pk)) for r in pool]
    doctors = [
        matching.Offer(
            offer.pk,
            offer.commune_id,
            left,
            max_distance_km=float(offer.max_distance_km) if offer.max_distance_km else None,
            communes=frozenset(c.code for c in offer.communes.all()) or None,
            priority_only=offer.priority_only,
        )
        for offer, left in offers
    ]
    started = time.perf_counter()
    found = matching.match(seekers, doctors, centroids, default_reach_km=float(settings.reach_km))
    result.seconds = time.perf_counter() - started
    requests = {r.pk: r for r in pool}
    by_id = {offer.pk: offer for offer, _ in offers}
    result.proposals = [
        PlannedProposal(requests[a.seeker_id], by_id[a.offer_id], a.distance_km) for a in found.assignments
    ]
    result.unplaced = [requests[pk] for pk in found.unplaced]
    return result


def apply(cpts, actor) -> tuple[Plan, MatchRun]:
    expire_proposals(cpts)
    with transaction.atomic():
        settings = AccessSettings.objects.select_for_update().get(pk=AccessSettings.of(cpts).pk)
        result = plan(cpts)
        now = timezone.now()
        run = MatchRun.objects.create(
            cpts=cpts,
            author=audit.user_or_none(actor),
            author_label=audit.actor_label(actor),
            waiting=result.waiting,
            proposals=len(result.proposals),
            seconds=result.seconds,
        )
        expires = now + timedelta(days=settings.proposal_days)
        with mail.batch():  # the doctors' emails: one INSERT into the task queue
            for planned in result.proposals:
                move(planned.request, Status.PROPOSED, actor, note=f"proposé à {planned.offer.professional.full_name}")
                proposal = Proposal.objects.create(
                    request=planned.request,
                    offer=planned.offer,
                    run=run,
                    distance_km=round(planned.distance_km, 1),
                    created_at=now,
                    expires_at=expires,
                )
                notify.proposal_made(proposal)
        audit.record(
            "doctor_access.matching.applied",
            actor=actor,
            cpts=cpts,
            obj=run,
            details={"en_attente": result.waiting, "propositions": len(result.proposals), "places": result.places},
        )
    return result, run

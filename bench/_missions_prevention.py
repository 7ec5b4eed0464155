"""Issue 17 — the prevention part of bench/missions.py: `populate` bulk-inserts years of prevention
activity for each CPTS (campaigns, their actions with results, the professionals who took part) and
`CODES` names the mission's indicators that bench/missions.py computes.

Per CPTS and year: four campaigns of a few weeks to a few months, five actions each (results
recorded for the past ones), two or three professionals per action with their hours — 200 CPTS × 5
years make 4,000 campaigns, 20,000 actions and about 50,000 participations."""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from _common import insert, reset_sequences  # the bench folder is on the path (bench/missions.py)

CAMPAIGNS_PER_YEAR = 4
EVENTS_PER_CAMPAIGN = 5
# The mission's indicators (maillage/prevention/indicators.py `CODES`).
CODES: list[str] = [
    "prevention.campaigns",
    "prevention.events_held",
    "prevention.people_reached",
    "prevention.tests_distributed",
    "prevention.vaccinations",
    "prevention.professional_hours",
]
PLACES = ["Marché", "Mairie", "Centre social", "Pharmacie", "Salle des fêtes", "Gymnase", "Collège"]


def populate(cpts_ids: list[int], years: list[int], rng: random.Random) -> dict[str, int]:
    from django.db.models import Max
    from django.utils import timezone

    from maillage.directory.models import Professional
    from maillage.prevention.models import Campaign, Event, EventKind, Participation, Theme

    themes, kinds = Theme.values, EventKind.values
    professionals = list(Professional.objects.order_by("pk").values_list("pk", flat=True)[:5000])
    today = timezone.localdate()
    now = timezone.now()
    campaign_id = (Campaign.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    event_id = (Event.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    participation_id = (Participation.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    campaigns, events, participations = [], [], []
    for cpts_id in cpts_ids:
        pool = rng.sample(professionals, min(len(professionals), 12)) if professionals else []
        for year in years:
            for _ in range(CAMPAIGNS_PER_YEAR):
                start = date(year, rng.randint(1, 10), rng.randint(1, 28))
                end = start + timedelta(days=rng.randint(20, 90))
                theme = rng.choice(themes)
                campaigns.append((campaign_id, cpts_id, theme, f"Campagne {theme} {year}", "Objectif.", start, end))
                for _ in range(EVENTS_PER_CAMPAIGN):
                    day = start + timedelta(days=rng.randint(0, (end - start).days))
                    held = day <= today
                    people = rng.randint(5, 300) if held else 0
                    tests = rng.randint(0, people // 3) if held else 0
                    vaccinations = rng.randint(0, people // 4) if held else 0
                    results_at = datetime.combine(day, time(18), tzinfo=now.tzinfo) if held else None
                    place = f"{rng.choice(PLACES)} {cpts_id}"
                    kind = rng.choice(kinds)
                    events.append(
                        (event_id, cpts_id, campaign_id, kind, day, place, people, tests, vaccinations, results_at)
                    )
                    if held and pool:
                        for professional in rng.sample(pool, rng.randint(2, 3)):
                            hours = Decimal(rng.choice([1, 2, 3, 4])) + Decimal("0.5") * rng.randint(0, 1)
                            participations.append((participation_id, event_id, professional, hours))
                            participation_id += 1
                    event_id += 1
                campaign_id += 1
    counts = {
        "prevention_campaign": insert(
            Campaign, ["id", "cpts_id", "theme", "title", "objective", "starts_on", "ends_on"], campaigns
        ),
        "prevention_event": insert(
            Event,
            [
                "id",
                "cpts_id",
                "campaign_id",
                "kind",
                "day",
                "place",
                "people_reached",
                "tests_distributed",
                "vaccinations",
                "results_at",
            ],
            events,
        ),
        "prevention_participation": insert(
            Participation, ["id", "event_id", "professional_id", "hours"], participations
        ),
    }
    reset_sequences(Campaign, Event, Participation)
    return counts

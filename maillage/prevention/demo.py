"""Issue 17 — the mission's demo (see the issue's « Demo »): written through the actions, as the
system (`actor=None`); a CPTS that already has the mission's records is left alone.

Each demo CPTS gets two campaigns: last October's « Octobre rose » (three actions, their results
recorded) and the flu vaccination campaign running now (two actions held with their results, two
to come, on the public agenda). The professionals taking part are the territory's, from the demo
directory; the partners are the CPTS's; the fiche-action is the projet's prevention one when the
projet is already there."""

from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from maillage.core.french import plural
from maillage.directory.models import Partner
from maillage.prevention import actions
from maillage.prevention.models import Campaign
from maillage.projet.models import FicheAction

BREAST_SHARE = Decimal("0.15")  # women aged 50–74 in the population, roughly (Insee)


def load(cpts_list, *, log=print) -> None:
    for cpts in cpts_list:
        if Campaign.objects.filter(cpts=cpts).exists():
            continue
        with transaction.atomic():
            made = build(cpts)
        log(f"  prévention ({cpts.name}) : {plural(len(made), 'campagne')}, {plural(_events(made), 'action')}")


def _events(campaigns) -> int:
    return sum(c.events.count() for c in campaigns)


def build(cpts, today: date | None = None) -> list[Campaign]:
    today = today or timezone.localdate()
    communes = list(cpts.communes().order_by("-population")[:3]) or [None]
    places = [c.name if c else cpts.name for c in communes]
    professionals = list(actions.territory_professionals(cpts).order_by("pk")[:4])
    partners = list(Partner.objects.filter(cpts=cpts).order_by("pk")[:2])
    fiche = FicheAction.objects.filter(projet__cpts=cpts, mission="prevention").first()

    year = today.year if today >= date(today.year, 11, 1) else today.year - 1
    population = cpts.population()
    pink = actions.create_campaign(
        cpts,
        actions.CampaignDraft(
            theme="pink_october",
            title=f"Octobre rose {year}",
            objective="Faire connaître le dépistage organisé du cancer du sein et orienter les femmes de 50 à "
            "74 ans qui ne l'ont pas fait depuis deux ans.",
            starts_on=date(year, 10, 1),
            ends_on=date(year, 10, 31),
            target="Femmes de 50 à 74 ans",
            target_size=max(int(population * BREAST_SHARE), 1),
            target_note="estimation de démonstration : 15 % de la population (Insee)",
            fiche=fiche,
            partners=partners,
            budget=Decimal("2500"),
        ),
        None,
    )
    pink_actions = [
        ("stand", date(year, 10, 4), f"Marché de {places[0]}", 180, 0, 0),
        ("conference", date(year, 10, 12), f"Salle municipale de {places[-1]}", 45, 0, 0),
        ("screening", date(year, 10, 19), f"Centre de santé de {places[0]}", 60, 38, 0),
    ]
    for kind, day, place, people, tests, vaccinations in pink_actions:
        _held(pink, kind, day, place, professionals[:2], people, tests, vaccinations, "Dépliants, rubans roses")

    flu = actions.create_campaign(
        cpts,
        actions.CampaignDraft(
            theme="flu",
            title=f"Vaccination contre la grippe {today.year}",
            objective="Vacciner les personnes de 65 ans et plus et les personnes à risque, en pharmacie, au "
            "cabinet et lors de séances sur place.",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=60),
            target="Personnes de 65 ans et plus",
            target_size=max(int(population * Decimal("0.2")), 1),
            target_note="estimation de démonstration : 20 % de la population (Insee)",
            fiche=fiche,
            partners=partners[:1],
            budget=Decimal("1800"),
        ),
        None,
    )
    for kind, days, place, people, vaccinations in [
        ("screening", -14, f"Résidence autonomie de {places[0]}", 52, 47),
        ("stand", -7, f"Pharmacie du marché, {places[-1]}", 70, 21),
    ]:
        _held(flu, kind, today + timedelta(days=days), place, professionals[1:4], people, 0, vaccinations, "Affiches")
    for kind, days, place in [
        ("workshop", 10, f"Maison des associations de {places[0]}"),
        ("screening", 24, f"Mairie de {places[-1]}"),
    ]:
        draft = actions.EventDraft(
            kind=kind,
            day=today + timedelta(days=days),
            place=place,
            starts_at=time(14),
            ends_at=time(17),
            description="Séance ouverte à tous, sans rendez-vous.",
        )
        actions.plan_event(flu, draft, None)
    return [pink, flu]


def _held(campaign, kind, day, place, professionals, people, tests, vaccinations, material):
    event = actions.plan_event(campaign, actions.EventDraft(kind=kind, day=day, place=place), None)
    results = actions.Results(
        people_reached=people,
        tests_distributed=tests,
        vaccinations=vaccinations,
        material=material,
        participants=[(p, Decimal("3")) for p in professionals],
    )
    actions.record_results(event, results, None, today=max(day, timezone.localdate()))
    return event

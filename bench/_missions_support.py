"""Issue 17 — accompagnement des professionnels, for bench/missions.py: years of installation offers
and newcomers for many CPTS, bulk-inserted (no action, no audit: the data of a benchmark), and the
mission's indicator codes.

Per CPTS and year: about 6 offers (cabinets, replacements, collaborations, internships; some filled,
some withdrawn, the rest published until they expired) and about 8 newcomers (found in the directory
or declared; contacted, joined, declined or set aside). Imported by bench/missions.py, which has set
Django up and put the bench folder on the path."""

import random
from datetime import UTC, date, datetime, time, timedelta

from _common import insert, reset_sequences

from maillage.support.indicators import CODES as _CODES

CODES: list[str] = list(_CODES)
KINDS = ["cabinet", "replacement", "collaboration", "internship"]
PROFESSIONS = ["10-MG", "60", "70", "40", "50", "91"]
PROFESSION_LABELS = ["Médecin", "Infirmier", "Masseur-Kinésithérapeute", "Sage-Femme", "Orthophoniste"]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(8 + rng.randrange(10), rng.randrange(60)), tzinfo=UTC)


def _day(year: int, rng: random.Random) -> date:
    return date(year, 1, 1) + timedelta(days=rng.randrange(360))


def populate(cpts_ids: list[int], years: list[int], rng: random.Random) -> dict[str, int]:
    from maillage.support.models import Newcomer, Offer
    from maillage.territory.models import CptsCommune

    communes: dict[int, list[str]] = {}
    for cpts_id, code in CptsCommune.objects.filter(cpts_id__in=cpts_ids).values_list("cpts_id", "commune_id"):
        communes.setdefault(cpts_id, []).append(code)
    offer_pk = (Offer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    newcomer_pk = (Newcomer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def offers():
        nonlocal offer_pk
        for cpts_id in cpts_ids:
            codes = communes.get(cpts_id)
            if not codes:
                continue
            for year in years:
                for _ in range(rng.randint(3, 9)):
                    created = _moment(_day(year, rng), rng)
                    published = created + timedelta(days=rng.randint(0, 5))
                    fate = rng.random()
                    status = "filled" if fate < 0.4 else "withdrawn" if fate < 0.5 else "published"
                    filled = published + timedelta(days=rng.randint(5, 90)) if status == "filled" else None
                    kind = rng.choice(KINDS)
                    yield (
                        offer_pk, cpts_id, kind, status, f"Annonce {offer_pk}", "Description de l'annonce.",
                        rng.choice(PROFESSIONS), rng.choice(codes), published.date() + timedelta(days=180),
                        rng.randint(1, 3) if kind == "internship" else 1, "Contact", f"annonce{offer_pk}@exemple.fr",
                        created, published, filled, 1,
                    )  # fmt: skip
                    offer_pk += 1

    def newcomers():
        nonlocal newcomer_pk
        for cpts_id in cpts_ids:
            codes = communes.get(cpts_id)
            if not codes:
                continue
            for year in years:
                for _ in range(rng.randint(4, 12)):
                    detected = _day(year, rng)
                    fate = rng.random()
                    contacted = _moment(detected + timedelta(days=rng.randint(1, 20)), rng) if fate < 0.8 else None
                    status = ("joined" if fate < 0.35 else "declined" if fate < 0.5 else "contacted" if fate < 0.8
                              else "dismissed" if fate < 0.85 else "detected")  # fmt: skip
                    joined = contacted.date() + timedelta(days=rng.randint(5, 60)) if status == "joined" else None
                    closed = detected + timedelta(days=30) if status in ("declined", "dismissed") else None
                    yield (
                        newcomer_pk, cpts_id, f"Nouveau{newcomer_pk}", "Camille", rng.choice(PROFESSION_LABELS),
                        rng.choice(codes), "declared" if fate < 0.2 else "directory", status, detected, contacted,
                        contacted, joined, closed, _moment(detected, rng), 0,
                    )  # fmt: skip
                    newcomer_pk += 1

    written_offers = insert(
        Offer,
        ["id", "cpts_id", "kind", "status", "title", "description", "profession", "commune_id", "expires_on",
         "positions", "contact_name", "contact_email", "created_at", "published_at", "filled_at", "version"],
        offers(),
    )  # fmt: skip
    written_newcomers = insert(
        Newcomer,
        ["id", "cpts_id", "last_name", "first_name", "profession", "commune_id", "source", "status", "detected_on",
         "contacted_at", "welcome_sent_at", "joined_on", "closed_on", "created_at", "version"],
        newcomers(),
    )  # fmt: skip
    reset_sequences(Offer, Newcomer)
    return {Offer._meta.db_table: written_offers, Newcomer._meta.db_table: written_newcomers}

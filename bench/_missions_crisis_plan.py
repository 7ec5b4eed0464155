"""Issue 17 — the crisis plan's part of `bench/missions.py` (the integrator's benchmark): not a
benchmark itself (the underscore: .ci/run does not measure it alone).

- `populate(cpts_ids, years, rng)`: for each CPTS, a crisis plan (risks, a crisis cell, volunteers
  from its territory's professionals, partners, one exercise a year) and, over the years, a crisis
  about every other year (declared by the ARS or the CPTS, recognised or not, closed but the last
  year's), its log, an alert and, once closed, its RETEX with actions; bulk-inserted with
  `_common.insert`. Returns {table: rows}.
- `CODES`: the indicator codes of this part (maillage/crisis/indicators.py).
- `alert_members(cpts, n)`: sets up `n` members of the association of `cpts` (with an address) and
  an active crisis, then times the alert of all of them through the real path
  (maillage/crisis/activation.py `alert_members`: the recipients read, one background task per 50
  addresses inserted together, committed). Target: 5,000 members queued in under 2 s.
"""

import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import insert, reset_sequences

CODES = [
    "crisis.plan_written",
    "crisis.exercises_held",
    "crisis.volunteers_listed",
    "crisis.crises_declared",
    "crisis.crises_recognised",
    "crisis.members_alerted",
    "crisis.retex_held",
]
ALERT_TARGET_S = 2.0
KINDS = ["epidemic", "heatwave", "flood", "industrial", "cyber", "shortage"]
PARTNERS = [("hospital", "Centre hospitalier"), ("commune", "Mairie"), ("prefecture", "Préfecture"), ("ars", "ARS")]
TASKS = ["vaccinate", "test", "home_follow_up", "staff_centre"]


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def populate(cpts_ids: list[int], years: list[int], rng) -> dict[str, int]:
    from maillage.crisis.models import (
        CellMember,
        Crisis,
        CrisisAlert,
        CrisisPlan,
        CrisisTransition,
        Exercise,
        PlanPartner,
        PlanRisk,
        Retex,
        RetexAction,
        Volunteer,
    )
    from maillage.directory.models import Listing, Professional

    models = [
        CrisisPlan,
        PlanRisk,
        CellMember,
        Volunteer,
        PlanPartner,
        Exercise,
        Crisis,
        CrisisTransition,
        CrisisAlert,
        Retex,
        RetexAction,
    ]
    ids = {model: _next_id(model) for model in models}
    rows: dict = {model: [] for model in models}
    now = datetime.now(UTC)

    def new(model, *values):
        pk = ids[model]
        ids[model] += 1
        rows[model].append((pk, *values))
        return pk

    pool = list(Professional.objects.values_list("pk", flat=True)[:2000])
    first, last = min(years), max(years)
    for cpts_id in cpts_ids:
        written = date(first, 1, 1) + timedelta(days=rng.randrange(180))
        plan = new(CrisisPlan, cpts_id, "La cellule se réunit sous deux heures.", written, now, len(years))
        for kind in rng.sample(KINDS, rng.randint(3, len(KINDS))):
            new(PlanRisk, plan, kind, "Dispositions prévues.")
        for n in range(4):
            new(CellMember, plan, f"Membre {n + 1}", "Cellule de crise", f"01 99 00 {n:02d} 00", "", "")
        professionals = list(Listing.objects.filter(cpts_id=cpts_id).values_list("professional_id", flat=True)[:40])
        professionals = professionals or pool  # no listing built yet: any professionals of the directory
        for professional in rng.sample(professionals, min(len(professionals), rng.randint(5, 25))):
            chosen = {task: rng.random() < 0.5 for task in TASKS}
            chosen[rng.choice(TASKS)] = True
            new(Volunteer, plan, professional, *(chosen[task] for task in TASKS))
        for kind, name in PARTNERS:
            new(PlanPartner, plan, kind, name, "")
        for year in years:
            new(Exercise, plan, date(year, rng.randint(2, 11), rng.randint(1, 28)), "Exercice annuel", "")
        for year in years:
            if rng.random() < 0.5:
                continue
            starts = date(year, rng.randint(1, 10), rng.randint(1, 28))
            ongoing = year == last and rng.random() < 0.3
            ends = None if ongoing else starts + timedelta(days=rng.randint(10, 60))
            by_ars = rng.random() < 0.6
            recognised = starts if by_ars else (starts + timedelta(days=20) if rng.random() < 0.5 else None)
            status = "active" if ongoing else "closed"
            crisis = new(
                Crisis,
                cpts_id,
                rng.choice(KINDS),
                f"Crise {year}",
                starts,
                ends,
                "ars" if by_ars else "cpts",
                recognised,
                status,
                now,
                1,
            )
            new(CrisisTransition, crisis, "", "active", "Coordination", now)
            if not ongoing:
                new(CrisisTransition, crisis, "active", "closed", "Coordination", now)
            sent = datetime(starts.year, starts.month, starts.day, 9, tzinfo=UTC)
            new(CrisisAlert, crisis, "all", rng.randint(50, 800), "Crise sanitaire", "Texte.", "SMS", sent)
            if not ongoing:
                review = new(Retex, crisis, ends + timedelta(days=30), "Ce qui a fonctionné.", "", 1)
                for n in range(2):
                    new(RetexAction, review, f"Action {n + 1}", "Coordination", ends + timedelta(days=90))
    columns = {
        CrisisPlan: ["id", "cpts_id", "organisation", "written_on", "updated_at", "version"],
        PlanRisk: ["id", "plan_id", "kind", "notes"],
        CellMember: ["id", "plan_id", "name", "function", "phone_day", "phone_night", "email"],
        Volunteer: ["id", "plan_id", "professional_id", *TASKS],
        PlanPartner: ["id", "plan_id", "kind", "name", "contact"],
        Exercise: ["id", "plan_id", "held_on", "scenario", "lessons"],
        Crisis: [
            "id",
            "cpts_id",
            "kind",
            "title",
            "starts_on",
            "ends_on",
            "declared_by",
            "recognised_on",
            "status",
            "created_at",
            "version",
        ],
        CrisisTransition: ["id", "crisis_id", "source", "target", "author_label", "at"],
        CrisisAlert: ["id", "crisis_id", "audience", "recipients", "subject", "body", "sms", "sent_at"],
        Retex: ["id", "crisis_id", "held_on", "worked", "did_not_work", "version"],
        RetexAction: ["id", "retex_id", "action", "owner", "due_on"],
    }
    counts = {}
    for model in models:
        counts[model._meta.db_table] = insert(model, columns[model], rows[model])
    reset_sequences(*models)
    return counts


def prepare_alert(cpts, n: int):
    """`n` current members of the association of `cpts`, each with an address, and an active crisis
    (the CPTS's ongoing one if `populate` left one, else a new one, not alerted). Returns the crisis."""
    from django.urls import reverse
    from django.utils import timezone

    from maillage.association import statutes
    from maillage.association.models import College, Member
    from maillage.crisis import activation

    statutes.of(cpts)
    college = College.objects.filter(cpts=cpts).order_by("order").first()
    Member.objects.bulk_create(
        [
            Member(
                cpts=cpts,
                college=college,
                kind="person",
                last_name=f"Adhérent {i}",
                first_name="Bench",
                email=f"adherent{i}@bench.invalid",
                status=Member.Status.CURRENT,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    from maillage.crisis.models import Crisis

    crisis = Crisis.objects.filter(cpts=cpts, status=Crisis.Status.ACTIVE).first()  # a populated one goes on
    if crisis is not None:
        reverse("www:crisis_home", args=[cpts.slug])
        return crisis
    declared = activation.Declaration(
        kind="epidemic", title="Épidémie (banc d'essai)", starts_on=timezone.localdate(), alert=False
    )
    (crisis,) = activation.declare([cpts], declared, None, by_ars=True)
    # The link in the email is reversed from the URLconf, loaded once per process (about 2 s the first
    # time): a running server has it loaded, so the timed alert does not pay for it.
    reverse("www:crisis_home", args=[cpts.slug])
    return crisis


def alert_members(cpts, n: int) -> dict:
    """Sets up `n` members and a crisis of `cpts` (not timed), then alerts them all (timed: the real
    action, committed). Returns {"members", "queued", "tasks", "seconds"}."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    crisis = prepare_alert(cpts, n)
    before = DBTaskResult.objects.count()
    started = time.perf_counter()
    with transaction.atomic():
        from maillage.crisis import activation

        alert = activation.alert_members(crisis, "all", None)
    elapsed = time.perf_counter() - started
    tasks = DBTaskResult.objects.count() - before
    return {"members": n, "queued": alert.recipients, "tasks": tasks, "seconds": elapsed}

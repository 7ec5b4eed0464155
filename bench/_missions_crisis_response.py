"""Issue 17 — the crisis response's part of bench/missions.py: for every CPTS and year, one crisis
with two centres (30 shifts each, most of them staffed by the CPTS's volunteers), a stock ledger
of five items and a case map of eight weeks over the CPTS's communes. Bulk-written with `insert`
(COPY on PostgreSQL): the data of a benchmark, not the actions."""

import random
from datetime import UTC, date, datetime, timedelta

from _common import insert, reset_sequences

CODES = [
    "crisis.centres_opened",
    "crisis.shift_places_offered",
    "crisis.shift_places_filled",
    "crisis.volunteer_hours",
    "crisis.supplies_distributed",
    "crisis.cases_reported",
]
VOLUNTEERS_PER_CPTS = 12
CENTRES, SHIFTS_PER_CENTRE, WEEKS = 2, 30, 8
ITEMS = ["Masques FFP2", "Masques chirurgicaux", "Surblouses", "Tests antigéniques", "Autotests"]


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def populate(cpts_ids: list[int], years: list[int], rng: random.Random) -> dict[str, int]:
    from maillage.accounts.models import Role, User
    from maillage.crisis.models import CaseCount, Centre, Crisis, Shift, ShiftSignup, SupplyItem, SupplyMovement
    from maillage.territory.models import CptsCommune

    models = (User, Role, Crisis, Centre, Shift, ShiftSignup, SupplyItem, SupplyMovement, CaseCount)
    ids = {model: _next_id(model) for model in models}
    rows: dict = {model: [] for model in models}
    now = datetime.now(UTC)

    def new(model, *values):
        pk = ids[model]
        ids[model] += 1
        rows[model].append((pk, *values))
        return pk

    communes: dict[int, list[str]] = {}
    for cpts_id, code in CptsCommune.objects.filter(cpts_id__in=cpts_ids).values_list("cpts_id", "commune_id"):
        communes.setdefault(cpts_id, []).append(code)
    for cpts_id in cpts_ids:
        people = []
        for n in range(VOLUNTEERS_PER_CPTS):
            user = new(User, f"benevole{n}.cpts{cpts_id}@bench.maillage.fr", "!", f"Prénom{n}", f"Nom{n}", now)
            new(Role, user, "member", cpts_id, now)
            people.append(user)
        for year in years:
            start = date(year, rng.randint(1, 9), rng.randint(1, 28))
            crisis = new(Crisis, cpts_id, "epidemic", f"Épidémie {year}", start, start + timedelta(weeks=WEEKS),
                         "ars", start, "closed", now)  # fmt: skip
            for c in range(CENTRES):
                centre = new(Centre, crisis, "testing", f"Centre {c + 1}", "Mairie", start, "8 h – 13 h", now)
                for s in range(SHIFTS_PER_CENTRE):
                    begins = datetime(start.year, start.month, start.day, 8, tzinfo=UTC) + timedelta(days=s)
                    shift = new(Shift, centre, begins, begins + timedelta(hours=5), 3, "test")
                    for person in rng.sample(people, rng.randint(0, 3)):
                        new(ShiftSignup, shift, person, now)
            for name in ITEMS:
                item = new(SupplyItem, crisis, name, 50, now)
                new(SupplyMovement, item, "received", 2000, start, "", now)
                for week in range(1, WEEKS):
                    new(SupplyMovement, item, "distributed", -rng.randint(10, 200), start + timedelta(weeks=week),
                        "Pharmacies du territoire", now)  # fmt: skip
            monday = start - timedelta(days=start.weekday())
            for week in range(WEEKS):
                for code in communes.get(cpts_id, []):
                    new(CaseCount, crisis, code, monday + timedelta(weeks=week), rng.randint(0, 40), "import", now)
    columns = {
        User: ["id", "email", "password", "first_name", "last_name", "date_joined"],
        Role: ["id", "user_id", "kind", "cpts_id", "created_at"],
        Crisis: ["id", "cpts_id", "kind", "title", "starts_on", "ends_on", "declared_by", "recognised_on", "status",
                 "created_at"],
        Centre: ["id", "crisis_id", "kind", "name", "address", "opened_on", "opening_hours", "created_at"],
        Shift: ["id", "centre_id", "starts_at", "ends_at", "capacity", "role"],
        ShiftSignup: ["id", "shift_id", "volunteer_id", "created_at"],
        SupplyItem: ["id", "crisis_id", "name", "threshold", "created_at"],
        SupplyMovement: ["id", "item_id", "kind", "delta", "on", "recipient", "created_at"],
        CaseCount: ["id", "crisis_id", "commune_id", "week", "count", "source", "updated_at"],
    }  # fmt: skip
    written = {model._meta.db_table: insert(model, columns[model], rows[model]) for model in models}
    reset_sequences(*models)
    return written

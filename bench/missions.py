"""Missions benchmark (issue 17): a région of 200 CPTS with five years of activity in the four
mission apps (prévention, qualité, accompagnement, crise), all their indicators computed for a
year, and a crisis alert to 5,000 members.

Each database (a fresh SQLite file, a fresh PostgreSQL database) gets `migrate` and the communes
(install_reference --no-shapes), then 200 CPTS of ten neighbouring communes each, 40 professionals
per CPTS exercising there (members of the CPTS's team), and five years of each mission's records,
written by each part's `populate` (bench/_missions_<part>.py: COPY on PostgreSQL, executemany on
SQLite).

Measured, each against a baseline in the same run on the same database:

1. Every indicator of the four missions for every CPTS for the last full year, through the
   registry (`registry.compute`), as the nightly job and the regional view ask for them. Baseline:
   one SELECT per indicator of its raw rows for the year (the rows it counts, materialised), for
   every CPTS. Target: under 20 s in all.
2. Alerting 5,000 members of a declared crisis: the time to enqueue (the emails go out later, in
   the background). Target: under 2 s. Baseline: one SELECT of those 5,000 members' addresses.

    .venv/bin/python bench/missions.py            # 200 CPTS × 5 years
    .venv/bin/python bench/missions.py --quick    # 10 CPTS × 2 years, 500 members alerted (CI)
    .venv/bin/python bench/missions.py --postgres postgres://user@host:port/db

Measured at full size (2026-12-06, 2 cores, nothing else running): 530,695 mission rows (campaigns,
actions, participations, sessions, protocols, offers, newcomers, crises, centres, shifts, sign-ups,
stock movements, case counts), 33 indicators × 200 CPTS = 6,600 values for 2025:
- SQLite: registry 2.72 s against the baseline's 3.15 s (155,401 raw rows read); 5,052 members
  alerted (the association's 5,000 and the team's accounts) in 16.6 ms, 102 tasks enqueued.
- PostgreSQL 15: registry 5.24 s against 4.92 s; the alert in 29.1 ms.
"""

import importlib
import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    BenchError,
    databases,
    insert,
    install_reference,
    log,
    number,
    parse_options,
    print_table,
    reset_sequences,
    run_targets,
    seconds,
    stopwatch,
    worker_entry,
)

FULL = {"cpts": 200, "years": 5, "professionals": 40, "alerted": 5_000}
QUICK = {"cpts": 10, "years": 2, "professionals": 20, "alerted": 500}
TARGETS = {"indicators_s": 20.0, "alert_s": 2.0}
SEED = 20261207
PARTS = ("prevention", "quality", "support", "crisis_plan", "crisis_response")
COMMUNES_PER_CPTS = 10
PROFESSIONS = (("10", "Médecin", 0.35), ("60", "Infirmier", 0.3), ("21", "Pharmacien", 0.15),
               ("70", "Masseur-Kinésithérapeute", 0.15), ("40", "Chirurgien-Dentiste", 0.05))  # fmt: skip


def scale_of(options) -> dict:
    return dict(QUICK if options.quick else FULL)


def year_measured() -> int:
    """The last full year: the one the yearly ACI report is written for."""
    return date.today().year - 1


def make_region(scale: dict, rng: random.Random) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from maillage.accounts.models import Role, RoleKind, User
    from maillage.directory.models import Activity, Professional
    from maillage.directory.models.professionals import search_name
    from maillage.directory.synthetic import FEMALE_NAMES, LAST_NAMES, MALE_NAMES, rpps_number
    from maillage.territory.models import Commune, Cpts, CptsCommune

    communes = list(Commune.objects.units().filter(region_id="76").order_by("code").values_list("code", flat=True))
    if len(communes) < scale["cpts"] * COMMUNES_PER_CPTS:
        raise BenchError(f"only {len(communes)} communes in Occitanie for {scale['cpts']} CPTS")
    cpts_list = Cpts.objects.bulk_create(
        [
            Cpts(name=f"CPTS missions {i:03d}", slug=f"missions-{i:03d}", status=Cpts.Status.ACTIVE)
            for i in range(scale["cpts"])
        ]
    )
    territories = {
        cpts.pk: communes[i * COMMUNES_PER_CPTS : (i + 1) * COMMUNES_PER_CPTS] for i, cpts in enumerate(cpts_list)
    }
    CptsCommune.objects.bulk_create(
        [CptsCommune(cpts_id=pk, commune_id=code) for pk, codes in territories.items() for code in codes],
        batch_size=5000,
    )
    now = timezone.now()
    people, owners, serial = [], [], 0
    for cpts in cpts_list:
        for code, label, share in PROFESSIONS:
            for _ in range(max(1, round(scale["professionals"] * share))):
                rpps = rpps_number(730_000_000 + serial)
                last, first = rng.choice(LAST_NAMES).upper(), rng.choice(FEMALE_NAMES + MALE_NAMES)
                people.append((serial + 1, f"{serial:032x}", "8", rpps, f"8{rpps}", last, first,
                               search_name(last, first), code, label, "C", "Civil", True, now))  # fmt: skip
                owners.append(cpts.pk)
                serial += 1
    with stopwatch(f"{number(len(people))} professionals and their activities"):
        insert(
            Professional,
            ["id", "source_hash", "id_type", "identifier", "national_id", "last_name", "first_name", "search_name",
             "profession_code", "profession_label", "category_code", "category_label", "active", "created_at"],
            people,
        )  # fmt: skip
        reset_sequences(Professional)
        insert(
            Activity,
            ["id", "source_hash", "key", "professional_id", "commune_id", "commune_code", "active", "created_at"],
            (
                (row[0], row[1], f"8{row[3]}|bench", row[0], code, code, True, now)
                for row, cpts_pk in zip(people, owners, strict=True)
                for code in [rng.choice(territories[cpts_pk])]
            ),
        )
        reset_sequences(Activity)
    password = make_password(None)
    with stopwatch(f"{number(len(people))} member accounts"):
        users = User.objects.bulk_create(
            [User(email=f"pro{i}@bench.invalid", password=password) for i in range(len(people))], batch_size=5000
        )
        Role.objects.bulk_create(
            [Role(user=u, kind=RoleKind.MEMBER, cpts_id=pk) for u, pk in zip(users, owners, strict=True)],
            batch_size=5000,
        )
    return {"cpts": [c.pk for c in cpts_list], "territories": territories, "professionals": len(people)}


def populate(scale: dict, region: dict, rng: random.Random) -> dict:
    last = year_measured()
    years = list(range(last - scale["years"] + 1, last + 1))
    tables: dict[str, int] = {}
    for part in PARTS:
        module = importlib.import_module(f"_missions_{part}")
        with stopwatch(f"{part}: {len(region['cpts'])} CPTS × {len(years)} years"):
            tables.update(module.populate(region["cpts"], years, rng))
    return tables


def codes() -> list[str]:
    from maillage.indicators.registry import Mission, of_mission

    missions = (Mission.PREVENTION, Mission.QUALITY, Mission.SUPPORT, Mission.CRISIS)
    return [indicator.code for mission in missions for indicator in of_mission(mission) if not indicator.external]


def raw_rows():
    """{indicator code: (cpts id, period) → the queryset of the raw rows the indicator counts}: what
    the baseline reads, one SELECT per indicator and CPTS, for the period's rows."""
    from maillage.crisis.models import (
        CaseCount,
        Centre,
        Crisis,
        CrisisAlert,
        CrisisPlan,
        Exercise,
        Retex,
        Shift,
        ShiftSignup,
        SupplyMovement,
        Volunteer,
    )  # fmt: skip
    from maillage.prevention.models import Campaign, Event, Participation
    from maillage.quality.models import (
        AdverseEvent,
        EventAction,
        GroupSession,
        Protocol,
        ProtocolReview,
        SessionAttendance,
    )
    from maillage.support.models import Newcomer, Offer

    def within(field):
        return lambda p: {f"{field}__gte": p.start, f"{field}__lt": p.end}

    def rows(model, cpts_path, field=None):
        dated = within(field) if field else (lambda p: {})
        return lambda cpts_id, p: model.objects.filter(**{cpts_path: cpts_id}, **dated(p))

    events = rows(Event, "cpts_id", "day")
    sessions = rows(SessionAttendance, "session__cpts_id", "session__held_on")
    newcomers = rows(Newcomer, "cpts_id", "detected_on")
    shifts = rows(Shift, "centre__crisis__cpts_id", "starts_at__date")
    return {
        "prevention.campaigns": lambda c, p: Campaign.objects.filter(
            cpts_id=c, starts_on__lt=p.end, ends_on__gte=p.start
        ),
        "prevention.events_held": events,
        "prevention.people_reached": events,
        "prevention.tests_distributed": events,
        "prevention.vaccinations": events,
        "prevention.professional_hours": rows(Participation, "event__cpts_id", "event__day"),
        "quality.sessions_held": rows(GroupSession, "cpts_id", "held_on"),
        "quality.professionals_attending": sessions,
        "quality.attendance_hours": sessions,
        "quality.protocols_in_use": rows(Protocol, "cpts_id"),
        "quality.protocols_reviewed_on_time": rows(ProtocolReview, "cpts_id", "due_on"),
        "quality.events_declared": rows(AdverseEvent, "cpts_id", "declared_at__date"),
        "quality.events_analysed": rows(AdverseEvent, "cpts_id", "analysed_on"),
        "quality.actions_done": rows(EventAction, "cpts_id", "done_on"),
        "support.newcomers": newcomers,
        "support.newcomers_contacted": newcomers,
        "support.newcomers_joined": rows(Newcomer, "cpts_id", "joined_on"),
        "support.offers_published": rows(Offer, "cpts_id", "published_at__date"),
        "support.offers_filled": rows(Offer, "cpts_id", "filled_at__date"),
        "support.students_hosted": rows(Offer, "cpts_id", "filled_at__date"),
        "crisis.plan_written": rows(CrisisPlan, "cpts_id"),
        "crisis.exercises_held": rows(Exercise, "plan__cpts_id", "held_on"),
        "crisis.volunteers_listed": rows(Volunteer, "plan__cpts_id"),
        "crisis.crises_declared": rows(Crisis, "cpts_id", "starts_on"),
        "crisis.crises_recognised": rows(Crisis, "cpts_id", "recognised_on"),
        "crisis.members_alerted": rows(CrisisAlert, "crisis__cpts_id", "sent_at__date"),
        "crisis.retex_held": rows(Retex, "crisis__cpts_id", "held_on"),
        "crisis.centres_opened": rows(Centre, "crisis__cpts_id", "opened_on"),
        "crisis.shift_places_offered": shifts,
        "crisis.shift_places_filled": shifts,
        "crisis.volunteer_hours": rows(ShiftSignup, "shift__centre__crisis__cpts_id", "shift__starts_at__date"),
        "crisis.supplies_distributed": rows(SupplyMovement, "item__crisis__cpts_id", "on"),
        "crisis.cases_reported": rows(CaseCount, "crisis__cpts_id", "week"),
    }


def baseline(cpts_ids: list[int], year: int) -> int:
    """One SELECT per indicator of the raw rows it counts (their ids, materialised), for every CPTS."""
    from maillage.indicators.periods import Period

    period, raw, total = Period.year(year), raw_rows(), 0
    for cpts_id in cpts_ids:
        for code in codes():
            total += len(list(raw[code](cpts_id, period).values_list("pk", flat=True)))
    return total


def compute_all(cpts_ids: list[int], year: int) -> int:
    from maillage.indicators import registry
    from maillage.indicators.periods import Period
    from maillage.territory.models import Cpts

    period, chosen, values = Period.year(year), codes(), 0
    for cpts in Cpts.objects.filter(pk__in=cpts_ids).order_by("pk"):
        values += sum(value is not None for value in registry.compute(cpts, period, chosen).values())
    return values


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def measure_alert(scale: dict, cpts_id: int) -> dict:
    """A crisis declared on one CPTS whose association has `alerted` members, all alerted at once
    (bench/_missions_crisis_plan.py sets them up untimed, then times the real action)."""
    from _missions_crisis_plan import alert_members

    from maillage.association.models import Member
    from maillage.territory.models import Cpts

    cpts = Cpts.objects.get(pk=cpts_id)
    alert = alert_members(cpts, scale["alerted"])
    base, rows = timed(lambda: list(Member.objects.filter(cpts=cpts).values_list("email", flat=True)))
    log(f"   {number(alert['queued'])} members alerted: enqueued in {seconds(alert['seconds'])} "
        f"({number(alert['tasks'])} tasks; baseline {seconds(base)})")  # fmt: skip
    return {"baseline": base, "rows": len(rows), "enqueue": alert["seconds"], "recipients": alert["queued"]}


def worker(options) -> dict:
    from django.db import connection

    scale = scale_of(options)
    log(f"== {connection.vendor}: a fresh database")
    install_reference()
    rng = random.Random(SEED)
    region = make_region(scale, rng)
    tables = populate(scale, region, rng)
    if connection.vendor == "postgresql":
        with stopwatch("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    year = year_measured()
    log(f"   {len(codes())} indicators × {len(region['cpts'])} CPTS for {year}…")
    baseline(region["cpts"], year)  # warm-up
    base = [timed(baseline, region["cpts"], year) for _ in range(2)]
    runs = [timed(compute_all, region["cpts"], year) for _ in range(2)]
    log(f"   baseline {seconds(min(b for b, _ in base))}, registry {seconds(min(r for r, _ in runs))}")
    log("   a crisis alert…")
    alert = measure_alert(scale, region["cpts"][0])
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "cpts": len(region["cpts"]),
        "professionals": region["professionals"],
        "tables": tables,
        "codes": len(codes()),
        "baseline": [b for b, _ in base],
        "baseline_rows": base[0][1],
        "compute": [r for r, _ in runs],
        "values": runs[0][1],
        "alert": alert,
    }


def report(results: list[tuple[str, dict]]) -> tuple[list[str], bool]:
    verdicts, failed, rows, alert_rows, data_rows = [], False, [], [], []
    for label, data in results:
        mission_rows = number(sum(data["tables"].values()))
        data_rows.append([label, number(data["cpts"]), number(data["professionals"]), mission_rows])
        base, best = min(data["baseline"]), min(data["compute"])
        limit = TARGETS["indicators_s"]
        met = best < limit
        failed = failed or not met
        rows += [
            [label, "baseline: one SELECT per indicator of its raw rows", f"{number(data['baseline_rows'])} rows",
             seconds(base), "1.0×", ""],
            [label, f"registry.compute, {data['codes']} indicators × {data['cpts']} CPTS",
             f"{number(data['values'])} values", seconds(best), f"{best / base:.1f}×",
             f"< {limit:g} s: {'met' if met else 'NOT MET'}"],
        ]  # fmt: skip
        a = data["alert"]
        ok = a["enqueue"] < TARGETS["alert_s"]
        failed = failed or not ok
        alert_rows += [
            [label, "baseline: SELECT the members' addresses", number(a["rows"]), seconds(a["baseline"]), "1.0×", ""],
            [label, "crisis alert enqueued", number(a["recipients"]), seconds(a["enqueue"]),
             f"{a['enqueue'] / max(a['baseline'], 1e-6):.1f}×",
             f"< {TARGETS['alert_s']:g} s: {'met' if ok else 'NOT MET'}"],
        ]  # fmt: skip
        verdicts.append(f"indicators {'met' if met else 'NOT MET'} on {label} ({seconds(best)})")
        verdicts.append(f"alert {'met' if ok else 'NOT MET'} on {label} ({seconds(a['enqueue'])})")
    print_table(["database", "CPTS", "professionals", "mission rows"], data_rows, title="Synthetic région")
    print_table(["database", "run", "rows", "time", "ratio", "target"], rows,
                title="Every indicator of the four missions for a year")  # fmt: skip
    print_table(["database", "run", "members", "time", "ratio", "target"], alert_rows,
                title="A crisis alert (emails enqueued, sent later by the workers)")  # fmt: skip
    return verdicts, failed


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        return worker_entry(worker, options)
    scale = scale_of(options)
    print(
        f"Missions benchmark — {scale['cpts']} CPTS × {scale['years']} years, "
        f"{'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with databases(options) as dbs:
        results, problems, failed = run_targets(__file__, dbs, dbs.targets, ["--quick"] if options.quick else [])
    print()
    if results:
        verdicts, bad = report(results)
        failed = failed or bad
        print("Targets: " + "; ".join(verdicts) + ".")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench/missions.py: {exc}", file=sys.stderr)
        sys.exit(2)

"""Pathways benchmark (issue 15): a région's patients' pathways, their rupture detection, and a team
member's task list.

Each database (a fresh SQLite file, a fresh PostgreSQL database) gets `migrate`,
`install_reference --no-shapes`, then a synthetic région: 200 CPTS, 100 professionals each (GPs,
nurses, pharmacists, physiotherapists, each with an account and a member role, a coordinator per
CPTS), 100,000 active pathways of the shared library's templates (500 per CPTS, started over the
last eight months, the patient informed and not objecting, half of them consenting to the
coordination), a care team of three each (300,000 memberships), and 15 tasks each (1,500,000):
the template's steps and tasks added by hand, past ones mostly done, some late, some nobody took.
The big tables are written by COPY on PostgreSQL and by `executemany` on SQLite.

Measured, each against a baseline in the same run on the same database:

1. The scheduled rupture detection over the whole région, `pathways.ruptures.detect()`: its first
   run (every rupture of the région raised, its emails enqueued) and a steady run (nothing new:
   what it costs every hour). Baseline: one SELECT of all the open tasks past due
   (`values_list`, materialised). Target: under 30 s.
2. A team member's task list, through the real pages with Django's test `Client` and a logged-in
   member: the list of their patients' pathways (open and late tasks counted, `list_pathways`)
   and one pathway's page (its tasks, team, alerts). Baseline: a primary-key lookup of a pathway.
   Target p95 < 50 ms.
3. The care requests' half — a broadcast's p95 (target < 100 ms) over a region's directory and
   100 professionals racing to accept 20 requests through the live server (exactly one winner
   each) — is bench/pathways_race.py: it needs a directory and a gunicorn server, not this data.

    .venv/bin/python bench/pathways.py            # 200 CPTS, 100,000 pathways, 1,500,000 tasks
    .venv/bin/python bench/pathways.py --quick    # 10 CPTS, 2,000 pathways, 30,000 tasks (CI)
    .venv/bin/python bench/pathways.py --postgres postgres://user@host:port/db [--postgres-only]
    BENCH_PATHWAYS=20000 .venv/bin/python bench/pathways.py   # another number of pathways

Measured at full size (2026-12-06, 2 shared cores with other work running, load 3 to 6: indicative),
102,842 alerts raised and 18,554 emails enqueued by the first run:
- PostgreSQL 15: detection first run 14.5 s, steady 1.5 s (baseline 0.25 s); member's list p95
  122 ms, a pathway's page p95 221 ms (baseline p95 7.7 ms) — the pages' target is not met.
- SQLite: detection first run 5.9 s, steady 1.2 s (baseline 0.29 s); member's list p95 45 ms,
  a pathway's page p95 75 ms (baseline p95 1.0 ms).
Before the detection was made set-based (INSERT … SELECT, no NOT EXISTS on the alerts being
written, tuples for the emails) its first run took 160 s on PostgreSQL.
"""

import os
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    BenchError,
    check_reference_data,
    databases,
    insert,
    install_reference,
    log,
    number,
    parse_options,
    percentile,
    print_table,
    reset_sequences,
    run_targets,
    seconds,
    stopwatch,
    worker_entry,
)

FULL = {"cpts": 200, "pathways": 100_000, "tasks_per_pathway": 15, "professionals_per_cpts": 100, "members": 300}
QUICK = {"cpts": 10, "pathways": 2_000, "tasks_per_pathway": 15, "professionals_per_cpts": 40, "members": 60}
TARGETS = {"detect_s": 30.0, "list_ms": 50.0}
SEED = 20261206
# (profession code, label, care role, share of a CPTS's professionals)
PROFESSIONS = [
    ("10", "Médecin", "gp", 0.30),
    ("60", "Infirmier", "nurse", 0.40),
    ("21", "Pharmacien", "pharmacist", 0.15),
    ("70", "Masseur-Kinésithérapeute", "physio", 0.15),
]
DONE_SHARE = 0.90  # of the tasks past due
CANCELLED_SHARE = 0.02
UNASSIGNED_SHARE = 0.12
SILENT_SHARE = 0.08  # pathways past their « no contact » date
COORDINATION_CONSENT_SHARE = 0.5


def scale_of(options) -> dict:
    scale = dict(QUICK if options.quick else FULL)
    if os.environ.get("BENCH_PATHWAYS"):
        scale["pathways"] = int(os.environ["BENCH_PATHWAYS"])
    return scale


def make_region(scale: dict, rng: random.Random, now: datetime) -> dict:
    from django.contrib.auth.hashers import make_password

    from maillage.accounts.models import Role, RoleKind, User
    from maillage.directory.models import Professional, ProfessionalAccount
    from maillage.directory.models.professionals import search_name
    from maillage.directory.synthetic import FEMALE_NAMES, LAST_NAMES, MALE_NAMES, rpps_number
    from maillage.territory.models import Commune, Cpts

    communes = list(Commune.objects.units().order_by("code").values_list("code", flat=True))
    cpts_list = Cpts.objects.bulk_create(
        [
            Cpts(name=f"CPTS parcours {i:03d}", slug=f"parcours-{i:03d}", status=Cpts.Status.ACTIVE)
            for i in range(scale["cpts"])
        ]
    )
    # Each CPTS draws its patients from a run of 30 neighbouring communes.
    territories = {}
    for cpts in cpts_list:
        start = rng.randrange(len(communes) - 30)
        territories[cpts.pk] = communes[start : start + 30]
    people, owners = [], []
    serial = 0
    for cpts in cpts_list:
        for code, label, role, share in PROFESSIONS:
            for _ in range(max(1, round(scale["professionals_per_cpts"] * share))):
                rpps = rpps_number(720_000_000 + serial)
                last, first = rng.choice(LAST_NAMES).upper(), rng.choice(FEMALE_NAMES + MALE_NAMES)
                people.append(
                    Professional(
                        source_hash=f"{serial:032x}",
                        id_type="8",
                        identifier=rpps,
                        national_id=f"8{rpps}",
                        last_name=last,
                        first_name=first,
                        search_name=search_name(last, first),
                        profession_code=code,
                        profession_label=label,
                        category_code="C",
                        category_label="Civil",
                    )
                )
                owners.append((cpts.pk, role))
                serial += 1
    people = Professional.objects.bulk_create(people, batch_size=5000)
    password = make_password(None)  # unusable: the benchmark logs in with force_login
    users = User.objects.bulk_create(
        [User(email=f"pro{i}@bench.invalid", password=password) for i in range(len(people))]
        + [User(email=f"coord{c.pk}@bench.invalid", password=password) for c in cpts_list],
        batch_size=5000,
    )
    pro_users, coordinators = users[: len(people)], users[len(people) :]
    ProfessionalAccount.objects.bulk_create(
        [ProfessionalAccount(user=u, professional=p) for u, p in zip(pro_users, people, strict=True)], batch_size=5000
    )
    Role.objects.bulk_create(
        [Role(user=u, kind=RoleKind.MEMBER, cpts_id=cpts_pk) for u, (cpts_pk, _) in zip(pro_users, owners, strict=True)]
        + [Role(user=u, kind=RoleKind.COORDINATOR, cpts=c) for u, c in zip(coordinators, cpts_list, strict=True)],
        batch_size=5000,
    )
    by_role: dict[tuple[int, str], list[int]] = {}
    for person, (cpts_pk, role) in zip(people, owners, strict=True):
        by_role.setdefault((cpts_pk, role), []).append(person.pk)
    user_of = {p.pk: u for p, u in zip(people, pro_users, strict=True)}
    return {
        "cpts": cpts_list,
        "territories": territories,
        "by_role": by_role,
        "user_of": user_of,
        "professionals": len(people),
        "users": len(users),
    }


def library_steps() -> dict[int, list[tuple]]:
    """The shared library's published templates: id → [(step id, offset, tolerance, title, role)]."""
    from maillage.pathways.models import PathwayTemplate, TemplateStep

    templates = list(PathwayTemplate.objects.library().published().values_list("pk", flat=True))
    if not templates:
        raise BenchError("no published template in the shared library (migration pathways 0002_library)")
    steps: dict[int, list[tuple]] = {pk: [] for pk in templates}
    for row in (
        TemplateStep.objects.filter(template_id__in=templates)
        .order_by("template_id", "position", "id")
        .values_list("template_id", "pk", "offset_days", "overdue_after_days", "title", "role")
    ):
        steps[row[0]].append(row[1:])
    return steps


def make_pathways(scale: dict, region: dict, rng: random.Random, now: datetime) -> dict:
    """The pathways, their information and decisions, their teams and their tasks."""
    from maillage.directory.synthetic import FEMALE_NAMES, LAST_NAMES, MALE_NAMES
    from maillage.pathways.models import CareTeamMember, Pathway, PatientInformation, SharingDecision, Task

    today = now.date()
    steps = library_steps()
    templates = list(steps)
    per_cpts = scale["pathways"] // len(region["cpts"])
    pathways, informations, decisions, members = [], [], [], []
    teams: dict[int, dict[str, int]] = {}  # pathway → role → membership id
    facts: dict[int, tuple] = {}  # pathway → (template, start)
    pk = decision_pk = member_pk = 0
    for cpts in region["cpts"]:
        communes = region["territories"][cpts.pk]
        for _ in range(per_cpts):
            pk += 1
            template = rng.choice(templates)
            start = today - timedelta(days=rng.randrange(240))
            female = rng.random() < 0.55
            first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
            silent = rng.random() < SILENT_SHARE
            contact = today - timedelta(days=rng.randint(1, 20)) if silent else today + timedelta(rng.randint(0, 14))
            pathways.append(
                (
                    pk,
                    cpts.pk,
                    template,
                    rng.choice(LAST_NAMES).upper(),
                    first,
                    date(rng.randint(1930, 1960), rng.randint(1, 12), rng.randint(1, 28)),
                    "F" if female else "M",
                    rng.choice(communes),
                    "0600000000",
                    "patient",
                    start,
                    start - timedelta(days=1),
                    "active",
                    contact,
                    now,
                    now,
                    0,
                )
            )
            informations.append((pk, pk, "Dr Bench", now - timedelta(days=(today - start).days), "2026-12-v1", now))
            decision_pk += 1
            decisions.append((decision_pk, pk, pk, "team", "non_opposition"))
            if rng.random() < COORDINATION_CONSENT_SHARE:
                decision_pk += 1
                decisions.append((decision_pk, pk, pk, "coordination", "consent"))
            team = {}
            for role in ("gp", "nurse", rng.choice(["pharmacist", "physio"])):
                member_pk += 1
                members.append((member_pk, pk, rng.choice(region["by_role"][cpts.pk, role]), role, now))
                team[role] = member_pk
            teams[pk] = team
            facts[pk] = (template, start)
    with stopwatch(f"{number(len(pathways))} pathways, informations, decisions, {number(len(members))} members"):
        insert(
            Pathway,
            [
                "id",
                "cpts_id",
                "template_id",
                "last_name",
                "first_name",
                "birth_date",
                "sex",
                "commune_id",
                "phone",
                "referrer_kind",
                "start_date",
                "discharge_date",
                "status",
                "contact_due_on",
                "status_changed_at",
                "created_at",
                "version",
            ],
            pathways,
        )
        insert(
            PatientInformation,
            ["id", "pathway_id", "informed_by_label", "informed_at", "text_version", "recorded_at"],
            informations,
        )
        insert(SharingDecision, ["id", "information_id", "pathway_id", "scope", "decision"], decisions)
        insert(CareTeamMember, ["id", "pathway_id", "professional_id", "role", "added_at"], members)
    del pathways, informations, decisions

    counts = {"done": 0, "open_past_due": 0, "open": 0, "cancelled": 0, "unassigned": 0}

    def tasks():
        task_pk = 0
        for pathway_pk, (template, start) in facts.items():
            template_steps = steps[template]
            team = teams[pathway_pk]
            for i in range(scale["tasks_per_pathway"]):
                task_pk += 1
                if i < len(template_steps):
                    step, offset, tolerance, title, role = template_steps[i]
                else:  # added by hand: a follow-up visit every couple of weeks
                    step, offset, tolerance, title, role = (
                        None,
                        14 * (i - len(template_steps) + 1),
                        3,
                        "Visite de suivi",
                        "nurse",
                    )
                due = start + timedelta(days=offset)
                assignee = team.get(role) or team["gp"]
                if rng.random() < UNASSIGNED_SHARE:
                    assignee = None
                    counts["unassigned"] += 1
                done_on = None
                if due < today:
                    draw = rng.random()
                    if draw < DONE_SHARE:
                        status, done_on = "done", min(today, due + timedelta(days=rng.randint(-2, 3)))
                        counts["done"] += 1
                    elif draw < DONE_SHARE + CANCELLED_SHARE:
                        status = "cancelled"
                        counts["cancelled"] += 1
                    else:
                        status = rng.choice(["todo", "in_progress"])
                        counts["open_past_due"] += 1
                else:
                    status = "todo"
                    counts["open"] += 1
                yield (
                    task_pk,
                    pathway_pk,
                    step,
                    title,
                    due,
                    assignee,
                    status,
                    "Note clinique de suivi",
                    done_on,
                    due + timedelta(days=tolerance),
                    now,
                    0,
                )

    total = scale["pathways"] // len(region["cpts"]) * len(region["cpts"]) * scale["tasks_per_pathway"]
    with stopwatch(f"{number(total)} tasks"):
        written = insert(
            Task,
            [
                "id",
                "pathway_id",
                "step_id",
                "title",
                "due_on",
                "assignee_id",
                "status",
                "note",
                "done_on",
                "alert_on",
                "created_at",
                "version",
            ],
            tasks(),
        )
    reset_sequences(Pathway, PatientInformation, SharingDecision, CareTeamMember, Task)
    return {"pathways": len(facts), "tasks": written, "members": len(members), "task_counts": counts, "teams": teams}


# --- Measurements (worker process) ---------------------------------------------------------------


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def past_due_baseline(today):
    """The baseline of the detection: one SELECT of all the open tasks past due."""
    from maillage.pathways.models import Task

    return list(Task.objects.open().filter(alert_on__lt=today).values_list("pk", "pathway_id"))


def measure_detection(now: datetime) -> dict:
    from django.urls import reverse

    from maillage.pathways.models import RuptureAlert
    from maillage.pathways.ruptures import detect

    reverse("www:pathway_list", args=["x"])  # the URLconf is loaded once per process: not the detection's cost
    today = now.date()
    past_due_baseline(today)  # warm-up
    base = [timed(past_due_baseline, today)[0] for _ in range(3)]
    rows = len(past_due_baseline(today))
    log(f"   baseline: {number(rows)} open tasks past due, {seconds(min(base))}")
    if os.environ.get("BENCH_PROFILE"):  # where the first run spends its time, on stderr
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        first, outcome = timed(profiler.runcall, detect, now)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)
    else:
        first, outcome = timed(detect, now)
    log(f"   first detection: {seconds(first)} ({outcome})")
    steady = []
    for _ in range(3):
        took, again = timed(detect, now)
        steady.append(took)
    # The next hour: a few tasks done meanwhile would resolve a few alerts; nothing new is raised.
    return {
        "baseline": base,
        "baseline_rows": rows,
        "first": first,
        "raised": outcome.raised,
        "resolved": outcome.resolved,
        "emails": outcome.emails,
        "steady": steady,
        "steady_raised": again.raised,
        "open_alerts": RuptureAlert.objects.open().count(),
    }


def measure_task_lists(scale: dict, region: dict, made: dict, rng: random.Random) -> dict:
    """Team members open their list of pathways and one of their pathways, as on the site."""
    from allauth.mfa.models import Authenticator
    from django.test import Client
    from django.urls import reverse

    from maillage.pathways.models import CareTeamMember, Pathway

    members = list(
        CareTeamMember.objects.filter(professional__isnull=False)
        .values_list("professional_id", "pathway_id", "pathway__cpts__slug")
        .order_by("?")[: scale["members"]]
    )
    users = [region["user_of"][professional] for professional, _, _ in members]
    Authenticator.objects.bulk_create(
        [Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": "x"}) for u in set(users)],
        ignore_conflicts=True,
    )
    clients = []
    for user, (_professional, pathway, slug) in zip(users, members, strict=True):
        client = Client()
        client.force_login(user)
        clients.append(
            (
                client,
                reverse("www:pathway_list", args=[slug]),
                reverse("www:pathway_detail", args=[slug, pathway]),
                pathway,
            )
        )
    pks = [pathway for _, _, _, pathway in clients]

    def get(client, url):
        response = client.get(url)
        if response.status_code != 200:
            raise BenchError(f"GET {url} answered {response.status_code}")
        return response

    for client, list_url, detail_url, _ in clients[:10]:  # warm-up
        get(client, list_url)
        get(client, detail_url)
        Pathway.objects.get(pk=pks[0])
    lists, details, base, listed = [], [], [], []
    log(f"   {len(clients)} members: their list, one of their pathways…")
    for client, list_url, detail_url, pathway in clients:
        took, response = timed(get, client, list_url)
        lists.append(took * 1000)
        listed.append(response.content.decode().count("/parcours-patients/"))
        took, _ = timed(get, client, detail_url)
        details.append(took * 1000)
        took, _ = timed(lambda p=pathway: Pathway.objects.get(pk=p))
        base.append(took * 1000)
    return {"list": lists, "detail": details, "base": base, "links": listed}


def worker(options) -> dict:
    from django.db import connection
    from django.utils import timezone

    scale = scale_of(options)
    log(f"== {connection.vendor}: setting up a fresh database")
    install_reference()
    rng = random.Random(SEED)
    now = timezone.now()
    with stopwatch(f"{scale['cpts']} CPTS, their professionals, accounts and roles"):
        region = make_region(scale, rng, now)
    made = make_pathways(scale, region, rng, now)
    if connection.vendor == "postgresql":
        with stopwatch("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    log("   rupture detection…")
    detection = measure_detection(now)
    lists = measure_task_lists(scale, region, made, rng)
    return {
        "vendor": connection.vendor,
        "server": connection.pg_version if connection.vendor == "postgresql" else None,
        "cpts": len(region["cpts"]),
        "professionals": region["professionals"],
        "pathways": made["pathways"],
        "members": made["members"],
        "tasks": made["tasks"],
        "task_counts": made["task_counts"],
        "detection": detection,
        "lists": lists,
    }


# --- Report (parent process) ---------------------------------------------------------------------


def report(results: list[tuple[str, dict]]) -> tuple[list[str], bool]:
    data_rows, detect_rows, list_rows, verdicts, failed = [], [], [], [], False
    for label, data in results:
        c = data["task_counts"]
        data_rows.append(
            [
                label,
                number(data["cpts"]),
                number(data["professionals"]),
                number(data["pathways"]),
                number(data["members"]),
                number(data["tasks"]),
                f"{number(c['done'])} / {number(c['open_past_due'])} / {number(c['open'])}",
            ]
        )
        d = data["detection"]
        base = min(d["baseline"])
        steady = min(d["steady"])
        met = d["first"] < TARGETS["detect_s"] and steady < TARGETS["detect_s"]
        verdicts.append(f"detection {'met' if met else 'NOT MET'} on {label} (first {seconds(d['first'])})")
        detect_rows.append(
            [
                label,
                "baseline: SELECT open tasks past due",
                number(d["baseline_rows"]) + " rows",
                seconds(base),
                "1.0×",
                "",
            ]
        )
        detect_rows.append(
            [
                label,
                "detect(), first run",
                f"{number(d['raised'])} raised, {number(d['emails'])} emails",
                seconds(d["first"]),
                f"{d['first'] / base:.1f}×",
                f"< {TARGETS['detect_s']:g} s: {'met' if d['first'] < TARGETS['detect_s'] else 'NOT MET'}",
            ]
        )
        detect_rows.append(
            [
                label,
                "detect(), steady run (best of 3)",
                f"{number(d['steady_raised'])} raised",
                seconds(steady),
                f"{steady / base:.1f}×",
                f"< {TARGETS['detect_s']:g} s: {'met' if steady < TARGETS['detect_s'] else 'NOT MET'}",
            ]
        )
        if d["steady_raised"]:
            failed = True
            verdicts.append(f"{label}: a second detection raised {d['steady_raised']} alerts again (must be 0)")
        lists = data["lists"]
        b50, b95 = percentile(lists["base"], 0.5), percentile(lists["base"], 0.95)
        for name, key in (("member's pathway list (page)", "list"), ("one pathway's page (tasks)", "detail")):
            times = lists[key]
            p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
            met = p95 < TARGETS["list_ms"]
            verdicts.append(f"{name} {'met' if met else 'NOT MET'} on {label} (p95 {p95:.1f} ms)")
            list_rows.append(
                [
                    label,
                    name,
                    number(len(times)),
                    f"{p50:.1f} ms",
                    f"{p95:.1f} ms",
                    f"{max(times):.1f} ms",
                    f"{b50:.2f} ms",
                    f"{b95:.2f} ms",
                    f"{p50 / b50:.0f}×",
                    f"{p95 / b95:.0f}×",
                    f"< {TARGETS['list_ms']:g} ms: {'met' if met else 'NOT MET'}",
                ]
            )
    print_table(
        ["database", "CPTS", "professionals", "pathways", "team members", "tasks", "tasks done / late / to come"],
        data_rows,
        title="Synthetic région (all pathways active)",
    )
    print_table(
        ["database", "run", "rows", "time", "ratio", "target"],
        detect_rows,
        title="Rupture detection over the région (baseline: one SELECT of the open tasks past due)",
    )
    print_table(
        [
            "database",
            "page",
            "requests",
            "p50",
            "p95",
            "max",
            "base p50",
            "base p95",
            "ratio p50",
            "ratio p95",
            "target p95",
        ],
        list_rows,
        title="A team member's task list, real pages through Django's test Client (baseline: a pathway by primary key)",
    )
    return verdicts, failed


def _extra(parser) -> None:
    parser.add_argument("--postgres-only", action="store_true", help="measure PostgreSQL only (the full run is long)")


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0], extra=_extra)
    if options.worker:
        return worker_entry(worker, options)
    scale = scale_of(options)
    try:
        check_reference_data()
    except BenchError as exc:
        print(f"bench/pathways.py: {exc}", file=sys.stderr)
        return 2
    print(
        f"Pathways benchmark — {scale['cpts']} CPTS, {number(scale['pathways'])} pathways, "
        f"{number(scale['pathways'] * scale['tasks_per_pathway'])} tasks, {'quick' if options.quick else 'full'} run",
        flush=True,
    )
    with databases(options) as dbs:
        targets = [t for t in dbs.targets if t.label != "SQLite"] if options.postgres_only else dbs.targets
        results, problems, failed = run_targets(__file__, dbs, targets, ["--quick"] if options.quick else [])
    print()
    if results:
        verdicts, bad = report(results)
        failed = failed or bad
        print("Targets: " + "; ".join(verdicts) + ".")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())

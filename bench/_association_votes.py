"""Association benchmark, the votes' part (issue 16 item 3): a general assembly's vote count.

A CPTS's association with 3,000 voting members over the five default collèges (votes weighted by
collège), one ordinary general assembly held: 2,000 members present, 700 represented by a proxy
(to present members, two at most each), 300 having voted online; two resolutions, one open and
one secret, each with 3,000 ballots (the present members', the proxies' cast by their holders and
the online ones), 6,000 participations and ballots in all.

Measured: the assembly's whole count as its page and its PV read it — the attendance against the
quorum (`tally.attendance_figures`) and every resolution's result by head and weighted
(`tally.resolution_results`) — repeated; target p95 < 200 ms. Baseline in the same run: one plain
COUNT of a resolution's ballots.

`measure_votes(quick=…)` runs inside a Django worker (bench/association.py calls it in its own,
after its région: it makes a CPTS of its own); `report_votes(results)` prints the table in the
parent. As a helper (the underscore), .ci/run's loop over bench/*.py does not measure it twice:
alone, it measures only with --standalone:

    .venv/bin/python bench/_association_votes.py --standalone            # 3,000 members, 300 counts
    .venv/bin/python bench/_association_votes.py --standalone --quick    # 40 counts
    .venv/bin/python bench/_association_votes.py --standalone --postgres postgres://user@host:port/db

Measured (2026-12-06, 2 shared cores with other work running, migrate taking 80-95 s: indicative),
300 counts of 6,000 ballots: SQLite p50 41.5 ms, p95 74.3 ms (baseline COUNT p95 28.9 ms);
PostgreSQL 15 p50 16.1 ms, p95 41.0 ms (baseline p95 17.3 ms). Target met on both.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from _common import (  # the bench folder is not a package: helpers come from the path above
    databases,
    log,
    number,
    parse_options,
    print_table,
    run_targets,
    stopwatch,
    worker_entry,
)

MEMBERS = 3_000
PRESENT, REPRESENTED, REMOTE = 2_000, 700, 300
REPEAT = {"quick": 40, "full": 300}
TARGET_MS = 200.0
SEED = 20261206


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def build_assembly(cpts=None):
    """The CPTS (a new one unless given), its 3,000 voting members, the assembly held and its
    ballots, written in bulk (no action per vote: the data of a benchmark)."""
    from django.db import transaction
    from django.utils import timezone

    from maillage.association import statutes
    from maillage.association.models import Member
    from maillage.association.models.assemblies import (
        AgendaItem,
        Assembly,
        Attendance,
        Ballot,
        Participation,
        Resolution,
    )
    from maillage.territory.models import Cpts

    rng = random.Random(SEED)
    now = timezone.now()
    with transaction.atomic():
        if cpts is None:
            cpts = Cpts.objects.create(name="CPTS des votes", slug="bench-votes", status=Cpts.Status.ACTIVE)
        rules = statutes.of(cpts)
        rules.weighted_votes = True
        rules.save()
        colleges = list(cpts.colleges.order_by("order"))
        shares = [0.6, 0.1, 0.1, 0.1, 0.1]
        members = Member.objects.bulk_create(
            [
                Member(
                    cpts=cpts,
                    college=rng.choices(colleges, weights=shares[: len(colleges)])[0],
                    kind="person",
                    last_name=f"Votant {n:05d}",
                    first_name="Bench",
                    status="current",
                )
                for n in range(MEMBERS)
            ],
            batch_size=1000,
        )
        assembly = Assembly.objects.create(
            cpts=cpts, kind="ordinary", title="AG du banc d'essai", starts_at=now, place="Salle", status="held",
            convened_at=now, quorum_percent=25, majority_percent=None, max_proxies=2, weighted=True,
            weights={str(c.pk): c.vote_weight for c in colleges}, quorum_reached=True,
        )  # fmt: skip
        AgendaItem.objects.create(assembly=assembly, order=1, title="Rapport moral")
        resolutions = [
            Resolution.objects.create(assembly=assembly, order=1, title="Rapport moral", secret=False),
            Resolution.objects.create(assembly=assembly, order=2, title="Élection", secret=True),
        ]
        present = members[:PRESENT]
        represented = members[PRESENT : PRESENT + REPRESENTED]
        remote = members[PRESENT + REPRESENTED : PRESENT + REPRESENTED + REMOTE]
        holders = {m.pk: present[n // 2] for n, m in enumerate(represented)}  # two proxies per holder at most
        rows = [Attendance(assembly=assembly, member=m, college_id=m.college_id, presence="present") for m in present]
        rows += [
            Attendance(
                assembly=assembly, member=m, college_id=m.college_id, presence="represented", proxy=holders[m.pk]
            )
            for m in represented
        ]
        rows += [Attendance(assembly=assembly, member=m, college_id=m.college_id, presence="remote") for m in remote]
        Attendance.objects.bulk_create(rows, batch_size=1000)
        online = {m.pk for m in remote}
        participations, ballots = [], []
        for resolution in resolutions:
            for m in members:
                choice = rng.choices(["for", "against", "abstain"], weights=[0.6, 0.3, 0.1])[0]
                channel = "online" if m.pk in online else "room"
                proxy = holders.get(m.pk)
                participations.append(Participation(resolution=resolution, member=m, proxy=proxy, channel=channel))
                ballots.append(Ballot(resolution=resolution, college_id=m.college_id, choice=choice,
                                      member=None if resolution.secret else m))  # fmt: skip
        Participation.objects.bulk_create(participations, batch_size=2000)
        Ballot.objects.bulk_create(ballots, batch_size=2000)
    return assembly, resolutions


def measure_votes(*, quick: bool, cpts=None) -> dict:
    """In a worker with Django set up and migrated: builds the assembly, then times its count."""
    from django.db import connection

    from maillage.association.models.assemblies import Ballot
    from maillage.association.tally import attendance_figures, resolution_results

    with stopwatch(f"{number(MEMBERS)} members, an assembly held, {number(2 * MEMBERS)} ballots"):
        assembly, resolutions = build_assembly(cpts)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    repeat = REPEAT["quick" if quick else "full"]

    def count():
        figures = attendance_figures(assembly)
        return figures, resolution_results(assembly)

    def baseline():
        return Ballot.objects.filter(resolution=resolutions[0]).count()

    count(), baseline()  # warm-up
    counts, bases = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        figures, results = count()
        counts.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        baseline()
        bases.append((time.perf_counter() - start) * 1000)
    log(f"   {repeat} counts: p95 {_percentile(counts, 0.95):.1f} ms")
    return {
        "ballots": sum(r.ballots for r in results),
        "electorate": figures.electorate,
        "counted": figures.counted,
        "quorum": figures.quorum_reached,
        "adopted": [r.adopted for r in results],
        "count_ms": counts,
        "baseline_ms": bases,
    }


def report_votes(results: list) -> tuple[list[str], bool]:
    """The table of `measure_votes`'s figures per database: (verdicts, failed)."""
    rows, verdicts, failed = [], [], False
    for label, data in results:
        counts, bases = data["count_ms"], data["baseline_ms"]
        p50, p95 = _percentile(counts, 0.5), _percentile(counts, 0.95)
        b50, b95 = _percentile(bases, 0.5), _percentile(bases, 0.95)
        met = p95 < TARGET_MS
        right = data["ballots"] == 2 * MEMBERS and data["counted"] == MEMBERS
        failed = failed or not met or not right
        verdicts.append(f"vote count {'met' if met else 'NOT MET'} on {label} (p95 {p95:.1f} ms)")
        if not right:
            verdicts.append(f"{label}: the count is wrong ({data['ballots']} ballots, {data['counted']} counted)")
        rows.append(
            [
                label,
                number(data["ballots"]),
                number(len(counts)),
                f"{p50:.1f} ms",
                f"{p95:.1f} ms",
                f"{b50:.2f} ms",
                f"{b95:.2f} ms",
                f"{p95 / b95:.0f}×",
                f"< {TARGET_MS:g} ms: {'met' if met else 'NOT MET'}",
            ]
        )
    print_table(
        ["database", "ballots", "counts", "p50", "p95", "base p50", "base p95", "ratio p95", "target p95"],
        rows,
        title="An AG's vote count: quorum and every resolution by head and weighted "
        "(baseline: COUNT of one resolution's ballots)",
    )
    return verdicts, failed


def _worker(options) -> dict:
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    with stopwatch("migrate"):
        call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    figures = measure_votes(quick=options.quick)
    figures["vendor"] = connection.vendor
    figures["server"] = connection.pg_version if connection.vendor == "postgresql" else None
    return figures


def _extra(parser) -> None:
    parser.add_argument("--standalone", action="store_true", help="measure the vote count alone")


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0], extra=_extra)
    if options.worker:
        return worker_entry(_worker, options)
    if not options.standalone:
        # .ci/run calls every bench/*.py; bench/association.py measures this part.
        print("bench/_association_votes.py: measured by bench/association.py (alone: --standalone).")
        return 0
    print(f"Association votes benchmark — {number(MEMBERS)} members, {'quick' if options.quick else 'full'} run")
    with databases(options) as dbs:
        args = ["--quick"] if options.quick else []
        results, problems, failed = run_targets(__file__, dbs, dbs.targets, args)
    print()
    if results:
        verdicts, bad = report_votes(results)
        failed = failed or bad
        print("Targets: " + "; ".join(verdicts) + ".")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())

"""Association benchmark, newsletter part (issue 16): a newsletter to a large CPTS's 3,000 members.

Measured in one process on one database (the caller's), against a baseline in the same run:
- enqueue: `send_mailing` through its real path — the audience computed from the voting members,
  one delivery row per recipient and one background task per batch of 50 copies, one transaction,
  committed. Target:
  under 2 s for 3,000 members;
- delivery: the worker (`manage.py worker --batch`, the real command) drains the queue, each task
  sending its copy and recording its status on the delivery row; the rate is printed next to the
  console backend's raw rate: `send_mail` of the same 3,000 texts directly (the baseline; the
  console backend writes to a null stream here).

`bench/association.py` calls `measure(build_cpts(n))` in its worker and `report(results)` in its
parent. As a helper (the underscore), .ci/run's loop over bench/*.py does not measure it twice:
alone, it measures only with --standalone (and builds its own database):

    .venv/bin/python bench/_association_newsletter.py --standalone            # 3,000 members
    .venv/bin/python bench/_association_newsletter.py --standalone --quick    # 300 members
"""

import contextlib
import io
import os
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
    seconds,
    worker_entry,
)

FULL, QUICK = 3000, 300
ENQUEUE_TARGET_S = 2.0  # for FULL members
CONSOLE = "django.core.mail.backends.console.EmailBackend"


def build_cpts(n: int, slug: str = "bench-lettre"):
    """A CPTS with `n` current members spread over its collèges, each with an address."""
    from datetime import date

    from maillage.association import statutes
    from maillage.association.models import College, Member
    from maillage.territory.models import Cpts

    cpts = Cpts.objects.create(name="CPTS lettre d'information", slug=slug, status=Cpts.Status.ACTIVE)
    statutes.of(cpts)
    colleges = list(College.objects.filter(cpts=cpts).order_by("order"))
    paid = date(date.today().year, 12, 31)
    Member.objects.bulk_create(
        [
            Member(
                cpts=cpts,
                college=colleges[i % len(colleges)],
                kind=Member.Kind.PERSON,
                last_name=f"Adhérent{i:05d}",
                first_name="Camille",
                email=f"adherent{i:05d}@exemple.fr",
                profession_code="10" if i % 3 == 0 else "60",
                status=Member.Status.CURRENT,
                paid_until=paid,
            )
            for i in range(n)
        ],
        batch_size=1000,
    )
    return cpts


def measure(cpts, *, sender=None) -> dict:
    """The newsletter benchmark on `cpts`'s voting members (run in a benchmark worker process,
    with nothing else in the task queue)."""
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import override_settings
    from django_tasks_db.models import DBTaskResult

    from maillage.association import mailing as mailings
    from maillage.association.actions.comms import MailingDraft, send_mailing, write_mailing
    from maillage.association.models import Audience, Delivery, Mailing

    body = (
        "Bonjour,\n\nAu sommaire ce mois-ci : la nouvelle formation à la spirométrie au cabinet, le protocole "
        "plaies chroniques validé par le groupe de travail, et la soirée thématique sur la santé mentale des "
        "adolescents. Inscrivez-vous depuis votre espace adhérent.\n\nÀ bientôt.\n"
    )
    draft = MailingDraft(kind=Mailing.Kind.NEWSLETTER, subject="Lettre de décembre", body=body, audience=Audience.ALL)
    null = io.StringIO()
    with override_settings(EMAIL_BACKEND=CONSOLE), contextlib.redirect_stdout(null):
        # Baseline: the same texts handed to the console backend directly, one send_mail each.
        probe = write_mailing(cpts, draft, sender)
        texts = [
            (mailings.subject_line(probe), mailings.text_for(probe, pk), email)
            for pk, email in mailings.recipients_of(probe)
        ]
        start = time.perf_counter()
        for subject, text, email in texts:
            mail.send_mail(subject, text, None, [email])
        direct = time.perf_counter() - start
        log(f"   console backend directly: {seconds(direct)} for {number(len(texts))} emails")

        mailing = write_mailing(cpts, draft, sender)
        start = time.perf_counter()
        count = send_mailing(mailing, sender)
        enqueue = time.perf_counter() - start
        queued = DBTaskResult.objects.ready().count()
        log(f"   enqueue: {seconds(enqueue)} ({number(count)} deliveries, {number(queued)} tasks)")

        start = time.perf_counter()
        call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
        deliver = time.perf_counter() - start
    sent = Delivery.objects.filter(mailing=mailing, status=Delivery.Status.SENT).count()
    if sent != count:
        raise AssertionError(f"{sent} deliveries sent for {count} recipients")
    log(f"   delivery by the worker: {seconds(deliver)}")
    return {
        "server": connection.pg_version if connection.vendor == "postgresql" else 0,
        "members": count,
        "direct_s": direct,
        "enqueue_s": enqueue,
        "deliver_s": deliver,
    }


def rows(results: list) -> tuple[list[list], list[str]]:
    """Table rows and verdicts for [(database label, figures of `measure`)]."""
    table, verdicts = [], []
    for label, d in results:
        n = d["members"]
        rate, direct_rate = n / d["deliver_s"], n / d["direct_s"]
        target = ENQUEUE_TARGET_S * max(n, 1) / FULL if n < FULL else ENQUEUE_TARGET_S
        met = d["enqueue_s"] < target
        table.append(
            [
                label,
                number(n),
                seconds(d["enqueue_s"]),
                f"< {target:g} s: {'met' if met else 'NOT MET'}",
                seconds(d["deliver_s"]),
                f"{rate:,.0f}".replace(",", " "),
                f"{direct_rate:,.0f}".replace(",", " "),
                f"{rate / direct_rate:.3f}",
            ]
        )
        verdicts.append(f"newsletter enqueue {'met' if met else 'NOT MET'} on {label} ({seconds(d['enqueue_s'])})")
    return table, verdicts


HEADERS = ["database", "members", "enqueue", "target", "delivery", "delivered/s", "console send_mail/s", "ratio"]
TITLE = "A newsletter to every member: enqueued with the send, delivered by one worker (console backend)"


def report(results: list) -> list[str]:
    table, verdicts = rows(results)
    print_table(HEADERS, table, title=TITLE)
    return verdicts


def worker(options) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return measure(build_cpts(QUICK if options.quick else FULL))


def _extra(parser) -> None:
    parser.add_argument("--standalone", action="store_true", help="measure the newsletter alone")


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0], extra=_extra)
    if options.worker:
        return worker_entry(worker, options)
    if not options.standalone:
        print("bench/_association_newsletter.py: measured by bench/association.py (alone: --standalone).")
        return 0
    n = QUICK if options.quick else FULL
    print(f"Association newsletter benchmark — {number(n)} members, {'quick' if options.quick else 'full'} run")
    with databases(options) as dbs:
        results, problems, failed = run_targets(__file__, dbs, dbs.targets, ["--quick"] if options.quick else [])
    print()
    if results:
        verdicts = report(results)
        if options.quick:
            print(f"Quick run: the target (enqueue < {ENQUEUE_TARGET_S:g} s) is judged on {number(FULL)} members;")
            print("here it is scaled to the number of members.")
        print("Targets: " + "; ".join(verdicts) + ".")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())

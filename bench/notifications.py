"""Notifications benchmark: emails enqueued on commit, then delivered by one worker.

A matching of many proposals used to send its emails inside the request. Now each write enqueues
one task per email once its transaction commits (maillage/core/mail.py) and the worker sends them
(`manage.py worker`, django-tasks-db). Each database (a fresh SQLite file, a fresh PostgreSQL
database) is set up in its own process with `migrate`; then, into Django's in-memory (locmem) email
backend:
- enqueue: N emails through the real path (`send_after_commit`, the texts of a proposal email)
  inside one transaction and `mail.batch()`, as the matching does, timed with the commit; the same
  one by one (one INSERT per email, as a single write does) is shown beside it, then rolled back;
- delivery: `manage.py worker --batch` (the real command, one worker) drains the queue;
- baseline, same run, same process: sending the same N emails directly with the locmem backend
  (what the request did before, minus the SMTP server).
Targets: enqueue < 2 s for 10,000 emails; the delivery rate is reported with its ratio to the
baseline.

    .venv/bin/python bench/notifications.py            # 10,000 emails
    .venv/bin/python bench/notifications.py --quick    # 500 emails (CI)
"""

import contextlib
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

FULL = 10_000
QUICK = 500
ENQUEUE_TARGET_S = 2.0  # for FULL emails


class RolledBack(Exception):
    pass


def _texts(i: int) -> tuple[str, str, str]:
    """An email the size of a proposal's (doctor_access/notify.py), without any patient in it."""
    body = (
        f"Bonjour Docteur Martin{i},\n\n"
        "La CPTS Châtillon-Malakoff-Vanves vous propose un nouveau patient qui cherche un médecin traitant, "
        "dans la limite des places que vous avez ouvertes.\n\n"
        "Consultez la proposition et répondez depuis votre espace Maillage : "
        "https://maillage.example/c/cmv/medecin-traitant/mes-patients/\n\n"
        "Sans réponse de votre part dans 7 jours, la proposition expire et le patient est proposé à un "
        "autre médecin.\n"
    )
    return f"medecin{i}@exemple.fr", "Un nouveau patient vous est proposé", body


def worker(options) -> dict:
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    from maillage.core.mail import SUBJECT_PREFIX, batch, send_after_commit

    n = QUICK if options.quick else FULL
    call_command("migrate", verbosity=0)
    texts = [_texts(i) for i in range(n)]

    # Baseline: the same emails sent directly, as the request did before.
    mail.outbox = []
    start = time.perf_counter()
    for to, subject, body in texts:
        mail.EmailMessage(SUBJECT_PREFIX + subject, body, None, [to]).send()
    direct = time.perf_counter() - start
    assert len(mail.outbox) == n
    log(f"   direct sending: {seconds(direct)}")

    # One by one, as a single write enqueues its email (measured, then rolled back).
    start = time.perf_counter()
    with contextlib.suppress(RolledBack), transaction.atomic():
        for to, subject, body in texts:
            send_after_commit(to, subject, body)
        one_by_one = time.perf_counter() - start
        raise RolledBack
    log(f"   enqueue one by one: {seconds(one_by_one)}")

    # As the matching enqueues its proposals' emails: batched, in the write's transaction, committed.
    mail.outbox = []
    start = time.perf_counter()
    with transaction.atomic(), batch():
        for to, subject, body in texts:
            send_after_commit(to, subject, body)
    enqueue = time.perf_counter() - start
    queued = DBTaskResult.objects.ready().count()
    assert queued == n and mail.outbox == [], (queued, len(mail.outbox))
    log(f"   enqueue batched: {seconds(enqueue)}")

    start = time.perf_counter()
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", verbosity=0)
    deliver = time.perf_counter() - start
    sent = sorted(m.to[0] for m in mail.outbox)
    if sent != sorted(to for to, _, _ in texts) or DBTaskResult.objects.successful().count() != n:
        raise AssertionError(f"the worker sent {len(sent)} emails for {n} enqueued")
    log(f"   delivery: {seconds(deliver)}")
    return {
        "server": connection.pg_version if connection.vendor == "postgresql" else 0,
        "emails": n,
        "direct_s": direct,
        "enqueue_s": enqueue,
        "one_by_one_s": one_by_one,
        "deliver_s": deliver,
    }


def report(results: list) -> list[str]:
    rows, verdicts = [], []
    for label, d in results:
        n = d["emails"]
        direct_rate, rate = n / d["direct_s"], n / d["deliver_s"]
        rows.append(
            [
                label,
                number(n),
                seconds(d["enqueue_s"]),
                f"{d['enqueue_s'] / n * 1e6:.0f} µs",
                seconds(d["one_by_one_s"]),
                seconds(d["deliver_s"]),
                f"{rate:,.0f}".replace(",", " "),
                f"{direct_rate:,.0f}".replace(",", " "),
                f"{rate / direct_rate:.3f}",
                f"{d['enqueue_s'] / d['direct_s']:.2f}",
            ]
        )
        target = ENQUEUE_TARGET_S * n / FULL
        met = "met" if d["enqueue_s"] < target else "NOT MET"
        verdicts.append(f"{label}: enqueue {seconds(d['enqueue_s'])} for {number(n)} (< {target:g} s): {met}")
    print_table(
        [
            "database",
            "emails",
            "enqueue (batched)",
            "per email",
            "one by one",
            "delivery",
            "delivered/s",
            "direct/s (baseline)",
            "delivery/direct",
            "enqueue/direct time",
        ],
        rows,
        title="Emails enqueued with the write, then delivered by one worker (locmem backend)",
    )
    return verdicts


def main() -> int:
    options = parse_options(__doc__.split("\n\n")[0])
    if options.worker:
        os.environ["DJANGO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        return worker_entry(worker, options)
    n = QUICK if options.quick else FULL
    print(f"Notifications benchmark — {number(n)} emails, {'quick' if options.quick else 'full'} run", flush=True)
    with databases(options) as dbs:
        results, problems, failed = run_targets(__file__, dbs, dbs.targets, ["--quick"] if options.quick else [])
    print()
    if results:
        verdicts = report(results)
        if options.quick:
            print(f"Quick run: the target (enqueue < {ENQUEUE_TARGET_S:g} s) is judged on {number(FULL)} emails;")
            print("here it is scaled to the number of emails.")
        print("Targets: " + "; ".join(verdicts) + ".")
    for problem in problems:
        print(problem)
    return 1 if failed or not results else 0


if __name__ == "__main__":
    sys.exit(main())

"""`manage.py worker`: django-tasks-db's `db_worker`, after putting back in the queue the tasks a
killed worker had claimed (core/jobs.py `recover_stalled`). Same options as `db_worker`, plus
`--stalled-after`."""

from datetime import timedelta

from django.core.management.base import CommandError
from django_tasks_db.management.commands import db_worker

from maillage.core import jobs


class Command(db_worker.Command):
    help = "Runs the background tasks (emails): django-tasks-db's db_worker, recovering stalled tasks first."

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--stalled-after",
            type=int,
            default=int(jobs.STALLED_AFTER.total_seconds()),
            metavar="SECONDS",
            help=(
                "au démarrage, remet dans la file les tâches « en cours » depuis plus de SECONDS secondes "
                "(un worker tué) ; 0 quand aucun autre worker ne tourne (défaut : 900)"
            ),
        )

    def handle(self, *args, **options):
        stalled_after = options.pop("stalled_after")
        if stalled_after < 0:
            raise CommandError("--stalled-after : un nombre de secondes, 0 ou plus.")
        jobs.recover_stalled(after=timedelta(seconds=stalled_after))
        return super().handle(*args, **options)

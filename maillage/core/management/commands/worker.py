"""`manage.py worker`: django-tasks-db's `db_worker`, after putting back in the queue the tasks a
killed worker had claimed (core/jobs.py `recover_stalled`). Same options as `db_worker`."""

from django_tasks_db.management.commands import db_worker

from maillage.core import jobs


class Command(db_worker.Command):
    help = "Runs the background tasks (emails): django-tasks-db's db_worker, recovering stalled tasks first."

    def handle(self, *args, **options):
        jobs.recover_stalled()
        return super().handle(*args, **options)

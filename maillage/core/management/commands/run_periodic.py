from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from maillage.core import periodic
from maillage.core.french import plural
from maillage.core.models import PeriodicRun


def _when(at) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M") if at else "jamais"


class Command(BaseCommand):
    help = (
        "Lance les tâches périodiques dues (à lancer toutes les 5 minutes par un timer systemd ou cron). "
        "Une tâche déjà lancée pour son créneau ne l'est pas une seconde fois, même par deux commandes "
        "simultanées. --list pour voir les tâches, --job NOM --force pour en lancer une tout de suite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="les tâches, leur dernière et leur prochaine exécution")
        parser.add_argument("--job", default="", help="le nom d'une tâche (voir --list)")
        parser.add_argument("--force", action="store_true", help="avec --job : la lancer maintenant, même déjà faite")

    def handle(self, *args, list, job, force, **options):
        at = periodic.now()
        if list:
            return self.show(at)
        if force and not job:
            raise CommandError("--force s'emploie avec --job NOM.")
        if job:
            try:
                chosen = periodic.get(job)
            except LookupError as exc:
                raise CommandError(str(exc)) from exc
            run = periodic.run_job(chosen, at, force=force)
            runs = [run] if run else []
            if not runs:
                self.stdout.write(f"{chosen.name} : déjà lancée pour ce créneau (--force pour la relancer).")
        else:
            runs = periodic.run_due(at)
        for run in runs:
            outcome = "OK" if run.outcome == PeriodicRun.Outcome.OK else "ÉCHEC"
            self.stdout.write(f"{run.job} : {outcome} en {run.duration.total_seconds():.1f} s — {run.summary}")
        failed = [run.job for run in runs if run.outcome == PeriodicRun.Outcome.FAILED]
        if failed:
            # A non-zero exit code: the systemd unit shows as failed and cron mails the operator.
            raise CommandError(f"{plural(len(failed), 'tâche')} en échec : {', '.join(failed)}.")

    def show(self, at):
        last = {}
        for run in PeriodicRun.objects.filter(job__in=periodic.REGISTRY).order_by("job", "-started_at", "-id"):
            last.setdefault(run.job, run)
        for job in sorted(periodic.REGISTRY.values(), key=lambda job: job.name):
            previous = last.get(job.name)
            done = f"{_when(previous.started_at)} ({previous.get_outcome_display()})" if previous else "jamais"
            due = periodic.is_due(job, at)
            upcoming = "au prochain passage" if due else _when(job.next_slot(at))
            self.stdout.write(f"{job.name} — {job.label}")
            self.stdout.write(f"  {job.schedule} ; dernière : {done} ; prochaine : {upcoming}")

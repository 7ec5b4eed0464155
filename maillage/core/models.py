from django.conf import settings
from django.db import models
from django.utils import timezone
from django_tasks_db.models import DBTaskResult


class AuditEntry(models.Model):
    """One row per write made through an action function, and per read of a patient's data.

    The log is append-only from the application's point of view: nothing updates it, and only the
    retention job deletes it, when `MAILLAGE_AUDIT_RETENTION_DAYS` is set (`audit.purge_expired`).
    """

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept in clear so the log still names who acted after an account is deleted.
    actor_label = models.CharField("auteur", max_length=254, blank=True)
    cpts = models.ForeignKey(
        "territory.Cpts", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    action = models.CharField("action", max_length=100, db_index=True)
    object_type = models.CharField("type d'objet", max_length=100, blank=True)
    object_id = models.CharField("identifiant", max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=255, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)
    health_data = models.BooleanField("accès à des données de santé", default=False)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal d'audit"
        indexes = [models.Index(fields=["cpts", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    @property
    def sentence(self) -> str:
        """What happened, in French (« a qualifié une demande de médecin traitant »)."""
        from maillage.core.audit_labels import label

        return label(self.action)

    @property
    def details_text(self) -> str:
        from maillage.core.audit_labels import describe_details

        return describe_details(self.details)


class TransitionLog(models.Model):
    """A state machine's log (DESIGN.md: explicit state machines with a transition log): who moved
    what from `source` to `target`, when and why. A concrete log adds the object it follows and
    `source`/`target` with that machine's choices, and is written by `log_transition`."""

    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Kept in clear so the log still names who acted after an account is deleted.
    author_label = models.CharField("par", max_length=255)
    note = models.CharField("motif", max_length=255, blank=True)
    at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_source_display() or 'création'} → {self.get_target_display()}"


def log_transition(model: type[TransitionLog], *, actor, source: str, target: str, note: str = "", **fields):
    from maillage.core import audit  # audit imports this module's models

    return model.objects.create(
        source=source,
        target=target,
        author=audit.user_or_none(actor),
        author_label=audit.actor_label(actor),
        note=(note or "").strip()[:255],
        **fields,
    )


class PeriodicRun(models.Model):
    """One run of a periodic job (maillage/core/periodic.py) for one slot: the row is created
    before the job starts and its uniqueness on (job, slot) is the lock, on SQLite as on
    PostgreSQL — a second `run_periodic` started at the same time cannot insert it and skips the
    job. A row left "en cours" by a killed process keeps that slot from running again; the next
    slot runs the job."""

    class Outcome(models.TextChoices):
        RUNNING = "running", "en cours"
        OK = "ok", "réussie"
        FAILED = "failed", "échouée"

    job = models.CharField("tâche", max_length=100)
    slot = models.DateTimeField("créneau")
    forced = models.BooleanField("lancée à la main", default=False)
    started_at = models.DateTimeField("début")
    duration = models.DurationField("durée", null=True, blank=True)
    outcome = models.CharField("résultat", max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    summary = models.CharField("bilan", max_length=255, blank=True)
    error = models.TextField("erreur", blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "exécution périodique"
        verbose_name_plural = "exécutions périodiques"
        # A forced run (`--job NAME --force`, by hand) is outside the schedule and takes no slot.
        constraints = [
            models.UniqueConstraint(
                fields=["job", "slot"], condition=models.Q(forced=False), name="periodic_run_once_per_slot"
            )
        ]
        indexes = [models.Index(fields=["job", "-slot"])]

    def __str__(self):
        return f"{self.job} {self.slot:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class BackgroundTaskResult(DBTaskResult):
    """django-tasks' results under a French name in the admin (a proxy, the same table)."""

    class Meta:
        proxy = True
        verbose_name = "tâche en arrière-plan"
        verbose_name_plural = "tâches en arrière-plan"

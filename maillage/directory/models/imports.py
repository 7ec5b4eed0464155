from django.db import models
from django.utils import timezone


class ImportRun(models.Model):
    """One run of a national import, dry or applied: what file, when, how it ended, what it counted.

    A run that stays « en cours » was killed: the next run of the same source marks it as failed.
    """

    class Source(models.TextChoices):
        RPPS = "rpps", "RPPS / ADELI"
        FINESS = "finess", "FINESS"

    class Status(models.TextChoices):
        RUNNING = "running", "en cours"
        COMPLETED = "completed", "terminé"
        FAILED = "failed", "échoué"

    source = models.CharField("source", max_length=10, choices=Source.choices)
    file_name = models.CharField("fichier", max_length=255)
    file_sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    file_size = models.BigIntegerField("taille (octets)", default=0)
    started_at = models.DateTimeField("début", default=timezone.now)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    status = models.CharField("statut", max_length=10, choices=Status.choices, default=Status.RUNNING)
    applied = models.BooleanField("appliqué", default=False)
    counts = models.JSONField("décompte", default=dict, blank=True)
    message = models.TextField("message", blank=True)
    report_path = models.CharField("rapport des rejets", max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "import national"
        verbose_name_plural = "imports nationaux"
        indexes = [models.Index(fields=["source", "-started_at"])]

    def __str__(self):
        mode = "appliqué" if self.applied else "simulation"
        started = timezone.localtime(self.started_at)
        return f"{self.get_source_display()} {started:%d/%m/%Y %H:%M} ({mode}, {self.get_status_display()})"


class ImportedRow(models.Model):
    """What every row written by a national import carries.

    `source_hash` fingerprints the values taken from the source (and what is derived from them,
    such as the resolved commune): comparing it is the whole diff for an unchanged row, so a re-import
    of an unchanged extraction reads and compares strings only. Rows gone from a full extraction are
    deactivated, never deleted: the CPTS's enrichment (DirectoryEntry) points to them. An active row
    was in the last full extraction applied; `last_run` is the import that last wrote the row.
    """

    source_hash = models.CharField(max_length=32, editable=False)
    last_run = models.ForeignKey(
        ImportRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        # Informative: no database constraint, whose check for each of millions of rows would
        # double the time of a first import on PostgreSQL (runs are never deleted anyway).
        db_constraint=False,
        editable=False,
        verbose_name="dernier import qui a modifié la ligne",
    )
    active = models.BooleanField("présent dans la dernière extraction", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("modifié le", default=timezone.now, editable=False)

    class Meta:
        abstract = True


class ImportedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def inactive(self):
        return self.filter(active=False)

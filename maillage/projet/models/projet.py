from django.db import models

from maillage.core import versioning
from maillage.core.models import TransitionLog
from maillage.indicators.registry import Mission
from maillage.projet.states import Status


class ProjetSante(models.Model):
    """One version of a CPTS's projet de santé; the current one is the latest version."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="projets_sante")
    version = models.PositiveIntegerField("version", default=1)
    status = models.CharField("état", max_length=10, choices=Status.choices, default=Status.DRAFT)
    presentation = models.TextField("présentation de la CPTS", blank=True)
    governance = models.TextField("gouvernance", blank=True)
    diagnostic_comment = models.TextField("analyse du diagnostic", blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # `version` numbers the projet's versions; the edit counter of its texts is this one.
    VERSION_FIELD = "texts_version"
    texts_version = versioning.version_field()

    class Meta:
        ordering = ["cpts", "-version"]
        verbose_name = "projet de santé"
        verbose_name_plural = "projets de santé"
        constraints = [models.UniqueConstraint(fields=["cpts", "version"], name="unique_projet_version")]

    def __str__(self):
        return f"Projet de santé {self.cpts} (version {self.version})"


class ProjetTransition(TransitionLog):
    """The log of a projet's states: who filed it, who recorded the ARS's answer, when."""

    projet = models.ForeignKey(ProjetSante, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=10, choices=Status.choices)
    target = models.CharField("vers", max_length=10, choices=Status.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état du projet de santé"
        verbose_name_plural = "changements d'état du projet de santé"


class FicheAction(models.Model):
    """A fiche-action of the projet: what the CPTS will do for one mission, with whom, how measured."""

    projet = models.ForeignKey(ProjetSante, on_delete=models.CASCADE, related_name="fiches")
    mission = models.CharField("mission", max_length=20, choices=Mission.choices)
    position = models.PositiveIntegerField("ordre", default=1)
    title = models.CharField("intitulé", max_length=200)
    objective = models.TextField("objectif")
    needs = models.TextField("besoins identifiés", blank=True)
    actions = models.TextField("actions", blank=True)
    lead = models.CharField("pilote", max_length=200, blank=True)
    partners = models.TextField("partenaires", blank=True)
    means = models.TextField("moyens", blank=True)
    calendar = models.TextField("calendrier", blank=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    version = versioning.version_field()

    class Meta:
        ordering = ["projet", "mission", "position", "id"]
        verbose_name = "fiche-action"
        verbose_name_plural = "fiches-actions"

    def __str__(self):
        return self.title


class FicheIndicator(models.Model):
    """An indicator of a fiche: a registry code (or a code not registered yet), or free text."""

    fiche = models.ForeignKey(FicheAction, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField("ordre", default=1)
    code = models.CharField("code", max_length=80, blank=True)
    label = models.CharField("indicateur", max_length=255)
    unit = models.CharField("unité", max_length=50, blank=True)
    baseline = models.DecimalField("valeur initiale", max_digits=12, decimal_places=2, null=True, blank=True)
    intermediate = models.DecimalField("valeur intermédiaire", max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField("cible", max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["fiche", "position", "id"]
        verbose_name = "indicateur d'une fiche-action"
        verbose_name_plural = "indicateurs d'une fiche-action"

    def __str__(self):
        return self.label

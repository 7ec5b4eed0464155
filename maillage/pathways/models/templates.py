"""Pathway templates: the shared library (cpts null) and each CPTS's own versions of them.

A template is edited while it is a draft; publishing freezes it. Changing a published template
makes a new draft version (`based_on` the published one), so that a pathway always keeps the exact
version it was enrolled with.
"""

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from maillage.core import versioning
from maillage.pathways.states import Anchor, CareRole, Profession, TemplateStatus


class PathwayTemplateQuerySet(models.QuerySet):
    def library(self):
        return self.filter(cpts__isnull=True)

    def published(self):
        return self.filter(status=TemplateStatus.PUBLISHED)

    def usable_by(self, cpts):
        """What a CPTS may enrol a patient with: its own published templates and the library's."""
        return self.published().filter(Q(cpts=cpts) | Q(cpts__isnull=True))


class PathwayTemplate(models.Model):
    cpts = models.ForeignKey(
        "territory.Cpts",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pathway_templates",
        verbose_name="CPTS (vide : bibliothèque commune)",
    )
    code = models.SlugField("code", max_length=60)
    name = models.CharField("nom", max_length=200)
    description = models.TextField("présentation", blank=True)
    # The template's version number (1, 2…); `version` below is the edit check of ADR 0017.
    number = models.PositiveIntegerField("version n°", default=1)
    status = models.CharField("état", max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.DRAFT)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="derived", verbose_name="issu de"
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    published_at = models.DateTimeField("publié le", null=True, blank=True)
    # A rupture alert is raised when nobody has recorded a contact with the patient for this long.
    no_contact_days = models.PositiveSmallIntegerField(
        "alerte sans contact avec le patient après (jours)", default=14, validators=[MaxValueValidator(365)]
    )

    objects = PathwayTemplateQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        ordering = ["name", "-number"]
        verbose_name = "modèle de parcours"
        verbose_name_plural = "modèles de parcours"
        constraints = [
            models.UniqueConstraint(fields=["cpts", "code", "number"], name="unique_template_version"),
            models.UniqueConstraint(
                fields=["code", "number"], condition=Q(cpts__isnull=True), name="unique_library_template_version"
            ),
            # One draft at a time per template of a CPTS: a second edit goes to the same draft.
            models.UniqueConstraint(
                fields=["cpts", "code"], condition=Q(status="draft"), name="one_draft_per_template"
            ),
        ]

    def __str__(self):
        return f"{self.name} (version {self.number})"

    @property
    def is_library(self) -> bool:
        return self.cpts_id is None

    @property
    def is_draft(self) -> bool:
        return self.status == TemplateStatus.DRAFT


class TemplateStep(models.Model):
    template = models.ForeignKey(PathwayTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("étape", max_length=200)
    profession_code = models.CharField("profession attendue", max_length=5, choices=Profession.choices, blank=True)
    role = models.CharField("rôle attendu", max_length=20, choices=CareRole.choices, blank=True)
    anchor = models.CharField("à compter de", max_length=10, choices=Anchor.choices, default=Anchor.ENROLMENT)
    offset_days = models.PositiveSmallIntegerField("délai (jours)", default=0, validators=[MaxValueValidator(730)])
    checklist = models.JSONField("liste de vérification", default=list, blank=True)
    indicator_codes = models.JSONField("indicateurs alimentés", default=list, blank=True)
    overdue_after_days = models.PositiveSmallIntegerField(
        "alerte de rupture après (jours de retard)", default=3, validators=[MaxValueValidator(365)]
    )

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = "étape d'un modèle de parcours"
        verbose_name_plural = "étapes des modèles de parcours"
        constraints = [
            # A positive field already refuses a negative number on PostgreSQL; SQLite needs the check.
            models.CheckConstraint(condition=Q(offset_days__gte=0), name="step_offset_not_negative"),
            models.CheckConstraint(
                condition=~Q(profession_code="") | ~Q(role=""), name="step_names_a_profession_or_role"
            ),
        ]

    def __str__(self):
        return f"{self.title} (J+{self.offset_days})"

    @property
    def expected(self) -> str:
        """Who the step expects, in words."""
        return self.get_role_display() if self.role else self.get_profession_code_display()

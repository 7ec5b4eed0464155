"""Issue 17 — the crisis mission's first half: the plan (« plan de réponse aux crises sanitaires »,
avenant 2: written within 6 months of the ACI's signature), the alerts sent when a crisis is
declared, and the retour d'expérience after it.

The plan's contacts are professionals' (the crisis cell, the volunteers, the partners): no patient
is ever stored here. The patients followed at home during a crisis are pathways of the library's
template « suivi à domicile en période de crise » (maillage/pathways), read through its rules."""

from django.conf import settings
from django.db import models

from maillage.core import versioning
from maillage.crisis.models.crises import Crisis, CrisisKind

# The risks a plan covers: the kinds of crisis, « autre » aside.
RISKS = [(value, label) for value, label in CrisisKind.choices if value != CrisisKind.OTHER]


class CrisisPlan(models.Model):
    """A CPTS's plan: one per CPTS, edited in place (its `version` is bumped by every change of
    the plan or of one of its lists, so that two people editing it do not overwrite each other)."""

    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="crisis_plan")
    fiche = models.ForeignKey(
        "projet.FicheAction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="fiche-action du projet de santé",
    )
    organisation = models.TextField("organisation de la réponse", blank=True)
    # The day the plan was adopted (written): the lifecycle's « Démarrage : crises sanitaires »
    # is dated from it (maillage/crisis/plan.py `adopt`).
    written_on = models.DateField("plan adopté le", null=True, blank=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    version = versioning.version_field()

    class Meta:
        verbose_name = "plan de réponse aux crises sanitaires"
        verbose_name_plural = "plans de réponse aux crises sanitaires"

    def __str__(self):
        return f"Plan de réponse aux crises sanitaires — {self.cpts}"


class PlanRisk(models.Model):
    plan = models.ForeignKey(CrisisPlan, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField("risque", max_length=20, choices=RISKS)
    notes = models.TextField("dispositions prévues", blank=True)

    class Meta:
        verbose_name = "risque couvert"
        verbose_name_plural = "risques couverts"
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["plan", "kind"], name="unique_plan_risk")]

    def __str__(self):
        return self.get_kind_display()


class CellMember(models.Model):
    """A member of the crisis cell and how to reach them day and night (professional contacts)."""

    plan = models.ForeignKey(CrisisPlan, on_delete=models.CASCADE, related_name="cell")
    name = models.CharField("nom", max_length=200)
    function = models.CharField("fonction", max_length=200)
    phone_day = models.CharField("téléphone (jour)", max_length=30, blank=True)
    phone_night = models.CharField("téléphone (nuit et week-end)", max_length=30, blank=True)
    email = models.EmailField("courriel", blank=True)

    class Meta:
        verbose_name = "membre de la cellule de crise"
        verbose_name_plural = "membres de la cellule de crise"
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.function})"


class Volunteer(models.Model):
    """A professional of the CPTS's directory who volunteers, and for what."""

    plan = models.ForeignKey(CrisisPlan, on_delete=models.CASCADE, related_name="volunteers")
    professional = models.ForeignKey("directory.Professional", on_delete=models.CASCADE, related_name="+")
    vaccinate = models.BooleanField("vacciner", default=False)
    test = models.BooleanField("dépister", default=False)
    home_follow_up = models.BooleanField("suivre des patients à domicile", default=False)
    staff_centre = models.BooleanField("tenir un centre", default=False)

    TASKS = ("vaccinate", "test", "home_follow_up", "staff_centre")

    class Meta:
        verbose_name = "professionnel volontaire"
        verbose_name_plural = "professionnels volontaires"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "professional"], name="unique_plan_volunteer")]

    def __str__(self):
        return str(self.professional)

    def tasks(self) -> list[str]:
        return [str(self._meta.get_field(name).verbose_name) for name in self.TASKS if getattr(self, name)]


class PlanPartner(models.Model):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", "hôpital"
        COMMUNE = "commune", "commune"
        PREFECTURE = "prefecture", "préfecture"
        ARS = "ars", "ARS"
        OTHER = "other", "autre"

    plan = models.ForeignKey(CrisisPlan, on_delete=models.CASCADE, related_name="partners")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    structure = models.ForeignKey(
        "directory.Structure", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="établissement (FINESS)",
    )  # fmt: skip
    partner = models.ForeignKey(
        "directory.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="partenaire de l'annuaire",
    )  # fmt: skip
    name = models.CharField("nom", max_length=250)
    contact = models.CharField("contact", max_length=250, blank=True)

    class Meta:
        verbose_name = "partenaire du plan de crise"
        verbose_name_plural = "partenaires du plan de crise"
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class Exercise(models.Model):
    plan = models.ForeignKey(CrisisPlan, on_delete=models.CASCADE, related_name="exercises")
    held_on = models.DateField("date")
    scenario = models.CharField("scénario", max_length=300)
    lessons = models.TextField("enseignements", blank=True)

    class Meta:
        verbose_name = "exercice de crise"
        verbose_name_plural = "exercices de crise"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.scenario


class Audience(models.TextChoices):
    ALL = "all", "tous les adhérents"
    PROFESSION = "profession", "les adhérents d'une profession"
    VOLUNTEERS = "volunteers", "les volontaires du plan"


class CrisisAlert(models.Model):
    """Members alerted of a crisis: who was aimed at and how many emails were queued (the
    addresses themselves are in the background tasks only)."""

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="alerts")
    audience = models.CharField("destinataires", max_length=20, choices=Audience.choices)
    profession_code = models.CharField("profession", max_length=5, blank=True)
    recipients = models.PositiveIntegerField("courriels envoyés", default=0)
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("texte")
    sms = models.CharField("texte du SMS", max_length=320)
    sent_at = models.DateTimeField("envoyée le", auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "alerte des adhérents"
        verbose_name_plural = "alertes des adhérents"
        ordering = ["-sent_at", "-id"]

    def __str__(self):
        return self.subject


class Retex(models.Model):
    """The retour d'expérience after a crisis."""

    crisis = models.OneToOneField(Crisis, on_delete=models.CASCADE, related_name="retex")
    held_on = models.DateField("date du retour d'expérience")
    worked = models.TextField("ce qui a fonctionné", blank=True)
    did_not_work = models.TextField("ce qui n'a pas fonctionné", blank=True)
    version = versioning.version_field()

    class Meta:
        verbose_name = "retour d'expérience"
        verbose_name_plural = "retours d'expérience"

    def __str__(self):
        return f"Retour d'expérience — {self.crisis}"


class RetexAction(models.Model):
    retex = models.ForeignKey(Retex, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField("action décidée", max_length=300)
    owner = models.CharField("responsable", max_length=200)
    due_on = models.DateField("échéance", null=True, blank=True)
    done_on = models.DateField("réalisée le", null=True, blank=True)

    class Meta:
        verbose_name = "action du retour d'expérience"
        verbose_name_plural = "actions du retour d'expérience"
        ordering = ["due_on", "id"]

    def __str__(self):
        return self.action

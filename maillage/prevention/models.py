"""Issue 17 — the prevention mission's records: campaigns (a theme, a target population, a period,
the fiche-action they serve, partners, a budget), their actions on the ground (events: stand,
conférence, atelier…), who took part with the time spent (payable), and the results counted.

Counts only: no person reached by a campaign is ever recorded, only how many."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core import versioning


class Theme(models.TextChoices):
    COLORECTAL = "colorectal", "dépistage du cancer colorectal"
    BREAST = "breast", "dépistage du cancer du sein"
    CERVICAL = "cervical", "dépistage du cancer du col de l'utérus"
    FLU = "flu", "vaccination contre la grippe"
    HPV = "hpv", "vaccination contre les papillomavirus (HPV)"
    MEASLES = "measles", "vaccination contre la rougeole"
    CHILD_OBESITY = "child_obesity", "obésité de l'enfant"
    SPORT = "sport", "sport-santé"
    ADDICTIONS = "addictions", "addictions"
    TOBACCO = "tobacco", "Mois sans tabac"
    PINK_OCTOBER = "pink_october", "Octobre rose"
    OTHER = "other", "autre"


class EventKind(models.TextChoices):
    STAND = "stand", "stand"
    CONFERENCE = "conference", "conférence"
    WORKSHOP = "workshop", "atelier"
    DOOR_TO_DOOR = "door_to_door", "porte-à-porte"
    SCREENING = "screening", "dépistage sur place"


class Campaign(models.Model):
    """A prevention campaign of a CPTS. `target_size` null: the whole population of the territory
    (computed from its communes when read); a number typed narrows it (« femmes de 50 à 74 ans »),
    with `target_note` saying where it comes from."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="prevention_campaigns")
    theme = models.CharField("thème", max_length=20, choices=Theme.choices)
    title = models.CharField("intitulé", max_length=200)
    target = models.CharField("population cible", max_length=200, blank=True)
    target_size = models.PositiveIntegerField("taille de la population cible", null=True, blank=True)
    target_note = models.CharField("source de la taille", max_length=300, blank=True)
    objective = models.TextField("objectif", max_length=2000)
    starts_on = models.DateField("début")
    ends_on = models.DateField("fin")
    fiche = models.ForeignKey(
        "projet.FicheAction", null=True, blank=True, on_delete=models.SET_NULL, related_name="prevention_campaigns"
    )
    partners = models.ManyToManyField("directory.Partner", blank=True, related_name="prevention_campaigns")
    structures = models.ManyToManyField("directory.Structure", blank=True, related_name="prevention_campaigns")
    budget = models.DecimalField("budget (€)", max_digits=10, decimal_places=2, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "campagne de prévention"
        verbose_name_plural = "campagnes de prévention"
        indexes = [models.Index(fields=["cpts", "starts_on"], name="prevention_campaign_period")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_period"),
        ]

    def __str__(self):
        return self.title

    def target_population(self) -> int:
        """The size of the target: as typed, else the territory's population."""
        return self.target_size if self.target_size is not None else self.cpts.population()


class Event(models.Model):
    """An action on the ground within a campaign. Its results (people reached, tests, vaccinations,
    material) are recorded after it (`results_at` set then); until then it is planned."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="prevention_events")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("type d'action", max_length=20, choices=EventKind.choices)
    day = models.DateField("date")
    starts_at = models.TimeField("début", null=True, blank=True)
    ends_at = models.TimeField("fin", null=True, blank=True)
    place = models.CharField("lieu", max_length=200)
    description = models.CharField("présentation", max_length=1000, blank=True)
    public = models.BooleanField("dans l'agenda public", default=True)
    people_reached = models.PositiveIntegerField("personnes touchées", default=0)
    tests_distributed = models.PositiveIntegerField("tests remis", default=0)
    vaccinations = models.PositiveIntegerField("vaccinations faites", default=0)
    material = models.CharField("matériel utilisé", max_length=1000, blank=True)
    results_at = models.DateTimeField("résultats saisis le", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    version = versioning.version_field()

    class Meta:
        ordering = ["day", "starts_at", "id"]
        verbose_name = "action de prévention"
        verbose_name_plural = "actions de prévention"
        indexes = [models.Index(fields=["cpts", "day"], name="prevention_event_day")]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.place}"

    @property
    def title(self) -> str:
        return f"{self.campaign.title} : {self.get_kind_display()}"


class Participation(models.Model):
    """A professional of the directory who took part in an event, with the time spent (payable)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="+")
    hours = models.DecimalField("heures", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["event", "id"]
        verbose_name = "participation à une action de prévention"
        verbose_name_plural = "participations à des actions de prévention"
        constraints = [
            models.UniqueConstraint(fields=["event", "professional"], name="one_participation_per_professional"),
        ]

    def __str__(self):
        return f"{self.professional} ({self.hours} h)"

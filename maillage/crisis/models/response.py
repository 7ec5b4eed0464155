"""Issue 17 — the crisis response: vaccination and testing centres with their shifts and volunteers,
the stock ledger of protective equipment and test kits, the case counts by commune and week.

Every row carries its CPTS (through the crisis), so that every lookup starts from a CPTS the policy
let the user reach. Double booking and overbooking are refused by the actions under a row lock on
the shift (maillage/crisis/response_centres.py); the unique constraint per shift and person is the
last word if two requests race anyway."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

MAX_CAPACITY = 200
MAX_QUANTITY = 1_000_000
MAX_CASES = 1_000_000


class CentreKind(models.TextChoices):
    VACCINATION = "vaccination", "centre de vaccination"
    TESTING = "testing", "centre de dépistage"
    DRIVE = "drive", "dépistage en drive"


class ShiftRole(models.TextChoices):
    VACCINATE = "vaccinate", "vaccination"
    TEST = "test", "prélèvements et tests"
    RECEPTION = "reception", "accueil et orientation"
    MEDICAL = "medical", "consultation pré-vaccinale"
    LOGISTICS = "logistics", "logistique"


class Centre(models.Model):
    crisis = models.ForeignKey("crisis.Crisis", on_delete=models.CASCADE, related_name="centres")
    kind = models.CharField("nature", max_length=20, choices=CentreKind.choices)
    name = models.CharField("nom", max_length=150)
    address = models.CharField("adresse", max_length=250)
    commune = models.ForeignKey("territory.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    opening_hours = models.CharField("horaires d'ouverture", max_length=250, blank=True)
    opened_on = models.DateField("ouvert le")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opened_on", "name", "id"]
        verbose_name = "centre de crise"
        verbose_name_plural = "centres de crise"

    def __str__(self):
        return self.name


class Shift(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField("début")
    ends_at = models.DateTimeField("fin")
    capacity = models.PositiveSmallIntegerField("places")
    role = models.CharField("rôle", max_length=20, choices=ShiftRole.choices)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = "créneau de centre"
        verbose_name_plural = "créneaux de centre"
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="crisis_shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="crisis_shift_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.get_role_display()} — {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class ShiftSignup(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crisis_signups")
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift__starts_at", "id"]
        verbose_name = "inscription à un créneau"
        verbose_name_plural = "inscriptions aux créneaux"
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="crisis_signup_once_per_shift")]

    def __str__(self):
        return f"{self.volunteer} — {self.shift}"


class SupplyItem(models.Model):
    crisis = models.ForeignKey("crisis.Crisis", on_delete=models.CASCADE, related_name="supply_items")
    name = models.CharField("article", max_length=100)
    threshold = models.PositiveIntegerField("seuil d'alerte", default=0)
    # Set when the stock fell under the threshold and the coordinators were told; cleared when it
    # is back over it, so that each crossing sends one email, not one per distribution.
    low_since = models.DateTimeField("sous le seuil depuis", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = "article du stock de crise"
        verbose_name_plural = "articles du stock de crise"
        constraints = [models.UniqueConstraint(fields=["crisis", "name"], name="crisis_supply_item_once")]

    def __str__(self):
        return self.name


class MovementKind(models.TextChoices):
    RECEIVED = "received", "réception"
    DISTRIBUTED = "distributed", "distribution"
    ADJUSTMENT = "adjustment", "ajustement d'inventaire"


class SupplyMovement(models.Model):
    item = models.ForeignKey(SupplyItem, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField("mouvement", max_length=20, choices=MovementKind.choices)
    # Signed: a reception adds, a distribution takes away, an adjustment does either.
    delta = models.IntegerField("quantité")
    on = models.DateField("date")
    professional = models.ForeignKey(
        "directory.Professional", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.CharField("destinataire", max_length=150, blank=True)
    note = models.CharField("note", max_length=250, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = "mouvement de stock de crise"
        verbose_name_plural = "mouvements de stock de crise"
        constraints = [models.CheckConstraint(condition=~Q(delta=0), name="crisis_movement_not_zero")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.delta:+d} — {self.item}"


class CaseCount(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "saisie"
        IMPORT = "import", "import"

    crisis = models.ForeignKey("crisis.Crisis", on_delete=models.CASCADE, related_name="case_counts")
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    week = models.DateField("semaine du")  # the Monday
    count = models.PositiveIntegerField("cas")
    source = models.CharField("origine", max_length=10, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["week", "commune_id"]
        verbose_name = "nombre de cas"
        verbose_name_plural = "nombres de cas"
        constraints = [
            models.UniqueConstraint(fields=["crisis", "commune", "week"], name="crisis_case_count_once"),
        ]

    def __str__(self):
        return f"{self.commune_id}, semaine du {self.week:%d/%m/%Y} : {self.count}"

"""Slots opened by professionals for unscheduled care, their weekly templates, and the consumers
of the SAS interface."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from maillage.core import versioning
from maillage.core.client_certificate import comparable
from maillage.unscheduled.enums import Kind, SlotStatus, SlotType, desk_bookable


class SlotQuerySet(models.QuerySet):
    def of_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def exposed_to_sas(self):
        """The slots of the CPTS the SAS is served (`CptsQuerySet.exposed_to_sas`: those with a FINESS)."""
        return self.exclude(cpts__finess="")

    def free(self):
        return self.filter(status=SlotStatus.FREE)


class Slot(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="slots")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="slots")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # The site: the activity (for the SAS PractitionerRole) and its commune (for distances).
    activity = models.ForeignKey(
        "directory.Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField("début")
    end = models.DateTimeField("fin")
    kind = models.CharField("type de consultation", max_length=10, choices=Kind.choices, default=Kind.PRACTICE)
    types = models.JSONField("réservable par", default=list)  # SlotType values, at least one
    # Derived from `types` (kept by `save`; bulk writers set it): lets the desk's search filter in
    # SQL on both databases, where a JSON containment test is not portable.
    desk_bookable = models.BooleanField(default=True, editable=False)
    profession_code = models.CharField("code profession", max_length=5)
    profession_label = models.CharField("profession", max_length=150)
    specialty_code = models.CharField("code spécialité", max_length=10, blank=True)
    specialty_label = models.CharField("spécialité", max_length=200, blank=True)
    status = models.CharField("état", max_length=10, choices=SlotStatus.choices, default=SlotStatus.FREE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SlotQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        ordering = ["start", "id"]
        verbose_name = "créneau"
        verbose_name_plural = "créneaux"
        indexes = [
            models.Index(fields=["cpts", "status", "start"]),
            # The SAS asks by practitioners, free, in a window. No (status, start) index: SQLite's
            # planner, without statistics, would take it and scan every free slot of the window.
            models.Index(fields=["professional", "status", "start"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(end__gt=F("start")), name="slot_ends_after_start")]

    def __str__(self):
        return f"Créneau {self.pk} ({timezone.localtime(self.start):%d/%m/%Y %H:%M})"

    def save(self, *args, **kwargs):
        self.desk_bookable = desk_bookable(self.types)
        super().save(*args, **kwargs)

    @property
    def type_labels(self) -> list[str]:
        return [SlotType(t).label for t in self.types if t in SlotType.values]

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


class SlotTemplate(models.Model):
    """A weekly pattern (every Tuesday 18:00–20:00 by 20 minutes) that opens slots week after week."""

    WEEKDAYS = [
        (0, "lundi"),
        (1, "mardi"),
        (2, "mercredi"),
        (3, "jeudi"),
        (4, "vendredi"),
        (5, "samedi"),
        (6, "dimanche"),
    ]

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="slot_templates")
    professional = models.ForeignKey("directory.Professional", on_delete=models.PROTECT, related_name="slot_templates")
    weekday = models.PositiveSmallIntegerField("jour", choices=WEEKDAYS)
    start_time = models.TimeField("de")
    end_time = models.TimeField("à")
    length = models.PositiveSmallIntegerField(
        "durée d'un créneau (minutes)", default=20, validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    kind = models.CharField("type de consultation", max_length=10, choices=Kind.choices, default=Kind.PRACTICE)
    types = models.JSONField("réservable par", default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = "modèle de semaine"
        verbose_name_plural = "modèles de semaine"
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=F("start_time")), name="template_ends_after_start")
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class SasConsumer(models.Model):
    """A client of the SAS interface (the national platform, a test bench). It proves who it is with
    an API key, stored as a digest only and shown once when it is created, or with an IGC-Santé
    client certificate checked at the reverse proxy, whose subject must carry the registered CN
    and OU (the SAS guide's « contrôle du Common Name et de l'Organizational Unit »), or either."""

    name = models.CharField("nom", max_length=150)
    key_digest = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    certificate_cn = models.CharField(
        "CN du certificat",
        max_length=200,
        blank=True,
        help_text="Common Name du certificat client IGC-Santé présenté au mandataire (vide : pas de certificat).",
    )
    certificate_ou = models.CharField(
        "OU du certificat",
        max_length=200,
        blank=True,
        help_text="Organizational Unit attendue dans le sujet du certificat (une des OU s'il en porte plusieurs).",
    )
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "client de l'interface SAS"
        verbose_name_plural = "clients de l'interface SAS"
        constraints = [
            models.CheckConstraint(
                condition=Q(certificate_cn="", certificate_ou="") | (~Q(certificate_cn="") & ~Q(certificate_ou="")),
                name="sas_consumer_certificate_cn_and_ou",
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.certificate_cn = " ".join(self.certificate_cn.split())
        self.certificate_ou = " ".join(self.certificate_ou.split())
        if bool(self.certificate_cn) != bool(self.certificate_ou):
            raise ValidationError("Le CN et l'OU du certificat se donnent ensemble : tous deux ou aucun.")
        if not self.certificate_cn and not self.key_digest:
            raise ValidationError(
                "Un client sans clé d'accès doit avoir un certificat : renseignez son CN et son OU "
                "(ou créez une clé avec la commande create_sas_key)."
            )
        if self.certificate_cn:
            same = [
                other
                for other in SasConsumer.objects.exclude(pk=self.pk).exclude(certificate_cn="")
                if comparable(other.certificate_cn) == comparable(self.certificate_cn)
                and comparable(other.certificate_ou) == comparable(self.certificate_ou)
            ]
            if same:
                raise ValidationError(f"Ce CN et cette OU sont déjà ceux du client « {same[0].name} ».")

    @staticmethod
    def digest(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def create_with_key(cls, name: str, **fields) -> tuple["SasConsumer", str]:
        key = secrets.token_urlsafe(32)
        return cls.objects.create(name=name, key_digest=cls.digest(key), **fields), key

    @classmethod
    def authenticate(cls, key: str) -> "SasConsumer | None":
        if not key:
            return None
        return cls.objects.filter(key_digest=cls.digest(key), active=True).first()

    @classmethod
    def registered_for(cls, common_names, units) -> list["SasConsumer"]:
        """The consumers (active or not) whose CN is the certificate's and whose OU is one of its OU.

        Compared as X.500 compares directory strings (case and spaces aside), in Python: a few rows."""
        names = {comparable(cn) for cn in common_names}
        units = {comparable(ou) for ou in units}
        return [
            consumer
            for consumer in cls.objects.exclude(certificate_cn="").order_by("pk")
            if comparable(consumer.certificate_cn) in names and comparable(consumer.certificate_ou) in units
        ]


class CalendarFeed(models.Model):
    """The private address of a professional's bookings as an iCal feed. The token is the only
    credential (calendar apps cannot log in): it is random, per person and CPTS, and replaced on
    demand, which revokes the old address."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="+")
    professional = models.ForeignKey("directory.Professional", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "agenda iCal"
        verbose_name_plural = "agendas iCal"
        constraints = [models.UniqueConstraint(fields=["user", "cpts"], name="one_calendar_feed")]

    def __str__(self):
        return f"Agenda de {self.user} — {self.cpts}"

    @classmethod
    def renew(cls, user, cpts, professional) -> "CalendarFeed":
        feed, _ = cls.objects.update_or_create(
            user=user, cpts=cpts, defaults={"professional": professional, "token": secrets.token_urlsafe(32)}
        )
        return feed

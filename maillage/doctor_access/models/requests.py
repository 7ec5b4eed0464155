"""A patient looking for a médecin traitant, as the CPTS records them."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core import versioning
from maillage.core.identifiers import validate_nir
from maillage.core.models import TransitionLog
from maillage.doctor_access.states import OPEN, CloseReason, Status


class Channel(models.TextChoices):
    PUBLIC_FORM = "public_form", "formulaire public"
    PHONE = "phone", "appel au numéro unique"
    REFERRAL = "referral", "orientation par un professionnel"


class DoctorRequestQuerySet(models.QuerySet):
    def of_cpts(self, cpts):
        return self.filter(cpts=cpts)

    def open(self):
        return self.filter(status__in=sorted(OPEN))

    def waiting(self):
        """In the pool the matching draws from."""
        return self.filter(status=Status.QUALIFIED)


class DoctorRequest(models.Model):
    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="doctor_requests")
    channel = models.CharField("canal", max_length=20, choices=Channel.choices)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referrer_label = models.CharField("orienté par", max_length=200, blank=True)
    # Identity: blanked by the anonymisation (`anonymised_at`).
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance", null=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    address = models.CharField("adresse", max_length=250, blank=True)
    nir = models.CharField("NIR", max_length=15, blank=True, validators=[validate_nir])
    commune = models.ForeignKey("territory.Commune", on_delete=models.PROTECT, related_name="doctor_requests")
    # Situation
    ald = models.BooleanField("affection de longue durée (ALD)", default=False)
    c2s_ame = models.BooleanField("C2S ou AME", default=False)
    precarity = models.BooleanField("précarité", default=False)
    isolation = models.BooleanField("isolement", default=False)
    pregnancy = models.BooleanField("grossesse", default=False)
    chronic_disease = models.BooleanField("maladie chronique", default=False)
    disability = models.BooleanField("handicap", default=False)
    hospital_discharge = models.BooleanField("sortie d'hospitalisation récente", default=False)
    consent_version = models.CharField("version du texte de consentement", max_length=20)
    consented_at = models.DateTimeField("consentement donné le")
    # Qualification
    priority = models.PositiveSmallIntegerField("priorité", default=0)
    notes = models.TextField("notes", blank=True)
    possible_duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="possible_duplicates"
    )
    status = models.CharField("état", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    close_reason = models.CharField("motif de clôture", max_length=20, choices=CloseReason.choices, blank=True)
    received_at = models.DateTimeField("reçue le", default=timezone.now)
    status_changed_at = models.DateTimeField("état changé le", default=timezone.now)
    resolved_at = models.DateTimeField("médecin trouvé le", null=True, blank=True)
    # The day the patient and the doctor who accepted them declared the médecin traitant to the
    # Assurance maladie (entered by the doctor, or the day the coordinator recorded it).
    declared_on = models.DateField("médecin traitant déclaré le", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisée le", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DoctorRequestQuerySet.as_manager()
    version = versioning.version_field()

    class Meta:
        ordering = ["-priority", "received_at", "id"]
        verbose_name = "demande de médecin traitant"
        verbose_name_plural = "demandes de médecin traitant"
        indexes = [
            models.Index(fields=["cpts", "status"]),
            models.Index(fields=["cpts", "last_name", "birth_date"]),
        ]

    def __str__(self):
        return f"Demande n° {self.pk}"

    @property
    def reference(self) -> str:
        return f"MT-{self.pk:06d}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or "(anonymisée)"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def days_waiting(self, now=None) -> int:
        end = self.resolved_at or (None if self.is_open else self.status_changed_at) or now or timezone.now()
        return max((end - self.received_at).days, 0)


class RequestTransition(TransitionLog):
    request = models.ForeignKey(DoctorRequest, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField("de", max_length=20, choices=Status.choices, blank=True)
    target = models.CharField("vers", max_length=20, choices=Status.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"

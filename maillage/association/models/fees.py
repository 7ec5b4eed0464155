"""Cotisations: the payments recorded by the coordination, their receipts (numbered without gaps
per CPTS and year of issue), the reminders sent, and each CPTS's payment settings. The yearly
amounts per collège are `FeeRate` (members.py)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from maillage.association.models.members import Member
from maillage.core import versioning

MAX_FEE_CENTS = 10_000_00  # as FeeRate: a fee above 10,000 € is a typing error


class PaymentMethod(models.TextChoices):
    CHEQUE = "cheque", "chèque"
    TRANSFER = "transfer", "virement"
    CARD = "card", "carte bancaire (paiement en ligne)"
    CASH = "cash", "espèces"


class FeeSettings(models.Model):
    """How a CPTS collects its fees: the page of its online payment (a HelloAsso form, a bank's
    page) shown to members in their space, and when the renewal reminder leaves."""

    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="fee_settings")
    payment_url = models.URLField(
        "adresse du paiement en ligne",
        max_length=500,
        blank=True,
        help_text="Par exemple la page HelloAsso de la CPTS ; elle est montrée aux adhérents dans leur espace.",
    )
    reminder_days = models.PositiveSmallIntegerField(
        "relance avant l'échéance (jours)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
        help_text="Le rappel de renouvellement part ce nombre de jours avant la fin de l'année d'adhésion.",
    )
    version = versioning.version_field()

    class Meta:
        verbose_name = "réglages des cotisations"
        verbose_name_plural = "réglages des cotisations"

    def __str__(self):
        return f"Cotisations — {self.cpts}"


class ReceiptCounter(models.Model):
    """The last receipt number issued by a CPTS in a year: its row is locked while a payment's
    transaction takes the next number, so two payments never share or skip one."""

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cpts", "year"], name="unique_fee_receipt_counter")]

    def __str__(self):
        return f"{self.cpts_id} {self.year}: {self.last}"


class Payment(models.Model):
    """A fee paid by a member for one membership year (named by the year it starts in), recorded
    by hand; its receipt number is « year of issue-sequence »."""

    Method = PaymentMethod

    cpts = models.ForeignKey("territory.Cpts", on_delete=models.CASCADE, related_name="fee_payments")
    # RESTRICT: a member with payments is never deleted alone (the ledger keeps them), but deleting
    # the whole CPTS still takes both.
    member = models.ForeignKey(Member, on_delete=models.RESTRICT, related_name="payments", verbose_name="adhérent")
    year = models.PositiveSmallIntegerField(
        "année d'adhésion", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    amount_cents = models.PositiveIntegerField("montant (centimes)", validators=[MaxValueValidator(MAX_FEE_CENTS)])
    paid_on = models.DateField("payé le")
    method = models.CharField("mode de paiement", max_length=10, choices=PaymentMethod.choices)
    reference = models.CharField("référence", max_length=100, blank=True)
    receipt_year = models.PositiveSmallIntegerField("année du reçu")
    receipt_seq = models.PositiveIntegerField("numéro d'ordre du reçu")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistré le", auto_now_add=True)

    class Meta:
        ordering = ["-receipt_year", "-receipt_seq"]
        verbose_name = "paiement de cotisation"
        verbose_name_plural = "paiements de cotisation"
        constraints = [
            # The database's guarantee behind the locked counter: a receipt number is issued once.
            models.UniqueConstraint(fields=["cpts", "receipt_year", "receipt_seq"], name="unique_fee_receipt_number"),
            # A membership year is paid once.
            models.UniqueConstraint(fields=["member", "year"], name="unique_fee_payment_year"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="fee_payment_amount_positive"),
            models.CheckConstraint(condition=Q(receipt_seq__gt=0), name="fee_receipt_seq_positive"),
        ]
        indexes = [models.Index(fields=["cpts", "year"])]

    def __str__(self):
        return f"Reçu {self.receipt_number}"

    @property
    def receipt_number(self) -> str:
        return f"{self.receipt_year}-{self.receipt_seq:04d}"


class FeeReminder(models.Model):
    """A reminder emailed to a member about the fee of a membership year: kept so that it is sent
    once per member, year and kind."""

    class Kind(models.TextChoices):
        RENEWAL = "renewal", "renouvellement avant l'échéance"
        GRACE = "grace", "cotisation en retard (période de grâce)"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="fee_reminders")
    year = models.PositiveSmallIntegerField("année d'adhésion")
    kind = models.CharField("relance", max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField("envoyée le")

    class Meta:
        verbose_name = "relance de cotisation"
        verbose_name_plural = "relances de cotisation"
        constraints = [models.UniqueConstraint(fields=["member", "year", "kind"], name="unique_fee_reminder")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.year} — {self.member_id}"

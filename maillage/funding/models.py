"""ACI rule sets (versioned data), a CPTS's contract and the crises the ARS recognised.

A rule set is never edited once contracts use it (PROTECT): a new text is a new version, added by
the admin, and a contract names the version it was signed under.
"""

from django.db import models

from maillage.core import versioning
from maillage.funding.lines import MISSION_LINES, TIERS, Line

TIER_CHOICES = [(code, f"taille {code[1]}") for code in TIERS]


class RuleSet(models.Model):
    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=200)
    effective_on = models.DateField("en vigueur depuis")
    source = models.TextField("texte de référence", blank=True)

    class Meta:
        ordering = ["effective_on", "code"]
        verbose_name = "règlement ACI"
        verbose_name_plural = "règlements ACI"

    def __str__(self):
        return self.label

    def maxima(self, tier: str) -> dict[str, object]:
        """{line: maximum of fixed + variable for a year} for `tier`, without the total."""
        rows = self.maximums.filter(tier=tier).exclude(line__in=[RuleSetMaximum.TOTAL, RuleSetMaximum.START])
        return {row.line: row.amount for row in rows}

    def start_payment(self, tier: str):
        """Avenant 2's first payment, due once the ARS has validated the letter of intent (before any
        contract): the amount for `tier`, or None when this text has none."""
        row = self.maximums.filter(tier=tier, line=RuleSetMaximum.START).first()
        return row.amount if row else None

    def total_maximum(self, tier: str):
        row = self.maximums.filter(tier=tier, line=RuleSetMaximum.TOTAL).first()
        return row.amount if row else None


class RuleSetMaximum(models.Model):
    TOTAL = "total"
    # Not a yearly line: a one-off payment before the contract (avenant 2), outside the total.
    START = "start"
    LINE_CHOICES = [*Line.choices, (TOTAL, "total"), (START, "premier versement (lettre d'intention validée)")]

    rule_set = models.ForeignKey(RuleSet, on_delete=models.CASCADE, related_name="maximums")
    tier = models.CharField("taille", max_length=2, choices=TIER_CHOICES)
    line = models.CharField("ligne", max_length=20, choices=LINE_CHOICES)
    amount = models.DecimalField("maximum annuel (€)", max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["rule_set", "tier", "line"]
        verbose_name = "maximum d'un règlement"
        verbose_name_plural = "maximums d'un règlement"
        constraints = [models.UniqueConstraint(fields=["rule_set", "tier", "line"], name="unique_rule_maximum")]

    def __str__(self):
        return f"{self.rule_set.code} {self.tier} {self.line}"


class Contract(models.Model):
    cpts = models.OneToOneField("territory.Cpts", on_delete=models.CASCADE, related_name="aci_contract")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="contracts", verbose_name="règlement")
    signed_on = models.DateField("date de signature")
    ends_on = models.DateField("date de fin", null=True, blank=True)
    population = models.PositiveIntegerField("population à la signature")
    tier = models.CharField("taille retenue", max_length=2, choices=TIER_CHOICES)
    tier_reason = models.CharField("motif de la taille retenue", max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = versioning.version_field()

    class Meta:
        verbose_name = "contrat ACI"
        verbose_name_plural = "contrats ACI"

    def __str__(self):
        return f"ACI {self.cpts}"


class ContractMission(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="missions")
    mission = models.CharField("mission", max_length=20, choices=[(m.value, m.label) for m in MISSION_LINES])
    starts_on = models.DateField("début effectif")
    fixed = models.DecimalField("part fixe (€/an)", max_digits=10, decimal_places=2)
    variable = models.DecimalField("part variable (€/an)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "mission du contrat"
        verbose_name_plural = "missions du contrat"
        ordering = ["contract", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "mission"], name="unique_contract_mission")]

    def __str__(self):
        return f"{self.contract} — {self.get_mission_display()}"


class ContractIndicator(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("indicateur", max_length=80)
    mission = models.CharField("mission", max_length=20, choices=[(m.value, m.label) for m in MISSION_LINES])
    higher_is_better = models.BooleanField("plus haut = mieux")

    class Meta:
        verbose_name = "indicateur du contrat"
        verbose_name_plural = "indicateurs du contrat"
        ordering = ["contract", "id"]
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="unique_contract_indicator")]

    def __str__(self):
        return self.code


class IndicatorStep(models.Model):
    """A range of the indicator's tier table: lower inclusive, upper exclusive, empty = unbounded."""

    indicator = models.ForeignKey(ContractIndicator, on_delete=models.CASCADE, related_name="steps")
    lower = models.DecimalField("à partir de", max_digits=12, decimal_places=3, null=True, blank=True)
    upper = models.DecimalField("jusqu'à (exclu)", max_digits=12, decimal_places=3, null=True, blank=True)
    amount = models.DecimalField("montant (€)", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = "palier d'un indicateur"
        verbose_name_plural = "paliers d'un indicateur"
        ordering = ["indicator", "id"]

    def __str__(self):
        return f"{self.indicator} [{self.lower} ; {self.upper}[ → {self.amount}"

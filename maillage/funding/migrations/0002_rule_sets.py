"""The two ACI rule sets in force (ADR 0011). Written out here rather than imported, so that this
migration keeps loading the same figures whatever the code becomes; later texts are new versions
added by the admin (or a later migration), never edits of these rows."""

from datetime import date
from decimal import Decimal

from django.db import migrations

TIERS = ("T1", "T2", "T3", "T4")
ACI_2019 = {
    "running": (50_000, 60_000, 75_000, 90_000),
    "access": (40_000, 47_000, 65_000, 80_000),
    "pathways": (50_000, 70_000, 90_000, 100_000),
    "prevention": (20_000, 30_000, 35_000, 40_000),
    "quality": (15_000, 20_000, 30_000, 40_000),
    "support": (10_000, 15_000, 20_000, 30_000),
}
# Avenant 2: running costs + 75 %; the crisis mission (fixed part + the part released when the ARS
# recognises a crisis). The crisis figures were placeholders: migration 0005 sets the checked ones.
AVENANT_2 = {
    **ACI_2019,
    "running": (87_500, 105_000, 131_250, 157_500),
    "crisis": (20_000, 25_000, 30_000, 35_000),
}
RULE_SETS = [
    (
        "aci-2019",
        "ACI CPTS 2019",
        date(2019, 8, 20),
        "Accord conventionnel interprofessionnel en faveur du développement de l'exercice coordonné et du "
        "déploiement des CPTS, signé le 20 juin 2019 (JO du 24 août 2019).",
        ACI_2019,
    ),
    (
        "avenant-2",
        "ACI CPTS 2019, avenant 2",
        date(2021, 12, 20),
        "Avenant 2 à l'ACI CPTS, signé le 20 décembre 2021 : fonctionnement revalorisé de 75 %, mission de "
        "réponse aux crises sanitaires graves (part fixe et part activée en cas de crise reconnue par l'ARS).",
        AVENANT_2,
    ),
]


def load(apps, schema_editor):
    RuleSet = apps.get_model("funding", "RuleSet")
    Maximum = apps.get_model("funding", "RuleSetMaximum")
    for code, label, effective_on, source, lines in RULE_SETS:
        rule_set, _ = RuleSet.objects.update_or_create(
            code=code, defaults={"label": label, "effective_on": effective_on, "source": source}
        )
        for index, tier in enumerate(TIERS):
            # The total maximum is the sum of the lines: 185,000 / 242,000 / 315,000 / 380,000 in 2019.
            amounts = {line: Decimal(values[index]) for line, values in lines.items()}
            amounts["total"] = sum(amounts.values())
            for line, amount in amounts.items():
                Maximum.objects.update_or_create(
                    rule_set=rule_set, tier=tier, line=line, defaults={"amount": amount}
                )


def unload(apps, schema_editor):
    apps.get_model("funding", "RuleSet").objects.filter(code__in=[r[0] for r in RULE_SETS]).delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]

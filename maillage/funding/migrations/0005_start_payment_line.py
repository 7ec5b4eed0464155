"""Avenant 2 checked against its sources (issue 17).

1. The crisis mission (« réponse aux crises sanitaires graves »): a fixed part for preparing the
   plan and a variable part paid only when the ARS recognises a crisis. The figures loaded by 0002
   (20,000 to 35,000 €) were placeholders marked « to check ». Per tier, fixed + variable:
   T1 15,000 + 45,000; T2 17,500 + 52,500; T3 22,500 + 67,500; T4 25,000 + 75,000 €.
   The T3 figures are those of a signed T3 contract's annex (a CPTS of Seine-Saint-Denis, year 5,
   2026: « 22 500 € » fixed, « 67 500 € si crise reconnue par l'ARS »); the range matches the
   negotiation's announced « jusqu'à 100 000 euros » (Le Généraliste). T1, T2 and T4 are the
   Assurance maladie's summary table of the avenant as we know it; ADR 0031 says what is left to
   confirm against the JO text.
2. The first payment once the ARS validates the letter of intent, before any contract: 15,000 /
   17,500 / 25,000 / 30,000 € (draft article 2 of the avenant as analysed by the FMF, November 2020;
   Le Concours médical, 4 November 2020 session; « de 15 000 euros pour la taille 1 […] jusqu'à
   30 000 euros pour la taille 4 », Le Quotidien du médecin on the compromise text). One report of a
   negotiation session gave 20,000 / 25,000 € for T3 / T4 (Le Pharmacien de France): not retained.

The rows of the rule set are corrected in place: the crisis figures were a known placeholder, and
a contract's own amounts (what it negotiated) are not touched — only the ceilings they are checked
against. `ensure_rule_sets` loads these rows again after 0002's."""

from decimal import Decimal

from django.db import migrations, models

TIERS = ("T1", "T2", "T3", "T4")
CRISIS = {"T1": (15_000, 45_000), "T2": (17_500, 52_500), "T3": (22_500, 67_500), "T4": (25_000, 75_000)}
START = {"T1": 15_000, "T2": 17_500, "T3": 25_000, "T4": 30_000}
SOURCE = (
    "Avenant 2 à l'ACI CPTS, signé le 20 décembre 2021 : fonctionnement revalorisé de 75 % ; mission de "
    "réponse aux crises sanitaires graves, part fixe (préparation du plan) de 15 000 / 17 500 / 22 500 / "
    "25 000 € et part variable versée si l'ARS reconnaît une crise de 45 000 / 52 500 / 67 500 / 75 000 € "
    "selon la taille ; premier versement dès la validation de la lettre d'intention par l'ARS de 15 000 / "
    "17 500 / 25 000 / 30 000 € selon la taille. Montants à confirmer sur le texte publié au Journal "
    "officiel (ADR 0031)."
)


def load(apps, schema_editor):
    RuleSet = apps.get_model("funding", "RuleSet")
    Maximum = apps.get_model("funding", "RuleSetMaximum")
    rule_set = RuleSet.objects.filter(code="avenant-2").first()
    if rule_set is None:
        return
    rule_set.source = SOURCE
    rule_set.save(update_fields=["source"])
    for tier in TIERS:
        fixed, variable = CRISIS[tier]
        Maximum.objects.update_or_create(
            rule_set=rule_set, tier=tier, line="crisis", defaults={"amount": Decimal(fixed + variable)}
        )
        Maximum.objects.update_or_create(
            rule_set=rule_set, tier=tier, line="start", defaults={"amount": Decimal(START[tier])}
        )
        lines = Maximum.objects.filter(rule_set=rule_set, tier=tier).exclude(line__in=["total", "start"])
        total = sum((row.amount for row in lines), Decimal(0))
        Maximum.objects.update_or_create(rule_set=rule_set, tier=tier, line="total", defaults={"amount": total})


class Migration(migrations.Migration):
    dependencies = [("funding", "0004_french_names")]

    operations = [
        migrations.AlterField(
            model_name="rulesetmaximum",
            name="line",
            field=models.CharField(
                choices=[
                    ("running", "fonctionnement"),
                    ("access", "accès aux soins"),
                    ("pathways", "parcours pluriprofessionnels"),
                    ("prevention", "prévention"),
                    ("quality", "qualité et pertinence des soins"),
                    ("support", "accompagnement des professionnels"),
                    ("crisis", "crises sanitaires"),
                    ("total", "total"),
                    ("start", "premier versement (lettre d'intention validée)"),
                ],
                max_length=20,
                verbose_name="ligne",
            ),
        ),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]

"""Issue 17 — one source of truth for the ACI's recognised crisis: each `funding.RecognisedCrisis`
(a contract's year, the day the ARS recognised it, a description) becomes a crisis of the contract's
CPTS declared by the ARS, covering that year and closed; funding then reads the crises
(maillage/crisis/queries.py `recognised_in`) and its own model goes (funding 0006)."""

from datetime import date

from django.db import migrations


def forward(apps, schema_editor):
    RecognisedCrisis = apps.get_model("funding", "RecognisedCrisis")
    Crisis = apps.get_model("crisis", "Crisis")
    Transition = apps.get_model("crisis", "CrisisTransition")
    for old in RecognisedCrisis.objects.select_related("contract").order_by("pk"):
        crisis = Crisis.objects.create(
            cpts_id=old.contract.cpts_id,
            kind="other",
            title=old.description[:200],
            starts_on=date(old.year, 1, 1),
            ends_on=date(old.year, 12, 31),
            declared_by="ars",
            recognised_on=old.recognised_on,
            status="closed",
        )
        Transition.objects.create(
            crisis=crisis, source="", target="closed", author_label="reprise du financement",
            note=f"Crise reconnue de {old.year}, reprise de la page Financement",
        )  # fmt: skip


def backward(apps, schema_editor):
    RecognisedCrisis = apps.get_model("funding", "RecognisedCrisis")
    Contract = apps.get_model("funding", "Contract")
    Crisis = apps.get_model("crisis", "Crisis")
    for crisis in Crisis.objects.filter(recognised_on__isnull=False).exclude(status="cancelled"):
        contract = Contract.objects.filter(cpts_id=crisis.cpts_id).order_by("-signed_on").first()
        if contract is not None:
            RecognisedCrisis.objects.get_or_create(
                contract=contract, year=crisis.starts_on.year,
                defaults={"recognised_on": crisis.recognised_on, "description": crisis.title},
            )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("crisis", "0002_plan"), ("funding", "0004_french_names")]

    operations = [migrations.RunPython(forward, backward)]

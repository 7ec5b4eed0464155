"""Issue 17 — the pathways' library gains « Suivi à domicile en période de crise » (the seeds: « le
suivi des patients à domicile » during Covid). Its patients are pathways like any other: care team,
consent, tasks and audited reads are the pathways' (maillage/pathways)."""

from django.db import migrations

CODE = "suivi-domicile-crise"
ON_TIME = "pathways.tasks_on_time"


def step(title, *, profession="", role="", days, checklist, overdue):
    return {
        "title": title, "profession_code": profession, "role": role, "anchor": "enrolment", "offset_days": days,
        "checklist": checklist, "indicator_codes": [ON_TIME], "overdue_after_days": overdue,
    }  # fmt: skip


STEPS = [
    step("Appel ou visite infirmière de surveillance", profession="60", days=0, overdue=1,
         checklist=["Température, saturation, fréquence respiratoire", "Signes d'alerte expliqués au patient",
                    "Conduite à tenir et numéro à appeler (15)"]),
    step("Consultation ou téléconsultation du médecin traitant", role="gp", days=1, overdue=1,
         checklist=["Évaluation de la gravité", "Traitements adaptés", "Fréquence de surveillance décidée"]),
    step("Traitements et matériel délivrés à domicile", profession="21", days=1, overdue=1,
         checklist=["Ordonnance délivrée", "Oxymètre ou matériel prêté si prescrit"]),
    step("Surveillance infirmière à sept jours", profession="60", days=7, overdue=2,
         checklist=["Évolution des signes", "Isolement et entourage", "Aggravation : médecin ou 15 prévenu"]),
    step("Bilan de fin de suivi", role="gp", days=14, overdue=3,
         checklist=["Guérison ou suites organisées", "Fin du suivi renseignée"]),
]  # fmt: skip


def load(apps, schema_editor):
    from django.utils import timezone

    Template = apps.get_model("pathways", "PathwayTemplate")
    Step = apps.get_model("pathways", "TemplateStep")
    if Template.objects.filter(cpts__isnull=True, code=CODE).exists():
        return
    template = Template.objects.create(
        cpts=None, code=CODE, name="Suivi à domicile en période de crise",
        description="Un patient suivi chez lui pendant une crise sanitaire (épidémie, canicule…) : surveillance "
        "infirmière, médecin traitant, traitements délivrés à domicile, fin du suivi décidée ensemble.",
        number=1, status="published", published_at=timezone.now(), no_contact_days=3,
    )  # fmt: skip
    Step.objects.bulk_create(Step(template=template, position=i, **s) for i, s in enumerate(STEPS, start=1))


def unload(apps, schema_editor):
    Template = apps.get_model("pathways", "PathwayTemplate")
    Template.objects.filter(cpts__isnull=True, code=CODE, number=1, pathways__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("crisis", "0003_recognised_crises"), ("pathways", "0005_care_requests")]

    operations = [migrations.RunPython(load, unload)]

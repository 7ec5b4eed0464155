"""The shared library: the seven templates of issue 15, published as version 1.

The steps are a starting point written from common practice (the HAS's parcours guides, the
PRADO discharge programmes), to be adapted by each CPTS on a copy; the data lives here, not in
application code, so that a later change of the library is a new migration.
"""

from django.db import migrations

ON_TIME = "pathways.tasks_on_time"
FIRST_VISIT = "pathways.discharge_to_home_visit_days"


def step(title, *, profession="", role="", days, anchor="enrolment", checklist=(), indicators=(ON_TIME,), overdue=3):
    return {
        "title": title, "profession_code": profession, "role": role, "anchor": anchor, "offset_days": days,
        "checklist": list(checklist), "indicator_codes": list(indicators), "overdue_after_days": overdue,
    }  # fmt: skip


LIBRARY = [
    (
        "sortie-hospitalisation-personne-agee",
        "Sortie d'hospitalisation d'une personne âgée",
        "Le retour à domicile d'une personne de 75 ans et plus après une hospitalisation : les premiers "
        "jours sans rupture de soins, les traitements conciliés, l'autonomie et l'aide à domicile évaluées.",
        [
            step("Visite infirmière à domicile", profession="60", anchor="discharge", days=1, overdue=1,
                 indicators=(ON_TIME, FIRST_VISIT),
                 checklist=["Lire le compte rendu et l'ordonnance de sortie", "Prendre les constantes et le poids",
                            "Évaluer l'autonomie et le risque de chute", "Repérer les signes d'alerte"]),
            step("Conciliation médicamenteuse", profession="21", anchor="discharge", days=3, overdue=2,
                 checklist=["Comparer les traitements d'avant et d'après l'hospitalisation",
                            "Signaler les écarts au médecin traitant", "Remettre un plan de prise"]),
            step("Consultation du médecin traitant", role="gp", anchor="discharge", days=7, overdue=3,
                 checklist=["Compte rendu d'hospitalisation reçu", "Traitements réévalués",
                            "Examens de suivi prescrits"]),
            step("Bilan de kinésithérapie", profession="70", anchor="discharge", days=7, overdue=5,
                 checklist=["Évaluer la marche et l'équilibre", "Proposer un programme de rééducation"]),
            step("Évaluation sociale du retour à domicile", role="social_worker", anchor="discharge", days=15,
                 overdue=7,
                 checklist=["Aides à domicile (APA, aide ménagère)", "Portage de repas", "Situation de l'aidant"]),
        ],
    ),
    (
        "insuffisance-cardiaque",
        "Insuffisance cardiaque",
        "Le suivi d'un patient insuffisant cardiaque après une décompensation ou une annonce : surveillance "
        "du poids et des signes d'alerte, titration des traitements, éducation du patient.",
        [
            step("Visite infirmière d'éducation et de surveillance", profession="60", days=2, overdue=2,
                 checklist=["Pesée et carnet de poids", "Œdèmes, essoufflement", "Régime peu salé expliqué"]),
            step("Consultation du médecin traitant", role="gp", days=7, overdue=3,
                 checklist=["Bilan biologique (kaliémie, créatinine)", "Titration des traitements"]),
            step("Entretien pharmaceutique", profession="21", days=14, overdue=7,
                 checklist=["Observance", "Médicaments à éviter (anti-inflammatoires)"]),
            step("Réentraînement à l'effort", profession="70", days=30, overdue=7,
                 checklist=["Programme adapté à la tolérance", "Activité physique au quotidien"]),
            step("Consultation de cardiologie", profession="10", days=60, overdue=14,
                 checklist=["Échographie cardiaque si prévue", "Traitement réévalué"]),
        ],
    ),
    (
        "diabete-type-2-desequilibre",
        "Diabète de type 2 déséquilibré",
        "Reprendre la main sur un diabète de type 2 dont l'HbA1c est au-dessus de l'objectif : traitement, "
        "éducation, alimentation, pieds, suivi à trois mois.",
        [
            step("Consultation du médecin traitant", role="gp", days=0, overdue=3,
                 checklist=["HbA1c et objectif personnalisé", "Traitement ajusté", "Fond d'œil à jour"]),
            step("Éducation thérapeutique infirmière", profession="60", days=7, overdue=5,
                 checklist=["Autosurveillance glycémique", "Conduite à tenir en cas d'hypoglycémie"]),
            step("Bilan diététique", profession="86", days=15, overdue=7,
                 checklist=["Habitudes alimentaires", "Objectifs réalistes avec le patient"]),
            step("Examen des pieds", profession="80", days=30, overdue=14,
                 checklist=["Gradation du risque podologique", "Conseils de chaussage et d'hygiène"]),
            step("Contrôle de l'HbA1c et consultation de suivi", role="gp", days=90, overdue=14,
                 checklist=["HbA1c à trois mois", "Objectif atteint ou traitement revu"]),
        ],
    ),
    (
        "plaies-chroniques",
        "Plaies chroniques",
        "Un ulcère de jambe, une escarre ou un mal perforant plantaire : évaluation, protocole de pansement, "
        "cause traitée, réévaluation à six semaines.",
        [
            step("Évaluation de la plaie", profession="60", days=0, overdue=1,
                 checklist=["Mesure et photographie", "Douleur évaluée", "Protocole de pansement proposé"]),
            step("Consultation du médecin traitant", role="gp", days=3, overdue=3,
                 checklist=["Cause de la plaie recherchée (index de pression systolique)", "Antalgie",
                            "Pansements prescrits"]),
            step("Bilan nutritionnel", profession="86", days=14, overdue=7,
                 checklist=["Poids, albumine", "Apports en protéines"]),
            step("Réévaluation de la plaie", profession="60", days=14, overdue=3,
                 checklist=["Surface comparée à l'évaluation initiale", "Protocole adapté"]),
            step("Réévaluation pluriprofessionnelle à six semaines", role="gp", days=42, overdue=7,
                 checklist=["Plaie non cicatrisée : avis spécialisé demandé"]),
        ],
    ),
    (
        "soins-palliatifs-domicile",
        "Soins palliatifs à domicile",
        "Accompagner une personne en fin de vie qui souhaite rester chez elle : symptômes soulagés, "
        "prescriptions anticipées, appui spécialisé, soutien des proches.",
        [
            step("Visite infirmière d'évaluation", profession="60", days=0, overdue=1,
                 checklist=["Douleur et symptômes", "Matériel nécessaire (lit, matelas)", "Organisation des passages"]),
            step("Médicaments et matériel disponibles", profession="21", days=1, overdue=1,
                 checklist=["Ordonnances délivrées", "Matériel livré"]),
            step("Visite du médecin traitant", role="gp", days=2, overdue=2,
                 checklist=["Prescriptions anticipées", "Directives anticipées et personne de confiance"]),
            step("Appui du DAC ou de l'équipe mobile de soins palliatifs", role="dac", days=3, overdue=3,
                 checklist=["Situation présentée", "Conduite à tenir en cas d'urgence partagée avec le 15"]),
            step("Soutien des aidants", role="social_worker", days=7, overdue=7,
                 checklist=["Aides financières et congé de proche aidant", "Bénévoles d'accompagnement"]),
        ],
    ),
    (
        "obesite-enfant",
        "Obésité de l'enfant",
        "Un enfant dont la corpulence dépasse le seuil de l'obésité : bilan, accompagnement de la famille "
        "par plusieurs professionnels, suivi à trois mois.",
        [
            step("Consultation du médecin traitant", role="gp", days=0, overdue=7,
                 checklist=["Courbe de corpulence", "Bilan et recherche de complications", "Annonce à la famille"]),
            step("Bilan diététique", profession="86", days=15, overdue=14,
                 checklist=["Habitudes alimentaires de la famille", "Objectifs avec l'enfant"]),
            step("Bilan psychologique", profession="73", days=30, overdue=14,
                 checklist=["Estime de soi", "Harcèlement scolaire recherché"]),
            step("Activité physique adaptée", profession="70", days=30, overdue=14,
                 checklist=["Activité choisie avec l'enfant", "Temps d'écran"]),
            step("Consultation de suivi", role="gp", days=90, overdue=14,
                 checklist=["Courbe de corpulence", "Objectifs revus avec la famille"]),
        ],
    ),
    (
        "chute-maintien-domicile",
        "Maintien à domicile après une chute",
        "Une personne âgée qui est tombée : comprendre la chute, éviter la suivante, adapter le logement "
        "et l'aide pour qu'elle reste chez elle.",
        [
            step("Visite infirmière", profession="60", days=1, overdue=1,
                 checklist=["Lésions et douleur", "Capacité à se relever", "Téléassistance en place"]),
            step("Consultation du médecin traitant", role="gp", days=7, overdue=3,
                 checklist=["Cause de la chute", "Médicaments à risque revus", "Ostéoporose recherchée"]),
            step("Bilan de kinésithérapie", profession="70", days=7, overdue=5,
                 checklist=["Équilibre et marche", "Apprentissage du relever du sol"]),
            step("Revue des médicaments", profession="21", days=10, overdue=5,
                 checklist=["Psychotropes et antihypertenseurs", "Bilan partagé de médication proposé"]),
            step("Visite d'ergothérapie du logement", profession="94", days=15, overdue=7,
                 checklist=["Éclairage, tapis, salle de bains", "Aides techniques"]),
            step("Évaluation sociale", role="social_worker", days=15, overdue=7,
                 checklist=["Aide à domicile", "Isolement"]),
        ],
    ),
]  # fmt: skip


# Days without a recorded contact before a « sans contact » alert (the default is 14).
NO_CONTACT_DAYS = {"sortie-hospitalisation-personne-agee": 7, "soins-palliatifs-domicile": 3, "obesite-enfant": 60,
                   "diabete-type-2-desequilibre": 30}  # fmt: skip


def load(apps, schema_editor):
    from django.utils import timezone

    Template = apps.get_model("pathways", "PathwayTemplate")
    Step = apps.get_model("pathways", "TemplateStep")
    now = timezone.now()
    for code, name, description, steps in LIBRARY:
        template = Template.objects.create(
            cpts=None, code=code, name=name, description=description, number=1, status="published",
            published_at=now, no_contact_days=NO_CONTACT_DAYS.get(code, 14),
        )
        Step.objects.bulk_create(Step(template=template, position=i, **s) for i, s in enumerate(steps, start=1))


def unload(apps, schema_editor):
    apps.get_model("pathways", "PathwayTemplate").objects.filter(cpts__isnull=True, number=1).delete()


class Migration(migrations.Migration):
    dependencies = [("pathways", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]

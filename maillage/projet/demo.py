"""Demo projets de santé: a validated projet for Châtillon-Malakoff-Vanves (signed its ACI in
2023), short validated ones for Paris 13 and Bergerac, and a short projet for Grand Issy-Vanves (in
conception) filed with the ARS the day the demo is loaded, awaiting its answer. Written through the actions (audit,
transitions); a CPTS that already has a projet is left alone, so a second run adds nothing.

Figures are plausible orders of magnitude for three communes of 96,000 inhabitants, not real data.
`cpam.*` codes are the CPAM indicators entered by hand (registered by the indicators app).
"""

from maillage.core.french import plural
from maillage.projet import actions, zoning
from maillage.projet.models import ProjetSante
from maillage.projet.states import Status

DEMO_DOCTOR_LEAD = "<le médecin de démonstration>"


def _demo_doctor_lead() -> str:
    """The demo GP leads the unscheduled-care fiche under their one name (their account's, which is
    their RPPS entry's once linked)."""
    from maillage.accounts.models import User
    from maillage.directory.demo import DEMO_DOCTOR

    user = User.objects.filter(email=DEMO_DOCTOR).first()
    return f"Dr {user.get_full_name()}" if user is not None and user.get_full_name() else "Dr Julien Perrin"


def _i(label, unit, baseline, intermediate, target, code=""):
    return {"code": code, "label": label, "unit": unit, "baseline": baseline, "intermediate": intermediate,
            "target": target}  # fmt: skip


CMV_TEXTS = {
    "presentation": (
        "La CPTS Châtillon-Malakoff-Vanves réunit les professionnels de santé de trois communes des "
        "Hauts-de-Seine autour d'un projet de santé commun, porté depuis 2019 par une association loi 1901.\n"
        "- 142 adhérents : médecins, infirmiers, pharmaciens, masseurs-kinésithérapeutes, sages-femmes\n"
        "- 2 maisons de santé pluriprofessionnelles et 1 centre de santé municipal\n"
        "- Accord conventionnel interprofessionnel signé le 15 mars 2023"
    ),
    "governance": (
        "Assemblée générale annuelle de tous les adhérents.\n"
        "Conseil d'administration de 15 membres en trois collèges : professionnels libéraux, structures "
        "d'exercice coordonné, établissements et partenaires.\n"
        "Bureau : président (médecin généraliste), vice-présidente (infirmière), trésorier (pharmacien).\n"
        "Une coordinatrice salariée à temps plein ; un référent par mission."
    ),
    "diagnostic_comment": (
        "Deux communes sur trois en zone d'intervention prioritaire pour les médecins généralistes.\n"
        "- Près de 1 500 patients en ALD sans médecin traitant déclaré\n"
        "- Une population âgée croissante, des sorties d'hospitalisation mal coordonnées\n"
        "- Un taux de dépistage du cancer du sein inférieur à la moyenne régionale"
    ),
}

CMV_FICHES = [
    (
        {
            "mission": "doctor_access",
            "title": "Un médecin traitant pour les patients en ALD",
            "objective": "Trouver un médecin traitant aux patients en affection de longue durée qui n'en ont pas.",
            "needs": "Près de 1 500 patients en ALD sans médecin traitant ; départs en retraite non remplacés.",
            "actions": "- Liste d'attente unique tenue par la CPTS\n- Appariement avec les médecins volontaires\n"
            "- Relais des infirmiers et pharmaciens pour repérer les patients",
            "lead": "Dr Claire Moreau, médecin généraliste",
            "partners": "CPAM des Hauts-de-Seine, maisons de santé, pharmacies",
            "means": "Coordinatrice (0,3 ETP), plateforme Maillage",
            "calendar": "2023 : liste d'attente ; 2024 : appariement ; 2025-2026 : extension aux 70 ans et plus",
        },
        [
            _i("Patients en ALD sans médecin traitant", "patients", "1450", "1100", "700", "cpam.ald_sans_mt"),
            _i(
                "Patients ayant trouvé un médecin traitant",
                "patients",
                "0",
                "150",
                "300",
                code="doctor_access.found_doctor",
            ),
        ],
    ),
    (
        {
            "mission": "unscheduled",
            "title": "Soins non programmés : un rendez-vous dans les 24 heures",
            "objective": "Répondre le jour même ou le lendemain aux demandes de soins non programmés.",
            "needs": "Recours aux urgences de l'hôpital Antoine-Béclère pour des motifs de ville.",
            "actions": "- Créneaux dédiés ouverts par les médecins volontaires\n- Régulation par le numéro unique",
            "lead": DEMO_DOCTOR_LEAD,
            "partners": "SAS 92, SAMU, hôpital Antoine-Béclère",
            "means": "Régulatrice (1 ETP), indemnisation des créneaux",
            "calendar": "Ouverture en septembre 2023, bilan chaque trimestre",
        },
        [
            _i(
                "Part des demandes prises en charge en moins de 24 heures",
                "%",
                "55",
                "70",
                "85",
                code="unscheduled.served_within_24h",
            ),
            _i("Demandes de soins non programmés reçues", "demandes", "0", "1500", "2400", "unscheduled.requests"),
        ],
    ),
    (
        {
            "mission": "pathways",
            "title": "Sortie d'hospitalisation des personnes âgées",
            "objective": "Éviter les ruptures de parcours au retour à domicile des patients de 75 ans et plus.",
            "needs": "Sorties le vendredi sans information du médecin traitant ; réhospitalisations évitables.",
            "actions": "- Fiche de liaison hôpital-ville\n- Visite infirmière dans les 48 heures\n"
            "- Consultation du médecin traitant dans les 7 jours",
            "lead": "Mme Léa Fontaine, infirmière coordinatrice",
            "partners": "Hôpital Antoine-Béclère, DAC 92 Sud, SSIAD",
            "means": "Messagerie sécurisée de santé, temps de coordination rémunéré",
            "calendar": "Expérimentation 2024, généralisation 2025",
        },
        [
            _i("Patients de 75 ans et plus vus par le médecin traitant dans les 7 jours", "%", "35", "50", "70"),
            _i("Réhospitalisations à 30 jours des 75 ans et plus", "%", "18", "15", "12"),
        ],
    ),
    (
        {
            "mission": "pathways",
            "title": "Plaies complexes",
            "objective": "Organiser la prise en charge ville-hôpital des plaies chroniques.",
            "needs": "Ulcères et escarres suivis sans protocole commun ; avis spécialisés tardifs.",
            "actions": "- Formation des infirmiers libéraux\n- Télé-expertise avec l'unité plaies de l'hôpital",
            "lead": "M. Karim Haddad, infirmier libéral",
            "partners": "Unité plaies et cicatrisation, pharmacies",
            "means": "Formation DPC, téléexpertise",
            "calendar": "2024-2026",
        },
        [
            _i("Infirmiers formés à la prise en charge des plaies", "infirmiers", "4", "15", "30"),
            _i("Délai médian de cicatrisation des ulcères veineux", "semaines", "16", "13", "10"),
        ],
    ),
    (
        {
            "mission": "prevention",
            "title": "Dépistage organisé du cancer du sein",
            "objective": "Augmenter la participation des femmes de 50 à 74 ans au dépistage organisé.",
            "needs": "Participation inférieure à la moyenne régionale, surtout dans les quartiers prioritaires.",
            "actions": "- Relance par les pharmaciens et les médecins traitants\n- Octobre rose : ateliers",
            "lead": "Mme Sophie Martin, sage-femme",
            "partners": "CRCDC Île-de-France, CPAM, centres municipaux de santé",
            "means": "Supports d'information, temps de coordination",
            "calendar": "Campagne chaque année en octobre",
        },
        [
            _i("Taux de dépistage du cancer du sein", "%", "46,2", "52", "60", "cpam.depistage_sein"),
            _i("Ateliers de sensibilisation organisés", "ateliers", "0", "6", "12"),
        ],
    ),
    (
        {
            "mission": "prevention",
            "title": "Vaccination",
            "objective": "Améliorer la couverture vaccinale contre la grippe et les papillomavirus.",
            "needs": "Couverture antigrippale des 65 ans et plus à 51 %, HPV des adolescents à 37 %.",
            "actions": "- Vaccination en pharmacie et par les infirmiers\n- Séances dans les collèges",
            "lead": "M. Paul Lambert, pharmacien",
            "partners": "Éducation nationale, centre de vaccination municipal",
            "means": "Temps de coordination, communication",
            "calendar": "Campagnes d'automne ; séances scolaires au printemps",
        },
        [
            _i("Couverture vaccinale antigrippale des 65 ans et plus", "%", "51,3", "58", "65"),
            _i("Couverture HPV des 11-14 ans (schéma complet)", "%", "37", "50", "60"),
        ],
    ),
    (
        {
            "mission": "crisis",
            "title": "Plan de réponse aux crises sanitaires",
            "objective": "Savoir mobiliser les professionnels du territoire en cas de crise (épidémie, canicule).",
            "needs": "Expérience de la crise sanitaire de 2020 : listes de contacts dispersées.",
            "actions": "- Plan de crise validé par le conseil d'administration\n- Liste d'alerte\n- Exercice annuel",
            "lead": "Bureau de la CPTS",
            "partners": "ARS Île-de-France (délégation 92), mairies, CCAS",
            "means": "Messagerie d'alerte",
            "calendar": "Plan rédigé en 2024 ; exercice chaque année",
        },
        [
            _i("Plan de crise rédigé et validé (1 = oui)", "oui/non", "0", "1", "1"),
            _i("Professionnels joignables par la liste d'alerte", "%", "20", "60", "90"),
        ],
    ),
]

ISSY_TEXTS = {
    "presentation": "Projet de CPTS porté par des professionnels d'Issy-les-Moulineaux et de Vanves.",
    "governance": "",
    "diagnostic_comment": "",
}
ISSY_FICHES = [
    (
        {
            "mission": "doctor_access",
            "title": "Accès à un médecin traitant",
            "objective": "Recenser les patients sans médecin traitant et les médecins prêts à en accueillir.",
            "lead": "À désigner",
        },
        [_i("Patients en ALD sans médecin traitant", "patients", "", "", "500", "cpam.ald_sans_mt")],
    ),
    (
        {
            "mission": "prevention",
            "title": "Dépistage du cancer du sein",
            "objective": "Relayer les campagnes de dépistage organisé.",
        },
        [_i("Taux de dépistage du cancer du sein", "%", "", "", "60", "cpam.depistage_sein")],
    ),
]

# Bergerac (ACI being negotiated) and Paris 13 (ACI signed in 2024) have a validated projet too:
# a short one, so that every CPTS past the projet's validation has what it was validated on.
SHORT_FICHES = [CMV_FICHES[0], CMV_FICHES[4]]
SHORT_TEXTS = {"presentation": "Projet de santé validé par l'ARS.", "governance": "", "diagnostic_comment": ""}

DEMO = {
    "chatillon-malakoff-vanves": (CMV_TEXTS, CMV_FICHES, [Status.SUBMITTED, Status.VALIDATED]),
    "paris-13": (SHORT_TEXTS, SHORT_FICHES, [Status.SUBMITTED, Status.VALIDATED]),
    "bergerac": (SHORT_TEXTS, SHORT_FICHES, [Status.SUBMITTED, Status.VALIDATED]),
    "grand-issy-vanves": (ISSY_TEXTS, ISSY_FICHES, [Status.SUBMITTED]),
}
# Filed the day the demo is loaded (not as history): the ARS's demo account then has a projet to
# answer, with its tacit-validation date two months ahead.
FILED_ON_LOAD = {"grand-issy-vanves"}


def load(demo_cpts, *, log=print) -> None:
    zoning.load_demo(demo_cpts, log=log)
    for cpts in demo_cpts:
        if cpts.slug not in DEMO or ProjetSante.objects.filter(cpts=cpts).exists():
            continue
        texts, fiches, moves = DEMO[cpts.slug]
        actions.save_texts(cpts, texts, None)
        lead = _demo_doctor_lead()
        for fiche, indicators in fiches:
            if fiche.get("lead") == DEMO_DOCTOR_LEAD:
                fiche = {**fiche, "lead": lead}
            actions.save_fiche(cpts, fiche, indicators, None)
        for target in moves:
            actions.move(cpts, target, None, history=cpts.slug not in FILED_ON_LOAD)
        projet = actions.current(cpts)
        count = plural(len(fiches), "fiche-action", "fiches-actions")
        log(f"  projet de santé ({cpts.name}) : {count}, {projet.get_status_display()}")

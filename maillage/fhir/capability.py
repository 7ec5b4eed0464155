"""GET /fhir/metadata: the CapabilityStatement, written from the declarations of `search.py`."""

from django.utils import timezone

from maillage.fhir import pathways, sas_search, systems
from maillage.fhir.search import DEFAULT_COUNT, MAX_COUNT, RESOURCES, ResourceSearch

CORE = "http://hl7.org/fhir/SearchParameter/"
SHARED_DEFINITIONS = {
    "_id": "Resource-id",
    "_lastUpdated": "Resource-lastUpdated",
    "family": "individual-family",
    "given": "individual-given",
}


def _definition(spec: ResourceSearch, param) -> str:
    if param.definition == "maillage":
        return systems.maillage_canonical("SearchParameter", f"{spec.resource_type}-{param.name}")
    return param.definition or CORE + SHARED_DEFINITIONS.get(param.name, f"{spec.resource_type}-{param.name}")


def _profiles(resource_type: str) -> list[str]:
    if resource_type == "PractitionerRole":
        return [systems.maillage_profile("PractitionerRole")]
    return systems.PROFILES[resource_type]


def _resource(spec: ResourceSearch) -> dict:
    """The directory's resources, from search.py's declarations: what is listed is what is served."""
    profile, *others = _profiles(spec.resource_type)
    params = [spec.param("_id"), spec.param("_lastUpdated"), *spec.params]
    resource = {
        "type": spec.resource_type,
        "profile": profile,
        "interaction": [
            {"code": "read"},
            {
                "code": "search-type",
                "documentation": (
                    f"GET {spec.resource_type}?… ou POST {spec.resource_type}/_search (paramètres en "
                    "application/x-www-form-urlencoded)."
                ),
            },
        ],
        "searchParam": [
            {"name": p.name, "definition": _definition(spec, p), "type": p.type, "documentation": p.documentation}
            for p in params
        ],
    }
    if others:
        resource["supportedProfile"] = others
    if spec.includes:
        resource["searchInclude"] = ["*", *spec.includes]
    if spec.revincludes:
        resource["searchRevInclude"] = list(spec.revincludes)
    return resource


def _sas_resources() -> list[dict]:
    """The SAS interface, as the capability statement SAS-GestionnaireAgenda-CPTS declares it: the
    Slot search with its four includes, the Schedule search by actor, the reads of what the Slot
    search includes. (Its Practitioner search by identifier is the directory's, listed above.)"""
    read = [{"code": "read"}]
    slot_params = [
        ("start", f"{systems.SAS_IG}SearchParameter/slot-sp-start", "date",
         "Obligatoire, deux fois : start=ge<date> et start=le<date>."),
        (
            sas_search.IDENTIFIER_PARAM,
            f"{CORE}Slot-schedule",
            "token",
            f"Obligatoire : {systems.IDNPS}|8<RPPS>, de 1 à {sas_search.MAX_PRACTITIONERS} identifiants "
            "séparés par des virgules.",
        ),
        ("status", f"{CORE}Slot-status", "token", "Obligatoire : free."),
    ]  # fmt: skip
    schedule_params = [
        (
            sas_search.SCHEDULE_ACTOR,
            f"{CORE}Schedule-actor",
            "reference",
            "Le praticien : actor=Practitioner/<id> (son identifiant national), ou "
            f"{sas_search.SCHEDULE_ACTOR_IDENTIFIER}={systems.IDNPS}|<identifiant national> ; "
            f"de 1 à {sas_search.MAX_PRACTITIONERS} valeurs séparées par des virgules.",
        ),
    ]

    def params(declared):
        return [
            {"name": name, "definition": definition, "type": kind, "documentation": documentation}
            for name, definition, kind, documentation in declared
        ]

    return [
        {
            "type": "Slot",
            "profile": systems.SAS_PROFILES["Slot"],
            "documentation": (
                "Une seule page : le Bundle n'a qu'un lien (self). Au-delà de _count créneaux (1 000 par "
                "défaut), les premiers par heure de début sont renvoyés et total les compte tous : "
                "réduire la période pour obtenir la suite."
            ),
            "interaction": [*read, {"code": "search-type"}],
            "searchInclude": [*sas_search.INCLUDES, *sas_search.ITERATE_INCLUDES],
            "searchParam": params(slot_params),
        },
        {
            "type": "Schedule",
            "profile": systems.SAS_PROFILES["Schedule"],
            "interaction": [*read, {"code": "search-type"}],
            "searchParam": params(schedule_params),
        },
        {"type": "HealthcareService", "profile": systems.SAS_PROFILES["HealthcareService"], "interaction": read},
    ]


def _pathway_resources() -> list[dict]:
    """Issue 15 — the patients' pathways: read and search of CarePlan, CareTeam and Task."""
    shared = {("CarePlan", "patient"): "clinical-patient", ("CareTeam", "patient"): "clinical-patient"}
    return [
        {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {
                    "name": name,
                    "definition": CORE + shared.get((resource_type, name), f"{resource_type}-{name}"),
                    "type": pathways.DOCUMENTATION[name][0],
                    "documentation": pathways.DOCUMENTATION[name][1],
                }
                for name in pathways.PARAMS[resource_type]
            ],
        }
        for resource_type in pathways.RESOURCE_TYPES
    ]


def capability_statement(base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "Maillage",
        "kind": "instance",
        "software": {"name": "Maillage"},
        "implementation": {
            "description": (
                "Annuaire des professionnels (RPPS) et des établissements (FINESS), données publiques ; "
                "créneaux de soins non programmés pour le SAS"
            ),
            "url": base_url,
        },
        "instantiates": [systems.SAS_CAPABILITY],
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Lecture seule, sans authentification : données publiques des extractions RPPS et FINESS, "
                    "aux formes du guide Annuaire Santé de l'ANS (version 1.1.0) et de la recherche de l'API "
                    "nationale : _include, _revinclude, _lastUpdated, _total (none, estimate, accurate), "
                    "_elements, :exact et :contains sur les noms, POST <type>/_search. Pagination par _count "
                    f"({DEFAULT_COUNT} par défaut, {MAX_COUNT} au plus) et _offset, dans un ordre total et stable ; "
                    "réponses en JSON uniquement (_format=json). Un paramètre inconnu ou une valeur invalide est "
                    "refusé (400, OperationOutcome) ; avec « Prefer: handling=lenient », un paramètre inconnu est "
                    "ignoré et signalé dans le Bundle. "
                    "Interface SAS (Slot, Schedule, HealthcareService, guide « Service d'Accès aux Soins » de l'ANS, "
                    "cas d'usage CPTS) : clé d'accès du client requise. Parcours des patients (CarePlan, "
                    "CareTeam, Task) : jeton d'API personnel ou session Maillage, pour l'équipe de soins du patient "
                    "et la coordination de la CPTS seulement."
                ),
                "security": {
                    "cors": False,
                    "description": (
                        "Annuaire : public. Interface SAS : en-tête « Authorization: Bearer <clé> » (une clé par "
                        "client, créée par l'exploitant), derrière un mandataire inverse en TLS mutuel avec les "
                        "certificats de l'IGC-Santé. Parcours des patients : en-tête « Authorization: Bearer "
                        "mlg_… » (jeton d'API personnel) ou session avec double authentification."
                    ),
                },
                "resource": [
                    *(_resource(spec) for spec in RESOURCES.values()),
                    *_sas_resources(),
                    *_pathway_resources(),
                ],
            }
        ],
    }

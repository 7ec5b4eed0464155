"""GET /fhir/metadata: the CapabilityStatement, written from the declarations of `search.py`."""

from django.utils import timezone

from maillage.fhir import systems
from maillage.fhir.search import DEFAULT_COUNT, MAX_COUNT, RESOURCES, ResourceSearch

CORE = "http://hl7.org/fhir/SearchParameter/"
SHARED_DEFINITIONS = {"_id": "Resource-id", "family": "individual-family", "given": "individual-given"}


def _resource(spec: ResourceSearch) -> dict:
    profile, *others = systems.PROFILES[spec.resource_type]
    params = [("_id", "token", "Identifiant de la ressource.")]
    params += [(p.name, p.type, p.documentation) for p in spec.params]
    return {
        "type": spec.resource_type,
        "profile": profile,
        "supportedProfile": others,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchParam": [
            {
                "name": name,
                "definition": CORE + SHARED_DEFINITIONS.get(name, f"{spec.resource_type}-{name}"),
                "type": kind,
                "documentation": documentation,
            }
            for name, kind, documentation in params
        ],
    }


def capability_statement(base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "Maillage",
        "kind": "instance",
        "software": {"name": "Maillage"},
        "implementation": {
            "description": "Annuaire des professionnels (RPPS) et des établissements (FINESS), données publiques",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Lecture seule, sans authentification : données publiques des extractions RPPS et FINESS, "
                    "aux formes du guide Annuaire Santé de l'ANS. Pagination par _count "
                    f"({DEFAULT_COUNT} par défaut, {MAX_COUNT} au plus) et _offset ; réponses en JSON uniquement "
                    "(_format=json). Un paramètre inconnu ou une valeur invalide est refusé (400, OperationOutcome)."
                ),
                "resource": [_resource(spec) for spec in RESOURCES.values()],
            }
        ],
    }

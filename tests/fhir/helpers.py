from fhir.resources.R4B import get_fhir_model_class

FHIR_JSON = "application/fhir+json; charset=utf-8"


def validate(body: dict) -> dict:
    """Every resource the server emits must be valid FHIR R4 (R4B models), each bundle entry too."""
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    for entry in body.get("entry", []):
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return body


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def links(bundle: dict) -> dict[str, str]:
    return {link["relation"]: link["url"] for link in bundle["link"]}


def diagnostics(outcome: dict) -> str:
    return outcome["issue"][0]["diagnostics"]

"""FHIR views: read, search-type and metadata, public, JSON only, read only.

Every answer is `application/fhir+json`, errors included (an OperationOutcome, never an HTML page
or a traceback). The data is the public open data of the RPPS and FINESS: no login is asked.
"""

import json
import logging
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from maillage.fhir import search
from maillage.fhir.bundle import fhir_base, searchset
from maillage.fhir.capability import capability_statement
from maillage.fhir.errors import FhirError, not_found, not_supported, operation_outcome
from maillage.fhir.resources import BUILDERS

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json; charset=utf-8"
JSON_FORMATS = {"json", "application/json", "application/fhir+json", "application/json+fhir"}
ACCEPTABLE = JSON_FORMATS | {"*/*", "application/*"}


def respond(data: dict, status: int = 200) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), status=status, content_type=FHIR_JSON)


def _negotiate(request) -> None:
    formats = request.GET.getlist("_format")
    if formats:
        # In a query string « + » reads as a space: « application/fhir+json » arrives as « fhir json ».
        asked = [f.split(";")[0].strip().lower().replace(" ", "+") for f in formats]
        if all(a in JSON_FORMATS for a in asked):
            return
        raise not_supported(
            f"Format non pris en charge : « {', '.join(formats)} ». Ce serveur ne répond qu'en JSON "
            "(_format=json ou application/fhir+json).",
            status=406,
        )
    accept = request.headers.get("Accept", "")
    media = {part.split(";")[0].strip().lower() for part in accept.split(",") if part.strip()}
    if media and not media & ACCEPTABLE:
        raise not_supported(
            f"Format non pris en charge : « {accept} ». Ce serveur ne répond qu'en application/fhir+json.",
            status=406,
        )


def fhir_endpoint(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = respond(
                operation_outcome(
                    "not-supported", f"Méthode {request.method} non prise en charge : ce serveur est en lecture seule."
                ),
                405,
            )
            response["Allow"] = "GET, HEAD"
            return response
        try:
            _negotiate(request)
            return view(request, *args, **kwargs)
        except FhirError as error:
            return respond(error.outcome(), error.status)
        except Exception:
            logger.exception("FHIR request failed: %s", request.get_full_path())
            return respond(
                operation_outcome("exception", "Erreur interne du serveur FHIR ; elle a été journalisée."), 500
            )

    # Public open data, and nothing is ever written: no login, no CSRF token to ask for.
    return login_not_required(csrf_exempt(wrapper))


@fhir_endpoint
def metadata(request):
    return respond(capability_statement(fhir_base(request)))


@fhir_endpoint
def search_type(request, resource_type: str):
    spec = search.RESOURCES[resource_type]
    query = search.run(spec, request.GET)
    rows = list(query.queryset[query.offset : query.offset + query.count]) if query.count else []
    # A short page tells the total without a COUNT query (the common case: few matches).
    short_page = query.count and len(rows) < query.count and (rows or not query.offset)
    total = query.offset + len(rows) if short_page else query.queryset.count()
    resources = BUILDERS[resource_type](rows)
    return respond(searchset(request, resource_type, resources, total=total, offset=query.offset, count=query.count))


@fhir_endpoint
def read(request, resource_type: str, resource_id: str):
    spec = search.RESOURCES[resource_type]
    row = spec.queryset().filter(spec.id_q(resource_id)).first()
    if row is None:
        raise not_found(f"Ressource introuvable : {resource_type}/{resource_id}.")
    return respond(BUILDERS[resource_type]([row])[0])


@fhir_endpoint
def unsupported(request, rest: str = ""):
    first = rest.split("/")[0]
    available = ", ".join(search.RESOURCES)
    if first in search.RESOURCES:
        raise not_supported(
            f"Interaction non prise en charge : « {rest} ». Lecture : {first}/<id> ; recherche : {first}?….", status=404
        )
    raise not_supported(
        f"Type de ressource non pris en charge : « {first or '(aucun)'} ». Types disponibles : {available} ; "
        "capacités du serveur : /fhir/metadata.",
        status=404,
    )

"""FHIR views: read, search-type and metadata, JSON only, read only (`POST <type>/_search`, a
search with its parameters in a form, writes nothing either).

Every answer is `application/fhir+json`, errors included (an OperationOutcome, never an HTML page
or a traceback). The directory is the public open data of the RPPS and FINESS: no login is asked.
The SAS interface (Slot, Schedule, HealthcareService) asks for a consumer's key instead; the
patients' pathways (CarePlan, CareTeam, Task) a personal API token or a session (`pathways`).
"""

import json
import logging
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from maillage.core import bounds
from maillage.core.replicas import replica_reads
from maillage.fhir import includes, pathways, sas, sas_search, search
from maillage.fhir.bundle import fhir_base, outcome_entry, searchset, subset
from maillage.fhir.capability import capability_statement
from maillage.fhir.errors import FhirError, invalid, not_found, not_supported, operation_outcome
from maillage.fhir.resources import BUILDERS
from maillage.territory.models import Cpts
from maillage.unscheduled.models import Slot

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


def _form(request):
    """The POSTed form, or a 400 OperationOutcome when the body cannot be read as one (not UTF-8, a
    broken multipart boundary, too many fields or too large): a client's error, not the server's."""
    try:
        return request.POST
    except (BadRequest, MultiPartParserError, SuspiciousOperation, UnicodeDecodeError):
        raise invalid(
            "Corps de requête illisible : une recherche POST …/_search envoie ses paramètres en "
            "application/x-www-form-urlencoded, encodés en UTF-8."
        ) from None


def fhir_endpoint(view, methods: tuple[str, ...] = ("GET", "HEAD")):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in methods:
            response = respond(
                operation_outcome(
                    "not-supported", f"Méthode {request.method} non prise en charge : ce serveur est en lecture seule."
                ),
                405,
            )
            response["Allow"] = ", ".join(methods)
            return response
        try:
            if bounds.has_nul(request.GET) or (request.method == "POST" and bounds.has_nul(_form(request))):
                # PostgreSQL cannot compare a text with one (DataError): refused before any query.
                raise invalid(bounds.NUL_REFUSED)
            _negotiate(request)
            return view(request, *args, **kwargs)
        except FhirError as error:
            response = respond(error.outcome(), error.status)
            if error.status == 401:
                response["WWW-Authenticate"] = 'Bearer realm="fhir"'
            return response
        except Exception:
            logger.exception("FHIR request failed: %s", request.get_full_path())
            return respond(
                operation_outcome("exception", "Erreur interne du serveur FHIR ; elle a été journalisée."), 500
            )

    # Nothing is ever written: no CSRF token to ask for. The directory is public open data (no
    # login); the SAS and the pathways views authenticate their callers themselves, in FHIR's terms.
    return login_not_required(csrf_exempt(wrapper))


@fhir_endpoint
@replica_reads
def metadata(request):
    return respond(capability_statement(fhir_base(request)))


def _lenient(request) -> bool:
    """`Prefer: handling=lenient`: unknown parameters are ignored (and listed) rather than refused."""
    prefer = request.headers.get("Prefer", "")
    return any(part.strip().replace(" ", "") == "handling=lenient" for part in prefer.split(";") + prefer.split(","))


def _search(request, resource_type: str, params):
    spec = search.RESOURCES[resource_type]
    query = search.run(spec, params, lenient=_lenient(request))
    rows = query.page()
    # A short page tells the total without a COUNT query (the common case: few matches) — unless it
    # follows a cursor, which skipped rows without counting them. A search no index answers
    # (`:contains`) is counted only when asked, as the national API does.
    short_page = query.count and not query.after and len(rows) < query.count and (rows or not query.offset)
    if query.total == "none":
        total = None
    elif short_page:
        total = query.offset + len(rows)
    elif query.total == "accurate":
        total = query.queryset.count()
    elif query.costly:
        total = None
    else:
        total = search.bounded_count(query.queryset)
    resources = BUILDERS[resource_type](rows)
    included, bounded = includes.included(resource_type, rows, query)
    if query.elements:
        resources = [subset(resource, query.elements) for resource in resources]
    issues = [("informational", m) for m in (*query.warnings, *bounded)]
    issues += [("not-supported", m) for m in query.ignored]
    bundle = searchset(
        request,
        resource_type,
        resources,
        total=total,
        offset=query.offset,
        count=query.count,
        params=params,
        included=included,
        outcome=outcome_entry(issues) if issues else None,
        keyset=query.keyset,
        cursor=query.cursor_after(rows),
    )
    return respond(bundle)


@fhir_endpoint
@replica_reads
def search_type(request, resource_type: str):
    return _search(request, resource_type, request.GET)


FORM = "application/x-www-form-urlencoded"


def search_post(request, resource_type: str):
    """`POST <type>/_search`: the parameters in a form (application/x-www-form-urlencoded), and
    those of the query string if any, as FHIR allows — for searches too long for a URL."""
    # FHIR names the urlencoded form; a multipart form (what an HTML form with a file would send)
    # carries the same fields and is read alike.
    if request.content_type not in (FORM, "multipart/form-data"):
        raise not_supported(
            f"Type de contenu non pris en charge : « {request.content_type or '(aucun)'} ». "
            f"Une recherche POST …/_search envoie ses paramètres en {FORM}.",
            status=415,
        )
    params = request.GET.copy()
    for name, values in _form(request).lists():
        params.setlist(name, params.getlist(name) + values)
    return _search(request, resource_type, params)


search_post = fhir_endpoint(replica_reads(search_post), methods=("POST",))


@fhir_endpoint
@replica_reads
def read(request, resource_type: str, resource_id: str):
    if resource_type == "Organization" and resource_id.startswith("cpts-"):
        return respond(_sas_resource("Organization", resource_id))
    spec = search.RESOURCES[resource_type]
    row = spec.queryset().filter(spec.id_q(resource_id)).first()
    if row is None:
        raise not_found(f"Ressource introuvable : {resource_type}/{resource_id}.")
    return respond(BUILDERS[resource_type]([row])[0])


@fhir_endpoint
def slot_search(request):
    """The SAS search of free slots (ANS guide « Service d'Accès aux Soins », CPTS use case).

    The Bundle has exactly one link, `self` (BundleAgregateurCPTS: link 1..1): the SAS pages by
    narrowing the period, not by following `next`. When more slots match than `_count` (1,000 by
    default, the SAS's own figure), the answer holds the first `_count` by start time and `total`
    counts them all: the SAS sees total > entries and asks again for the rest of the period."""
    sas_search.authenticate(request)
    query = sas_search.parse(request.GET)
    rows, total = query.page()
    base = fhir_base(request)
    self_url = f"{base}Slot?{request.META.get('QUERY_STRING', '')}".rstrip("?")
    bundle = sas.searchset(base, self_url, rows, query.includes, total)
    if query.ignored:
        bundle.setdefault("entry", []).append(sas_search.ignored_outcome(query.ignored))
    return respond(bundle)


@fhir_endpoint
def schedule_search(request):
    """`GET /fhir/Schedule?actor=…`: the Schedules of one or more practitioners, as the capability
    statement SAS-GestionnaireAgenda-CPTS declares it (search-type, parameter `actor`)."""
    sas_search.authenticate(request)
    query = sas_search.parse_schedule(request.GET)
    resources = sas.schedules(query.schedule_rows())
    base = fhir_base(request)
    self_url = f"{base}Schedule?{request.META.get('QUERY_STRING', '')}".rstrip("?")
    return respond(sas.schedule_searchset(base, self_url, resources))


def _sas_resource(resource_type: str, resource_id: str) -> dict:
    """A resource of the SAS interface by its id (see `sas`), or a 404 OperationOutcome."""
    missing = not_found(f"Ressource introuvable : {resource_type}/{resource_id}.")
    _check_numbers(resource_type, resource_id)
    if resource_type in ("HealthcareService", "Organization"):
        number = resource_id.removeprefix("cpts-")
        exposed = Cpts.objects.exposed_to_sas()
        cpts = exposed.filter(pk=number).first() if resource_id.startswith("cpts-") and number.isdigit() else None
        if cpts is None:
            raise missing
        return sas.healthcare_service(cpts) if resource_type == "HealthcareService" else sas.cpts_organization(cpts)
    if resource_type == "Slot":
        row = (
            Slot.objects.exposed_to_sas()
            .select_related("cpts", "professional", "activity__professional")
            .filter(pk=_number(resource_id))
            .first()
        )
        if row is None:
            raise missing
        return sas.slot(row)
    # Schedule: <cpts pk>-<IDNPS>-<activity pk or 0>, with at least one slot behind it.
    parts = resource_id.split("-")
    if len(parts) != 3 or not (parts[0].isdigit() and parts[2].isdigit()):
        raise missing
    row = (
        Slot.objects.exposed_to_sas()
        .select_related("cpts", "professional", "activity__professional")
        .filter(cpts_id=parts[0], professional__national_id=parts[1], activity_id=_number(parts[2]) or None)
        .first()
    )
    if row is None:
        raise missing
    return sas.schedule(resource_id, row.cpts, row.professional, row.activity)


def _check_numbers(resource_type: str, resource_id: str) -> None:
    """A key in an id past what a key can be (SQLite overflows past 2^63) is a 400, not a 500.
    The keys: a Slot's id, the number after « cpts- », a Schedule's first and last parts (its
    middle one is the professional's IDNPS, not a key)."""
    parts = resource_id.removeprefix("cpts-").split("-")
    keys = [parts[0], parts[-1]] if resource_type == "Schedule" else parts[:1]
    for key in keys:
        if key.isascii() and key.isdigit() and key.strip("0") and not bounds.is_pk(key):
            raise invalid(f"Identifiant hors des limites : {resource_type}/{resource_id[:64]}.")


def _number(value: str) -> int:
    return int(value) if value.isdigit() and len(value) <= 18 else -1


@fhir_endpoint
def sas_read(request, resource_type: str, resource_id: str):
    sas_search.authenticate(request)
    return respond(_sas_resource(resource_type, resource_id))


# Issue 15 — the patients' pathways: CarePlan, CareTeam, Task (maillage/fhir/pathways.py).


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"  # patient data: kept by no cache on the way
    return response


@fhir_endpoint
def pathway_search(request, resource_type: str):
    reader = pathways.authenticate(request)
    resources, total, criteria = pathways.search(reader, resource_type, request.GET, fhir_base(request))
    bundle = searchset(request, resource_type, resources, total=total, offset=criteria.offset, count=criteria.count)
    return _private(respond(bundle))


@fhir_endpoint
def pathway_read(request, resource_type: str, resource_id: str):
    reader = pathways.authenticate(request)
    return _private(respond(pathways.read(reader, resource_type, resource_id, fhir_base(request))))


@fhir_endpoint
def unsupported(request, rest: str = ""):
    first = rest.split("/")[0]
    available = ", ".join([*search.RESOURCES, "Slot (SAS)", *pathways.RESOURCE_TYPES])
    if first in search.RESOURCES or first in pathways.RESOURCE_TYPES:
        raise not_supported(
            f"Interaction non prise en charge : « {rest} ». Lecture : {first}/<id> ; recherche : {first}?….", status=404
        )
    raise not_supported(
        f"Type de ressource non pris en charge : « {first or '(aucun)'} ». Types disponibles : {available} ; "
        "capacités du serveur : /fhir/metadata.",
        status=404,
    )

"""JSON API, /api/v1/. Deny by default (django_auth); reference endpoints opt out explicitly:
communes, CPTS territories and coverage are public open data with no personal data."""

import logging

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import DataError
from django.http import Http404
from ninja import NinjaAPI, Query, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from maillage.api.schemas import CommuneOut, CoverageOut, CptsDetailOut, CptsOut, ErrorOut
from maillage.core.bounds import BadInput
from maillage.funding import report as funding_report
from maillage.funding.schemas import MONEY, FundingOut, funding_out
from maillage.funding.terms import contract_of
from maillage.territory import coverage
from maillage.territory.models import Commune, Cpts, Departement, Region
from maillage.territory.search import search_units
from maillage.www.funding.scoping import cpts_for_funding

api = NinjaAPI(
    title="API Maillage",
    version="1",
    description="Référentiel territorial, CPTS et couverture. Toutes les réponses sont en JSON.",
    auth=django_auth,
    urls_namespace="api-1",
    docs_url="/docs",
)
PUBLIC = None
logger = logging.getLogger(__name__)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    fields = sorted({".".join(str(p) for p in e.get("loc", [])[1:]) or "requête" for e in exc.errors})
    return api.create_response(
        request, {"detail": f"Paramètre invalide : {', '.join(fields)}.", "erreurs": exc.errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(request, {"detail": "Authentification requise."}, status=401)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(BadRequest)
def bad_request(request, exc):
    # BadInput (maillage.core.bounds) says in French what is out of bounds; Django's own do not.
    detail = str(exc) if isinstance(exc, BadInput) else "Requête invalide."
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Ressource introuvable."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "Accès refusé."}, status=403)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def out_of_range(request, exc):
    # A number past what the database stores (SQLite: OverflowError, PostgreSQL: DataError).
    logger.warning("API value out of range: %s (%s)", request.get_full_path()[:300], exc)
    return api.create_response(request, {"detail": "Paramètre hors des limites."}, status=400)


@api.exception_handler(Exception)
def server_error(request, exc):
    # Never Django's HTML 500 page on the JSON API: the same JSON shape, and the error logged.
    logger.exception("API request failed: %s", request.get_full_path()[:300])
    return api.create_response(request, {"detail": "Erreur interne du serveur ; elle a été journalisée."}, status=500)


def _commune_out(c: Commune) -> dict:
    return {
        "code": c.code,
        "nom": c.name,
        "type": c.kind,
        "population": c.population,
        "codes_postaux": c.postal_codes,
        "departement": c.departement_id,
        "region": c.region_id,
        "epci": c.epci_id,
        "latitude": c.latitude,
        "longitude": c.longitude,
        "en_vigueur": c.active,
        "remplacee_par": c.replaced_by_id,
    }


@api.get("/communes", response=list[CommuneOut], auth=PUBLIC, summary="Rechercher des communes")
def communes(request, q: str, departement: str | None = None, limit: int = Query(20, ge=1, le=100)):
    return [_commune_out(c) for c in search_units(q, limit=limit, departement=departement)]


@api.get("/communes/{code}", response={200: CommuneOut, 404: ErrorOut}, auth=PUBLIC, summary="Une commune")
def commune(request, code: str):
    found = Commune.objects.filter(code=code.strip().upper()).first()
    if found is None:
        return Status(404, {"detail": f"Commune inconnue : {code}."})
    return Status(200, _commune_out(found))


def _cpts_out(cpts: Cpts, overlaps: dict) -> dict:
    tier = cpts.tier()
    return {
        "slug": cpts.slug,
        "nom": cpts.name,
        "statut": cpts.status,
        "population": cpts.population(),
        "taille": tier.code,
        "taille_libelle": tier.label,
        "communes": cpts.commune_count,
        "chevauchements": len(overlaps),
    }


@api.get("/cpts/", response=list[CptsOut], auth=PUBLIC, summary="Les CPTS de l'instance")
def cpts_list(request):
    return [_cpts_out(c, c.overlaps()) for c in Cpts.objects.with_population()]


@api.get(
    "/cpts/{slug}", response={200: CptsDetailOut, 404: ErrorOut}, auth=PUBLIC, summary="Une CPTS et son territoire"
)
def cpts_detail(request, slug: str):
    cpts = Cpts.objects.with_population().filter(slug=slug).first()
    if cpts is None:
        return Status(404, {"detail": f"CPTS inconnue : {slug}."})
    overlaps = cpts.overlaps()
    data = _cpts_out(cpts, overlaps)
    data["territoire"] = [
        {"code": c.code, "nom": c.name, "population": c.population} for c in cpts.communes().order_by("name")
    ]
    data["communes_partagees"] = [
        {"code": c.code, "nom": c.name, "autres_cpts": [o.name for o in others]} for c, others in overlaps.items()
    ]
    return Status(200, data)


@api.get("/coverage", response={200: CoverageOut, 400: ErrorOut, 404: ErrorOut}, auth=PUBLIC, summary="Couverture")
def coverage_view(request, region: str | None = None, departement: str | None = None):
    if region and departement:
        return Status(400, {"detail": "Indiquez une région ou un département, pas les deux."})
    if region and not Region.objects.filter(code=region).exists():
        return Status(404, {"detail": f"Région inconnue : {region}."})
    if departement and not Departement.objects.filter(code=departement.upper()).exists():
        return Status(404, {"detail": f"Département inconnu : {departement}."})
    return Status(200, coverage.compute(region=region, departement=departement and departement.upper()).as_dict())


from maillage.api.indicators import router as indicators_router  # noqa: E402

api.add_router("", indicators_router)


@api.get(
    "/cpts/{slug}/funding",
    response={200: FundingOut, 400: ErrorOut, 404: ErrorOut},
    summary="Financement ACI d'une année de contrat",
    description="Coordinateur de la CPTS, administrateur, observateur régional de sa région. " + MONEY,
)
def cpts_funding(request, slug: str, year: str = ""):
    try:
        cpts, _ = cpts_for_funding(request, slug)
    except Http404:
        return Status(404, {"detail": f"CPTS inconnue : {slug}."})
    contract = contract_of(cpts)
    if contract is None:
        return Status(404, {"detail": f"La {cpts.name} n'a pas de contrat ACI enregistré."})
    try:
        built = funding_report.build(contract, funding_report.parse_year(year or "", contract))
    except funding_report.YearError as exc:
        return Status(400, {"detail": str(exc)})
    return Status(200, funding_out(built))


# The API authenticates on its own (django_auth above); Django's LoginRequiredMiddleware must not
# redirect API clients to an HTML login page.
def _mark_api_views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _mark_api_views(pattern.url_patterns)
        elif hasattr(pattern, "callback"):
            pattern.callback.login_required = False


def urls():
    patterns = api.urls
    _mark_api_views(patterns[0])
    return patterns

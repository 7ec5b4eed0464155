"""JSON API, /api/v1/. Deny by default (a personal token or the session, maillage.api.auth);
reference endpoints opt out explicitly: communes, CPTS territories and coverage are public open data
with no personal data. Lists are paginated (maillage.api.paging)."""

import logging
from functools import wraps

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import DataError
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.views.decorators.gzip import gzip_page
from ninja import NinjaAPI, Status
from ninja.decorators import decorate_view
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import paginate

from maillage.accounts import policy
from maillage.accounts.policy import WRITE, Area
from maillage.api.auth import TOKEN_OR_SESSION
from maillage.api.paging import limit_offset
from maillage.api.schemas import (
    CommuneOut,
    CoverageOut,
    CptsDetailOut,
    CptsOut,
    ErrorOut,
    TerritoryIn,
    TerritoryOut,
)
from maillage.core.bounds import BadInput
from maillage.core.replicas import replica_reads
from maillage.funding import report as funding_report
from maillage.funding.schemas import MONEY, FundingOut, funding_out
from maillage.funding.terms import contract_of
from maillage.territory import coverage, published
from maillage.territory.actions import StaleTerritoryError, TerritoryError, set_territory
from maillage.territory.models import Commune, Cpts, CptsCommune, Departement, Region
from maillage.territory.search import search_units
from maillage.www.funding.scoping import cpts_for_funding

api = NinjaAPI(
    title="API Maillage",
    version="1",
    description="Référentiel territorial, CPTS et couverture. Toutes les réponses sont en JSON.",
    auth=TOKEN_OR_SESSION,
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
    detail = str(exc)
    if detail == "CSRF check Failed":  # django-ninja's own, for a session without its CSRF token
        detail = "Jeton CSRF absent ou invalide : utilisez un jeton d'API (Authorization: Bearer …)."
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


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


class _Mapped:
    """A queryset whose rows the paginator receives as the API's dicts, page by page."""

    def __init__(self, queryset, convert):
        self.queryset, self.convert = queryset, convert

    def all(self):
        return self

    def count(self):
        return self.queryset.count()

    def __getitem__(self, page: slice):
        return [self.convert(row) for row in self.queryset[page]]


@api.get("/communes", response=list[CommuneOut], auth=PUBLIC, summary="Rechercher des communes")
@replica_reads
@paginate(limit_offset(20, 100))
def communes(request, q: str, departement: str | None = None):
    return _Mapped(search_units(q, limit=None, departement=departement), _commune_out)


@api.get("/communes/{code}", response={200: CommuneOut, 404: ErrorOut}, auth=PUBLIC, summary="Une commune")
@replica_reads
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


def _all_cpts() -> list[dict]:
    """Every CPTS as the list gives it, with how many of its communes another CPTS claims too."""
    claims: dict[str, int] = {}
    links = list(CptsCommune.objects.values_list("cpts_id", "commune_id"))
    for _, commune in links:
        claims[commune] = claims.get(commune, 0) + 1
    shared: dict[int, int] = {}
    for cpts_id, commune in links:
        if claims[commune] > 1:
            shared[cpts_id] = shared.get(cpts_id, 0) + 1
    return [_cpts_out(c, range(shared.get(c.pk, 0))) for c in Cpts.objects.with_population().order_by("name")]


def _published(view):
    """For a view that answers from the published documents: an ETag (their version token, the
    query and the host, since `next` is an absolute address), 304 when the client has it, and the
    answer kept in this process's memory for the next identical request."""

    @wraps(view)
    def answer(request, *args, **kwargs):
        query = "&".join(sorted(request.GET.urlencode().split("&")))
        gzipped = published.accepts_gzip(request)  # two encodings, two representations, two ETags
        token = published.version()
        etag = published.etag_for(f"{token}|{request.path}|{query}|{request.get_host()}|{request.scheme}|{gzipped}")
        if published.etag_matches(request, etag):
            response = HttpResponseNotModified()
        else:
            kept = published.memory.get(f"{etag}|{gzipped}")
            if kept is not None:
                response = HttpResponse(kept[0], content_type=kept[1])
                for header, value in kept[2].items():
                    response[header] = value
            else:
                response = view(request, *args, **kwargs)
                if response.status_code == 200:
                    headers = {h: response[h] for h in ("Content-Encoding", "Vary") if response.has_header(h)}
                    published.memory.put(f"{etag}|{gzipped}", (response.content, response["Content-Type"], headers))
        if response.status_code in (200, 304):
            response["ETag"] = etag  # in place of gzip_page's weak copy of none
            response["Cache-Control"] = "public, no-cache"
            patch_vary_headers(response, ["Accept-Encoding"])
        return response

    return answer


@api.get(
    "/cpts/",
    response=list[CptsOut],
    auth=PUBLIC,
    summary="Les CPTS de l'instance",
    description="Par ordre alphabétique. Réponse conditionnelle (ETag, 304) et compressée (gzip).",
)
@replica_reads
@paginate(limit_offset(100, 1000))
@decorate_view(gzip_page, _published)
def cpts_list(request):
    return published.document("api-cpts", _all_cpts).data


@api.get(
    "/cpts/{slug}", response={200: CptsDetailOut, 404: ErrorOut}, auth=PUBLIC, summary="Une CPTS et son territoire"
)
@replica_reads
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
@replica_reads
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


@api.put(
    "/cpts/{slug}/territoire",
    response={200: TerritoryOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Remplacer le territoire d'une CPTS",
    description=(
        "Coordinateur de la CPTS ; un jeton d'API en lecture et écriture. `version` (facultative) est celle "
        "du territoire lu : si quelqu'un l'a modifié depuis, la réponse est 409 et rien n'est changé."
    ),
)
def cpts_territory(request, slug: str, payload: TerritoryIn):
    cpts = policy.cpts(request.user, Area.TERRITORY, WRITE).filter(slug=slug).first()
    if cpts is None:
        return Status(404, {"detail": f"CPTS inconnue : {slug}."})
    try:
        communes = set_territory(cpts, payload.communes, actor=request.user, expected_version=payload.version)
    except StaleTerritoryError as exc:
        return Status(409, {"detail": str(exc)})
    except TerritoryError as exc:
        return Status(400, {"detail": str(exc)})
    codes = sorted(c.code for c in communes)
    return Status(200, {"slug": cpts.slug, "version": cpts.territory_version, "communes": codes})


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

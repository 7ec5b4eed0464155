import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from maillage.core.french import plural
from maillage.core.replicas import replica_reads
from maillage.prevention import agenda as prevention_agenda
from maillage.territory import background, published
from maillage.territory.models import Cpts, CptsCommune
from maillage.territory.search import MAX_QUERY, search_units
from maillage.www import geojson
from maillage.www.htmx import is_htmx


def _home_table() -> str:
    cpts_list = Cpts.objects.with_population().order_by("name")
    return render_to_string("public/home_table.html", {"cpts_list": cpts_list})


def _published_page(request, name, render_page):
    """An anonymous visitor with no message waiting sees what every other one sees: the whole page
    is rendered once per published version and answered like the open data (ETag, gzip), a cache
    read rather than a template per request. Anyone else gets it rendered for them (their menu,
    their role, their CSRF token). The page frame carries no CSRF token for anonymous visitors
    (templates/base.html), so nothing personal can be shared."""
    if request.user.is_authenticated or len(messages.get_messages(request)):
        return render_page()
    doc = published.document(
        f"page:{name}", lambda: render_page().content.decode(), content_type="text/html; charset=utf-8", as_json=False
    )
    answer = published.response(request, doc)
    answer["Cache-Control"] = "no-cache"  # revalidated (ETag); the logged-in version differs
    patch_vary_headers(answer, ["Cookie"])
    return answer


@login_not_required
@require_safe
@replica_reads
def home(request):
    def render_page():
        # The table of every CPTS is the same for everyone: rendered once per change of a territory.
        table = published.document("home-table", _home_table, content_type="text/html", as_json=False, compress=False)
        return render(request, "public/home.html", {"cpts_table": mark_safe(table.body.decode())})  # noqa: S308 (our own template)

    return _published_page(request, "home", render_page)


# The results of the last queries, keyed by the published version (a commune, a territory or a
# CPTS's contacts changing replaces it): « paris », « saint » asked by every other visitor cost a
# dictionary read rather than a scan of 35,000 communes (about 25 ms). Bounded; the page itself is
# rendered for each request, never published.
_recent = published._Memory(512)


def _search_results(query: str):
    """[(commune, [its CPTS…])] for the communes matching `query`: a commune two CPTS cover shows
    both."""
    key = (published.version(), " ".join(query.lower().split()))
    found = _recent.get(key)
    if found is None:
        found = _find(query)
        _recent.put(key, found)
    return found


def _find(query: str):
    communes = list(search_units(query, limit=20))
    links = CptsCommune.objects.filter(commune__in=communes).select_related("cpts").order_by("cpts__name")
    covering: dict[str, list[Cpts]] = {}
    for link in links:
        covering.setdefault(link.commune_id, []).append(link.cpts)
    return [(commune, covering.get(commune.code, [])) for commune in communes]


@login_not_required
@require_safe
@replica_reads
def search(request):
    """« Ma commune, ma CPTS »: a commune by name or postal code, and the CPTS that cover it.
    Rendered for each query (not a published document); a plain GET form, the results swapped in
    by htmx when JavaScript runs."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]  # a NUL never gets here (core.bounds.RefuseNulCharacters)
    results = _search_results(query) if query else []
    found = f"{plural(len(results), 'commune trouvée', 'communes trouvées')}"
    context = {"query": query, "results": results, "found": found}
    if is_htmx(request):
        answer = render(request, "public/_search_results.html", context)
    else:
        answer = render(request, "public/search.html", context)
    patch_vary_headers(answer, ["HX-Request"])
    return answer


def _cpts_page(slug):
    def make():
        cpts = get_object_or_404(Cpts.objects.with_population(), slug=slug)
        context = {"cpts": cpts, "communes": cpts.communes().order_by("name"), "overlaps": cpts.overlaps()}
        return {"name": cpts.name, "id": cpts.pk, "html": render_to_string("public/cpts_body.html", context)}

    return make


@login_not_required
@require_safe
@replica_reads
def cpts_public(request, slug):
    def render_page():
        # The same for everyone: rendered once per change of a territory or a CPTS.
        page = published.document(f"cpts-page:{slug}", _cpts_page(slug), compress=False).data
        context = {"cpts_name": page["name"], "body": mark_safe(page["html"]), "slug": slug}  # noqa: S308 (our own template)
        # Issue 17 — the prevention actions to come (the day is in the page's key).
        context["prevention_events"] = prevention_agenda.upcoming(page["id"]) if page.get("id") else []
        return render(request, "public/cpts.html", context)

    agenda_key = prevention_agenda.stamp()
    return _published_page(request, f"cpts:{slug}:{agenda_key}", render_page)


def _cpts_map(slug):
    def make():
        cpts = get_object_or_404(Cpts, slug=slug)
        shared = {c.code for c in cpts.overlaps()}
        features = [
            geojson.feature(
                c.shape,
                (c.latitude, c.longitude),
                {"nom": c.name, "code": c.code, "etat": "chevauchement" if c.code in shared else "territoire"},
            )
            for c in cpts.communes()
        ]
        return {"type": "FeatureCollection", "features": [f for f in features if f["geometry"]]}

    return make


@login_not_required
@require_safe
@replica_reads
def cpts_geojson(request, slug):
    doc = published.document(f"cpts-map:{slug}", _cpts_map(slug), content_type="application/geo+json")
    return published.response(request, doc)


def _home_map() -> str:
    """One feature per CPTS: its precomputed outline (maillage.territory.published)."""
    rows = Cpts.objects.order_by("name").values_list("name", "slug", "status", "outline")
    statuses = dict(Cpts.Status.choices)
    features = [
        f'{{"type":"Feature","geometry":{outline},"properties":'
        f"{json.dumps({'nom': name, 'slug': slug, 'statut': statuses.get(status, status)}, ensure_ascii=False)}}}"
        for name, slug, status, outline in rows
        if outline
    ]
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"


@login_not_required
@require_safe
@replica_reads
def all_cpts_geojson(request):
    """Every CPTS of the instance with its territory's outline, for the home page map: built once
    per change of any territory, answered with an ETag (304) and gzip."""
    doc = published.document("home-map", _home_map, content_type="application/geo+json", as_json=False)
    return published.response(request, doc)


@login_not_required
@require_safe
@replica_reads
def background_geojson(request):
    """The départements' and régions' outlines under every map (maillage.territory.background):
    one cached, gzipped document, answered with an ETag."""
    doc = published.document("background", background.document, content_type="application/geo+json", as_json=False)
    return published.response(request, doc)

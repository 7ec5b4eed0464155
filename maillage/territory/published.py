"""What the public pages and the open-data API publish about the CPTS, precomputed and cached.

Two layers (ADR 0026):
- each CPTS keeps `outline`, the union of its communes' outlines simplified for a national or
  regional map (about 500 m, 5 decimals), recomputed whenever its territory or one of its communes
  changes (the signals connected in `connect`), so that no request unions polygons;
- documents built from all the CPTS (the home map, the API's list) are cached under a version
  token that every change to a CPTS, its territory or a commune replaces (`bump`). The token lives
  in the shared cache (every worker sees a change at once); the documents are kept in the cache and
  in each process's memory, keyed by the token, so a request costs one small cache read.

Correctness first: a change bumps the token inside its transaction (with the database cache, the
token commits with the change) and again once the transaction commits, so that a reader that built
a document from the old rows during the transaction cannot leave it under the new token.
"""

import gzip
import hashlib
import json
import threading
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import shapely
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags
from shapely.ops import unary_union

from maillage.core import replicas
from maillage.territory.models import Commune, Cpts, CptsCommune
from maillage.territory.signals import territory_set

VERSION_KEY = "territory:published:version"
# About 500 m: a CPTS seen on a map of France or of a région; 5 decimals (about 1 m) are plenty.
SIMPLIFY_DEGREES = 0.005
GRID_DEGREES = 0.00001
DIGITS = 5
CACHE_SECONDS = 24 * 3600


class _Memory:
    """This process's copies, bounded: the oldest entry goes first. Keys carry the version token,
    so a stale entry is never read, only pushed out."""

    def __init__(self, size: int):
        self.size, self.entries, self.lock = size, {}, threading.Lock()

    def get(self, key):
        return self.entries.get(key)

    def put(self, key, value) -> None:
        with self.lock:
            self.entries.pop(key, None)
            while len(self.entries) >= self.size:
                self.entries.pop(next(iter(self.entries)), None)
            self.entries[key] = value


# The home page's documents, the API's pages and a page per CPTS: about 20 KB each.
memory = _Memory(2048)
_building: dict[str, threading.Lock] = {}
_building_lock = threading.Lock()


# --- Outlines -------------------------------------------------------------------------------------


def outline_of(shapes: list[str], points: list[tuple[float, float]]) -> str:
    """A GeoJSON geometry for a territory: the simplified union of its communes' outlines, or the
    points of its communes' centroids when none has an outline; "" when there is neither."""
    geometries = []
    for text in shapes:
        try:
            geometries.append(shapely.from_geojson(text))
        except shapely.errors.GEOSException:
            continue
    if geometries:
        merged = unary_union([g.buffer(0) if not g.is_valid else g for g in geometries])
        simplified = merged.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        snapped = shapely.set_precision(simplified, GRID_DEGREES)
        geometry = snapped if not snapped.is_empty else simplified
        if not geometry.is_empty:
            return shapely.to_geojson(geometry, indent=None)
    if points:
        coordinates = [[round(lon, DIGITS), round(lat, DIGITS)] for lat, lon in points]
        if len(coordinates) == 1:
            return json.dumps({"type": "Point", "coordinates": coordinates[0]})
        return json.dumps({"type": "MultiPoint", "coordinates": coordinates})
    return ""


def refresh_outlines(cpts_ids=None) -> int:
    """Recompute the outline of these CPTS (all when None); the number refreshed."""
    links = CptsCommune.objects.values_list(
        "cpts_id", "commune__shape", "commune__latitude", "commune__longitude"
    ).order_by("cpts_id", "commune_id")
    targets = Cpts.objects.all() if cpts_ids is None else Cpts.objects.filter(pk__in=list(cpts_ids))
    ids = list(targets.values_list("pk", flat=True))
    if cpts_ids is not None:
        links = links.filter(cpts_id__in=ids)
    shapes: dict[int, list[str]] = {pk: [] for pk in ids}
    points: dict[int, list] = {pk: [] for pk in ids}
    for cpts_id, shape, latitude, longitude in links.iterator(chunk_size=2000):
        if shape:
            shapes[cpts_id].append(shape)
        elif latitude is not None and longitude is not None:
            points[cpts_id].append((latitude, longitude))
    for pk in ids:
        Cpts.objects.filter(pk=pk).update(outline=outline_of(shapes[pk], points[pk]))
    bump()
    return len(ids)


# --- The version token and the cached documents ---------------------------------------------------


def version() -> str:
    token = cache.get(VERSION_KEY)
    if token is None:
        token = uuid.uuid4().hex
        # add(): two workers finding no token agree on the first one written.
        if not cache.add(VERSION_KEY, token, None):
            token = cache.get(VERSION_KEY) or token
    return token


def bump() -> None:
    """Every published document is stale: now, and again once the transaction commits."""

    def new_token():
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)

    new_token()
    transaction.on_commit(new_token)


def etag_for(seed: str) -> str:
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


@dataclass(frozen=True)
class Document:
    etag: str
    body: bytes
    gzipped: bytes | None  # for the documents answered as they are (`response`)
    content_type: str
    data: object = None  # the Python value of a JSON document


def _build(name, token, make, content_type, as_json, compress) -> Document:
    # The token is the primary's (shared cache): the rows must be too, or a replica a few seconds
    # behind would file the old territory under the new token for a day.
    with replicas.on_primary():
        value = make()
    body = (json.dumps(value, ensure_ascii=False, separators=(",", ":")) if as_json else value).encode()
    gzipped = gzip.compress(body, 6, mtime=0) if compress else None
    return Document(etag_for(f"{name}:{token}"), body, gzipped, content_type, value if as_json else None)


def document(
    name: str, make: Callable[[], object], *, content_type="application/json", as_json=True, compress=True
) -> Document:
    """The document `name` of the current version, built by `make` at most once per version and
    process (and once per version across processes while the shared cache keeps it). `make` may
    raise (Http404): nothing is kept then."""
    token = version()
    key = f"territory:published:{name}:{token}"
    found = memory.get(key)
    if found is not None:
        return found
    # One thread of this process builds it; the others of the same moment wait for its result
    # rather than build it too (after a change, every worker's threads miss at once).
    with _building_lock:
        lock = _building.setdefault(key, threading.Lock())
    try:
        with lock:
            found = memory.get(key) or cache.get(key)
            if found is None:
                found = _build(name, token, make, content_type, as_json, compress)
                cache.set(key, found, CACHE_SECONDS)
            memory.put(key, found)
    finally:
        with _building_lock:
            _building.pop(key, None)
    return found


def accepts_gzip(request) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def etag_matches(request, etag: str) -> bool:
    asked = request.headers.get("If-None-Match", "")
    if not asked:
        return False
    # Weak comparison (RFC 9110 13.1.2), as for If-None-Match: W/"x" matches "x".
    return asked.strip() == "*" or etag.removeprefix("W/") in {e.removeprefix("W/") for e in parse_etags(asked)}


def response(request, doc: Document) -> HttpResponse:
    """The document with its ETag: 304 when the client has it, gzip when it accepts it. The two
    encodings are two representations, hence two ETags."""
    gzipped = accepts_gzip(request) and doc.gzipped is not None
    etag = doc.etag[:-1] + '-gz"' if gzipped else doc.etag
    if etag_matches(request, etag):
        answer = HttpResponseNotModified()
    elif gzipped:
        answer = HttpResponse(doc.gzipped, content_type=doc.content_type)
        answer["Content-Encoding"] = "gzip"
    else:
        answer = HttpResponse(doc.body, content_type=doc.content_type)
    answer["ETag"] = etag
    # Public open data: shared caches may keep it, but must ask again (ETag) before reusing it.
    answer["Cache-Control"] = "public, no-cache"
    patch_vary_headers(answer, ["Accept-Encoding"])
    return answer


# --- What changes a published document ------------------------------------------------------------

_deferred = threading.local()


@contextmanager
def deferred():
    """Within this block, the outlines of the CPTS whose territory changes are recomputed once, at
    its end, rather than at each commune (a territory replaced in bulk deletes links one by one)."""
    outer = getattr(_deferred, "ids", None)
    _deferred.ids = set() if outer is None else outer
    try:
        yield
        if outer is None and _deferred.ids:
            refresh_outlines(_deferred.ids)
    finally:
        if outer is None:
            _deferred.ids = None


def _refresh(cpts_ids) -> None:
    pending = getattr(_deferred, "ids", None)
    if pending is not None:
        pending.update(cpts_ids)
    else:
        refresh_outlines(cpts_ids)


def _link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh([instance.cpts_id])


def _territory_set(sender, cpts, **kwargs):
    _refresh([cpts.pk])


def _cpts_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        bump()


def _commune_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    claimed = list(CptsCommune.objects.filter(commune=instance).values_list("cpts_id", flat=True))
    if claimed:
        _refresh(claimed)
    else:
        bump()


def connect() -> None:
    """Called once by the app's `ready`."""
    territory_set.connect(_territory_set, dispatch_uid="published-territory-set")
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_link_changed, sender=CptsCommune, dispatch_uid=f"published-link-{name}")
        signal.connect(_cpts_changed, sender=Cpts, dispatch_uid=f"published-cpts-{name}")
    post_save.connect(_commune_changed, sender=Commune, dispatch_uid="published-commune-save")

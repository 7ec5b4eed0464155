"""The maps' background: the départements' and régions' outlines computed from their communes,
served as one cached, gzipped GeoJSON document (maillage.territory.background)."""

import gzip
import json

import shapely

from maillage.territory import background
from maillage.territory.models import Departement, Region
from tests.factories import CommuneFactory


def _square(x, y, size=0.02):
    return shapely.to_geojson(shapely.box(x, y, x + size, y + size))


def _shape_communes(idf):
    # A grid of communes in the Hauts-de-Seine, with slivers between them (as simplified outlines
    # of neighbours leave), and a detailed circle for Paris.
    hauts_de_seine = Departement.objects.get(code="92")
    for i in range(5):
        for j in range(5):
            CommuneFactory(
                code=f"92{i}{j}9", departement=hauts_de_seine, shape=_square(2.2 + i * 0.0201, 48.8 + j * 0.0201)
            )
    paris = idf["communes"]["75113"]
    paris.shape = shapely.to_geojson(shapely.Point(2.35, 48.85).buffer(0.05, quad_segs=2500))
    paris.save()


def _features(client):
    return {
        (f["properties"]["niveau"], f["properties"]["code"]): f for f in client.get("/fond.geojson").json()["features"]
    }


def test_outlines_are_drawn_simplified_without_slivers(idf, anonymous):
    _shape_communes(idf)
    assert background.refresh_background() == 2
    features = _features(anonymous)
    assert set(features) == {("departement", "92"), ("departement", "75"), ("region", "11")}
    hauts_de_seine = shapely.geometry.shape(features[("departement", "92")]["geometry"])
    assert hauts_de_seine.geom_type == "Polygon" and not hauts_de_seine.interiors  # no slivers
    assert 0.0095 < hauts_de_seine.area < 0.0105
    paris = shapely.geometry.shape(features[("departement", "75")]["geometry"])
    assert len(paris.exterior.coords) < 100  # 10,000 vertices in, a map's worth out
    assert features[("region", "11")]["properties"]["nom"] == Region.objects.get(code="11").name


def test_the_document_is_small_cached_gzipped_and_follows_a_change(idf, anonymous):
    _shape_communes(idf)
    background.refresh_background()
    first = anonymous.get("/fond.geojson", headers={"Accept-Encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip" and first["Content-Type"] == "application/geo+json"
    assert len(first.content) < 4_000 and len(gzip.decompress(first.content)) < 12_000
    again = anonymous.get("/fond.geojson", headers={"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]})
    assert again.status_code == 304

    CommuneFactory(code="92999", departement=Departement.objects.get(code="92"), shape=_square(2.5, 48.9))
    background.refresh_background()
    after = anonymous.get("/fond.geojson", headers={"Accept-Encoding": "gzip", "If-None-Match": first["ETag"]})
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    outline = json.loads(gzip.decompress(after.content))["features"]
    assert any(f["properties"]["code"] == "92" and f["geometry"]["type"] == "MultiPolygon" for f in outline)


def test_without_outlines_the_background_is_empty(idf, anonymous):
    assert anonymous.get("/fond.geojson").json() == {"type": "FeatureCollection", "features": []}


def test_every_map_asks_for_the_background(idf, anonymous):
    for path in ("/", "/cpts/cmv/"):
        assert 'data-background="/fond.geojson"' in anonymous.get(path).content.decode()

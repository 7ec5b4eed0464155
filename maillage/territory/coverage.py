"""Coverage of a région, a département or the whole country by CPTS territories.

Three queries whatever the size: units of the area, CPTS per covered unit, names of the CPTS on
shared units. Everything else is one pass in Python (bench/coverage.py measures it).
"""

from dataclasses import dataclass, field

from django.db.models import Count

from maillage.territory.models import Commune, CptsCommune, Region


@dataclass
class CommuneFigure:
    code: str
    name: str
    population: int
    latitude: float | None
    longitude: float | None
    cpts: list[str] = field(default_factory=list)


@dataclass
class Coverage:
    scope: str
    unit_count: int = 0
    population: int = 0
    covered_count: int = 0
    covered_population: int = 0
    zones_blanches: list[CommuneFigure] = field(default_factory=list)
    overlaps: list[CommuneFigure] = field(default_factory=list)
    covered: list[CommuneFigure] = field(default_factory=list)

    @property
    def covered_share(self) -> float:
        return round(100 * self.covered_population / self.population, 2) if self.population else 0.0

    @property
    def zones_blanches_population(self) -> int:
        return sum(c.population for c in self.zones_blanches)

    def as_dict(self, *, with_lists: bool = True) -> dict:
        data = {
            "scope": self.scope,
            "communes": self.unit_count,
            "population": self.population,
            "communes_couvertes": self.covered_count,
            "population_couverte": self.covered_population,
            "taux_couverture_population": self.covered_share,
            "zones_blanches": {
                "communes": len(self.zones_blanches),
                "population": self.zones_blanches_population,
            },
            "chevauchements": {"communes": len(self.overlaps)},
        }
        if with_lists:
            data["zones_blanches"]["liste"] = [_row(c) for c in self.zones_blanches]
            data["chevauchements"]["liste"] = [_row(c, with_cpts=True) for c in self.overlaps]
        return data


def _row(c: CommuneFigure, with_cpts=False) -> dict:
    row = {"code": c.code, "nom": c.name, "population": c.population}
    if with_cpts:
        row["cpts"] = c.cpts
    return row


def compute(*, region: str | None = None, departement: str | None = None, keep_covered=False) -> Coverage:
    units = Commune.objects.units()
    links = CptsCommune.objects.filter(commune__active=True, commune__is_unit=True)
    scope = "France"
    if departement:
        units, links, scope = (
            units.filter(departement_id=departement),
            links.filter(commune__departement_id=departement),
            f"departement:{departement}",
        )
    elif region:
        units, links, scope = (
            units.filter(region_id=region),
            links.filter(commune__region_id=region),
            f"region:{region}",
        )

    per_unit = dict(links.values_list("commune_id").annotate(n=Count("cpts_id")).order_by())
    shared = {code for code, n in per_unit.items() if n > 1}
    names: dict[str, list[str]] = {}
    if shared:
        shared_links = links.filter(commune_id__in=_shared_subquery(links)).values_list("commune_id", "cpts__name")
        for code, name in shared_links.order_by("cpts__name"):
            names.setdefault(code, []).append(name)

    result = Coverage(scope=scope)
    rows = units.values_list("code", "name", "population", "latitude", "longitude").order_by("name", "code")
    for code, name, population, lat, lon in rows.iterator(chunk_size=5000):
        result.unit_count += 1
        result.population += population
        if code in per_unit:
            result.covered_count += 1
            result.covered_population += population
            if code in shared:
                result.overlaps.append(CommuneFigure(code, name, population, lat, lon, names.get(code, [])))
            elif keep_covered:
                result.covered.append(CommuneFigure(code, name, population, lat, lon))
        else:
            result.zones_blanches.append(CommuneFigure(code, name, population, lat, lon))
    return result


def _shared_subquery(links):
    return links.values("commune_id").annotate(n=Count("cpts_id")).filter(n__gt=1).values("commune_id")


def inhabited(areas):
    """`areas` (a queryset of régions or départements) without those no one lives in: Clipperton,
    the TAAF (« 0 sur 0 habitants ») have nothing to cover and stay out of coverage lists."""
    field = "departement__region" if areas.model is Region else "departement"
    return areas.filter(pk__in=Commune.objects.units().filter(population__gt=0).values(field))

from django.shortcuts import render
from django.urls import reverse

from maillage.core.replicas import replica_reads
from maillage.territory import coverage
from maillage.territory.models import Commune
from maillage.www import geojson
from maillage.www.scoping import departement_for, region_for, visible_regions

ZONES_BLANCHES_SHOWN = 200


@replica_reads
def overview(request):
    regions = coverage.inhabited(visible_regions(request.user))
    return render(request, "region/overview.html", {"regions": regions})


def _page(request, *, area, result, map_url, departements=()):
    return render(
        request,
        "region/coverage.html",
        {
            "area": area,
            "result": result,
            "zones_blanches": sorted(result.zones_blanches, key=lambda c: -c.population)[:ZONES_BLANCHES_SHOWN],
            "map_url": map_url,
            "departements": departements,
        },
    )


@replica_reads
def region_coverage(request, code):
    region = region_for(request, code)
    result = coverage.compute(region=region.code)
    return _page(
        request,
        area=region,
        result=result,
        map_url=reverse("www:coverage_region_map", args=[region.code]),
        departements=coverage.inhabited(region.departements.all()),
    )


@replica_reads
def departement_coverage(request, code):
    departement = departement_for(request, code)
    result = coverage.compute(departement=departement.code)
    return _page(
        request,
        area=departement,
        result=result,
        map_url=reverse("www:coverage_departement_map", args=[departement.code]),
    )


def _map(result, with_shapes):
    states = {}
    for state, rows in (
        ("zone_blanche", result.zones_blanches),
        ("chevauchement", result.overlaps),
        ("couverte", result.covered),
    ):
        for row in rows:
            states[row.code] = (state, row)
    shapes = {}
    if with_shapes:
        shapes = dict(Commune.objects.filter(code__in=states).values_list("code", "shape"))
    return geojson.response(
        [
            geojson.feature(
                shapes.get(code),
                (row.latitude, row.longitude),
                {"nom": row.name, "code": code, "etat": state, "cpts": ", ".join(row.cpts)},
            )
            for code, (state, row) in states.items()
        ]
    )


@replica_reads
def region_map(request, code):
    region = region_for(request, code)
    # A région has up to 5,000 communes: points keep the page light; départements get outlines.
    return _map(coverage.compute(region=region.code, keep_covered=True), with_shapes=False)


@replica_reads
def departement_map(request, code):
    departement = departement_for(request, code)
    return _map(coverage.compute(departement=departement.code, keep_covered=True), with_shapes=True)

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from maillage.territory.models import Cpts, CptsCommune
from maillage.www import geojson


@login_not_required
def home(request):
    cpts_list = Cpts.objects.with_population().order_by("name")
    return render(request, "public/home.html", {"cpts_list": cpts_list})


@login_not_required
def cpts_public(request, slug):
    cpts = get_object_or_404(Cpts.objects.with_population(), slug=slug)
    return render(
        request,
        "public/cpts.html",
        {"cpts": cpts, "communes": cpts.communes().order_by("name"), "overlaps": cpts.overlaps()},
    )


@login_not_required
def cpts_geojson(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    shared = {c.code for c in cpts.overlaps()}
    return geojson.response(
        [
            geojson.feature(
                c.shape,
                (c.latitude, c.longitude),
                {"nom": c.name, "code": c.code, "etat": "chevauchement" if c.code in shared else "territoire"},
            )
            for c in cpts.communes()
        ]
    )


# Above this many communes the home map shows points: outlines would weigh tens of megabytes.
HOME_MAP_OUTLINES_UP_TO = 3000


@login_not_required
def all_cpts_geojson(request):
    """Every commune claimed by a CPTS of the instance, for the home page map."""
    links = CptsCommune.objects.select_related("cpts", "commune").order_by("cpts__name", "commune__name")
    with_outlines = links.count() <= HOME_MAP_OUTLINES_UP_TO
    if not with_outlines:
        links = links.defer("commune__shape")
    return geojson.response(
        [
            geojson.feature(
                link.commune.shape if with_outlines else None,
                (link.commune.latitude, link.commune.longitude),
                {"nom": link.commune.name, "code": link.commune.code, "cpts": link.cpts.name},
            )
            for link in links
        ]
    )

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render

from maillage.territory.models import Cpts
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


@login_not_required
def all_cpts_geojson(request):
    """Every CPTS of the instance as points, for the home page map."""
    features = []
    for cpts in Cpts.objects.prefetch_related("territory__commune"):
        for link in cpts.territory.all():
            c = link.commune
            features.append(geojson.feature(None, (c.latitude, c.longitude), {"nom": c.name, "cpts": cpts.name}))
    return geojson.response(features)

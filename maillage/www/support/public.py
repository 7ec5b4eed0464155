"""Issue 17 — the public pages of the mission: « S'installer sur le territoire » (the GP zoning drawn
with the CPTS's communes, the densities by profession, the aids, the published offers) and an
offer's page with its contact. No login; aggregates and the offers their posters chose to publish."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from maillage.projet.models.zoning import Zone
from maillage.support import attractiveness
from maillage.support.models import Offer
from maillage.territory.models import Cpts
from maillage.www import geojson


def listed_offers(cpts):
    return (
        Offer.objects.filter(cpts=cpts)
        .listed(timezone.localdate())
        .select_related("commune")
        .order_by("expires_on", "pk")
    )


@login_not_required
@require_safe
def installation(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    context = {
        "cpts": cpts,
        "data": attractiveness.compute(cpts),
        "offers": listed_offers(cpts),
    }
    return render(request, "support/public.html", context)


@login_not_required
@require_safe
def zoning_map(request, slug):
    """The CPTS's communes, each coloured by its GP zone (the map's `etat`)."""
    cpts = get_object_or_404(Cpts, slug=slug)
    zones = dict(cpts.communes().filter(gp_zoning__isnull=False).values_list("code", "gp_zoning__zone"))
    names = dict(Zone.choices)
    features = []
    for commune in cpts.communes():
        zone = zones.get(commune.code, "")
        properties = {
            "nom": commune.name,
            "code": commune.code,
            "etat": zone.lower() if zone else attractiveness.NOT_LOADED,
            "statut": names.get(zone, "zonage non chargé"),
        }
        features.append(geojson.feature(commune.shape, (commune.latitude, commune.longitude), properties))
    return geojson.response(features)


@login_not_required
@require_safe
def public_offer(request, slug, pk):
    cpts = get_object_or_404(Cpts, slug=slug)
    offer = get_object_or_404(listed_offers(cpts), pk=pk)
    return render(request, "support/public_offer.html", {"cpts": cpts, "offer": offer})

"""« L'espace adhérent »: what a member of the association reads and does (its sections — votes,
receipts, events, documents — are added by each part of the association)."""

from django.shortcuts import render

from maillage.association.access import member_of
from maillage.www.scoping import READ, Area, cpts_for


def home(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION_SPACE, READ)
    member = member_of(request.user, cpts)
    return render(request, "association/space/home.html", {"cpts": cpts, "member": member})

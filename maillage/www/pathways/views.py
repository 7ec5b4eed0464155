"""The patients' pathways of a CPTS (issue 15). Which pathways a person sees is
maillage/pathways/access.py's decision; this layer only shows them."""

from django.shortcuts import render

from maillage.pathways import access
from maillage.pathways.actions.liaison import alert_count
from maillage.pathways.actions.reading import LIST_LIMIT, list_pathways
from maillage.www.scoping import READ, Area, cpts_for


def pathway_list(request, slug):
    cpts = cpts_for(request, slug, Area.PATHWAYS, READ)
    pathways = list_pathways(request.user, cpts)
    may_enrol = access.may_enrol(request.user, cpts)
    context = {"cpts": cpts, "pathways": pathways, "limit": LIST_LIMIT, "may_enrol": may_enrol}
    # Issue 15 — « Mes alertes » badge; the coordinator's hand-overs from other CPTS
    context["alert_count"] = alert_count(request.user, cpts)
    context["is_coordinator"] = access.is_coordinator(request.user, cpts)
    return render(request, "pathways/list.html", context)

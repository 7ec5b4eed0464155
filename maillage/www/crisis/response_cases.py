"""Issue 17 — the case map of a crisis: counts by commune and week on the map of the CPTS's
communes (maillage/www/geojson.py, the same static map code as the territory pages) and as a table
of their evolution, small counts shown as « < 5 » to whoever does not write them; a form to enter
a count and an import of a CSV file (dry run, then saved). Writes are maillage/crisis/response_cases.py's."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.crisis import response_cases as cases
from maillage.crisis.response_centres import ResponseError
from maillage.www import geojson
from maillage.www.crisis.forms_response import CaseForm, CaseImportForm
from maillage.www.crisis.response import crisis_of
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


def _page(request, cpts, crisis, *, form=None, error=None, status=200):
    writes = may(request, Area.CRISIS_CASES, WRITE, cpts)
    shown = cases.case_map(crisis, secret=not writes)
    label = f"Cas par commune, semaine du {shown.weeks[-1]:%d/%m/%Y}" if shown.weeks else "Communes du territoire"
    context = {
        "cpts": cpts, "crisis": crisis, "writes": writes, "error": error,
        "map": shown, "map_label": label,
        "form": form or CaseForm(cpts=cpts, initial={"week": timezone.localdate()}) if writes else None,
        "import_form": CaseImportForm() if writes else None,
    }  # fmt: skip
    return render(request, "crisis/cases_map.html", context, status=status)


def case_map(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_CASES, READ)
    return _page(request, cpts, crisis_of(cpts, crisis))


def case_geojson(request, slug, crisis):
    """The CPTS's communes with the latest week's count (secret kept), for the map."""
    cpts = cpts_for(request, slug, Area.CRISIS_CASES, READ)
    crisis = crisis_of(cpts, crisis)
    shown = cases.case_map(crisis, secret=not may(request, Area.CRISIS_CASES, WRITE, cpts))
    week = f"semaine du {shown.weeks[-1]:%d/%m/%Y}" if shown.weeks else "aucun cas saisi"
    features = []
    for commune in cpts.communes():
        value = shown.latest.get(commune.code, 0)
        properties = {"nom": commune.name, "code": commune.code, "statut": f"{value} cas ({week})",
                      "etat": cases.level(value)}  # fmt: skip
        features.append(geojson.feature(commune.shape, (commune.latitude, commune.longitude), properties))
    return geojson.response(features)


@require_POST
def case_enter(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_CASES, WRITE)
    crisis = crisis_of(cpts, crisis)
    form, error = CaseForm(request.POST, cpts=cpts), None
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = cases.enter(
                crisis, request.user, commune_code=data["commune"], week=data["week"], count=data["count"]
            )
        except ResponseError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{row.count} cas enregistrés pour la semaine du {row.week:%d/%m/%Y}.")
            return redirect("www:crisis_cases", slug=cpts.slug, crisis=crisis.pk)
    return _page(request, cpts, crisis, form=form, error=error, status=400)


def case_import(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_CASES, WRITE)
    crisis = crisis_of(cpts, crisis)
    form, outcome, error = CaseImportForm(request.POST or None, request.FILES or None), None, None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = upload.read(cases.MAX_BYTES + 1)
            outcome = cases.run(
                crisis, data, file_name=upload.name, apply=form.cleaned_data["apply"], actor=request.user
            )
        except ResponseError as exc:
            error = str(exc)
        else:
            if outcome.applied:
                messages.success(request, f"Fichier {outcome.file_name} importé.")
                return redirect("www:crisis_cases", slug=cpts.slug, crisis=crisis.pk)
    refused = request.method == "POST" and (error or not form.is_valid() or outcome.refused)
    context = {"cpts": cpts, "crisis": crisis, "form": form, "outcome": outcome, "error": error}
    return render(request, "crisis/cases_import.html", context, status=400 if refused else 200)

"""The pathway page's state buttons: declare a re-hospitalisation, close the pathway with its
outcome, reopen it. Each form carries the pathway's version: a stale save is refused (ADR 0017)
with the pathway as it is now; every refusal is a French message on the page."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from maillage.core.versioning import StaleEdit, VersionedForm
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.ruptures import declare_rehospitalisation
from maillage.pathways.actions.states import REASON_MAX, ClosureOutcome, close_pathway, reopen_pathway
from maillage.www.feedback import form_errors
from maillage.www.pathways.forms import DATE

STALE = "Ce parcours vient d'être modifié par quelqu'un d'autre : voici son état actuel, rien n'a été enregistré."


class RehospitalisationForm(VersionedForm):
    on = forms.DateField(label="Date de la réhospitalisation", **DATE)
    note = forms.CharField(label="Précision (facultative)", max_length=REASON_MAX, required=False)


class CloseForm(VersionedForm):
    outcome = forms.ChoiceField(label="Issue du parcours", choices=ClosureOutcome.choices)
    reason = forms.CharField(label="Précision", max_length=REASON_MAX, required=False)


class ReopenForm(VersionedForm):
    reason = forms.CharField(label="Motif de la réouverture", max_length=REASON_MAX)


def state_forms(pathway) -> dict:
    version = pathway.version
    return {
        "rehospitalisation_form": RehospitalisationForm(version=version, prefix="rehosp"),
        "close_form": CloseForm(version=version, prefix="clore"),
        "reopen_form": ReopenForm(version=version, prefix="rouvrir"),
    }


def _run(request, form, write, success):
    if not form.is_valid():
        form_errors(request, form)
        return
    try:
        write(form.cleaned_data, form.expected_version)
    except StaleEdit:
        messages.error(request, STALE)
    except NotVisible:
        raise
    except PathwayError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)


def _after(request, pathway):
    from maillage.pathways import access

    if not access.sees(request.user, pathway):
        return redirect("www:pathway_list", slug=pathway.cpts.slug)
    return redirect("www:pathway_detail", slug=pathway.cpts.slug, pk=pathway.pk)


@require_POST
def rehospitalisation(request, slug, pk):
    from maillage.www.pathways.pages import _pathway

    _cpts, pathway = _pathway(request, slug, pk)
    form = RehospitalisationForm(request.POST, prefix="rehosp")
    _run(
        request,
        form,
        lambda data, version: declare_rehospitalisation(
            pathway, request.user, on=data["on"], note=data["note"], expected_version=version
        ),
        "Réhospitalisation signalée : l'équipe de soins et la coordination en sont alertées.",
    )
    return _after(request, pathway)


@require_POST
def close(request, slug, pk):
    from maillage.www.pathways.pages import _pathway

    _cpts, pathway = _pathway(request, slug, pk)
    form = CloseForm(request.POST, prefix="clore")
    _run(
        request,
        form,
        lambda data, version: close_pathway(
            pathway, request.user, outcome=data["outcome"], reason=data["reason"], expected_version=version
        ),
        "Le parcours est clos.",
    )
    return _after(request, pathway)


@require_POST
def reopen(request, slug, pk):
    from maillage.www.pathways.pages import _pathway

    _cpts, pathway = _pathway(request, slug, pk)
    form = ReopenForm(request.POST, prefix="rouvrir")
    _run(
        request,
        form,
        lambda data, version: reopen_pathway(pathway, request.user, reason=data["reason"], expected_version=version),
        "Le parcours est rouvert.",
    )
    return _after(request, pathway)

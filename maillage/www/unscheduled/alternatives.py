"""The territory's alternatives to a slot (permanence des soins, SOS Médecins, maison médicale de
garde), kept by the desk's team of the CPTS and shown when no slot fits a request's window."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.versioning import StaleEdit
from maillage.unscheduled.actions import alternatives as actions
from maillage.unscheduled.models import Alternative
from maillage.www.scoping import WRITE, Area, cpts_for
from maillage.www.unscheduled.forms import AlternativeEditForm, AlternativeForm


def alternatives(request, slug):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    form = AlternativeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            actions.add_alternative(cpts, form.cleaned_data, request.user)
            messages.success(request, "Recours ajouté : la régulation le voit quand aucun créneau ne convient.")
            return redirect("www:snp_alternatives", slug=cpts.slug)
        status = 400
    context = {"cpts": cpts, "form": form, "alternatives": Alternative.objects.filter(cpts=cpts)}
    return render(request, "unscheduled/alternatives.html", context, status=status)


def alternative_edit(request, slug, pk):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    alternative = get_object_or_404(Alternative.objects.filter(cpts=cpts), pk=pk)
    form = AlternativeEditForm(request.POST or None, instance=alternative)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                actions.update_alternative(
                    alternative, form.cleaned_data, request.user, expected_version=form.expected_version
                )
            except StaleEdit as exc:
                form.refuse(exc)
                status = 409
            else:
                messages.success(request, "Recours modifié.")
                return redirect("www:snp_alternatives", slug=cpts.slug)
    context = {"cpts": cpts, "form": form, "alternative": alternative}
    return render(request, "unscheduled/alternative_edit.html", context, status=status)


@require_POST
def alternative_remove(request, slug, pk):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    alternative = Alternative.objects.filter(cpts=cpts, pk=pk).first()
    if alternative is None:  # removed meanwhile (by a colleague, or a second click)
        messages.info(request, "Ce recours a déjà été supprimé.")
    else:
        actions.remove_alternative(alternative, request.user)
        messages.success(request, f"Recours « {alternative.name} » supprimé.")
    return redirect("www:snp_alternatives", slug=cpts.slug)

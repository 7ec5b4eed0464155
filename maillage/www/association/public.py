"""The request to join the association, on the CPTS's public page."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render

from maillage.association import statutes as statutes_of
from maillage.association.actions import AssociationError
from maillage.association.actions.members import apply
from maillage.territory.models import Cpts
from maillage.www.association.forms import ApplicationForm
from maillage.www.spam import over_rate


@login_not_required
def join(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    statutes_of.of(cpts)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, cpts=cpts, version=0)
        valid = form.is_valid()
        if form.is_spam():
            form.add_error(None, "La demande n'a pas pu être envoyée. Vérifiez le formulaire et renvoyez-la.")
            status = 400
        elif valid and over_rate(request, "association_join"):
            form.add_error(None, "Trop de demandes envoyées depuis cette connexion. Réessayez dans une heure.")
            status = 429
        elif valid:
            try:
                apply(cpts, form.member_data(), note=form.cleaned_data.get("note") or "")
            except AssociationError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                return redirect("www:association_join_sent", slug=cpts.slug)
        else:
            status = 400
        form.data = form.data.copy()
        form.data["shown"] = ApplicationForm.stamp()
    else:
        form = ApplicationForm(cpts=cpts, initial={"shown": ApplicationForm.stamp()}, version=0)
    return render(request, "association/public/join.html", {"cpts": cpts, "form": form}, status=status)


@login_not_required
def join_sent(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    return render(request, "association/public/join_sent.html", {"cpts": cpts})

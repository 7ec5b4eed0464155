"""The public form where a patient (or a relative) asks the CPTS for a médecin traitant."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render

from maillage.doctor_access.actions.intake import submit_request
from maillage.doctor_access.models.requests import Channel
from maillage.territory.models import Cpts
from maillage.www.doctor_access.forms import PublicIntakeForm
from maillage.www.spam import over_rate


def _over_rate(request) -> bool:
    return over_rate(request, "doctor_access")


@login_not_required
def request_form(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    status = 200
    if request.method == "POST":
        form = PublicIntakeForm(request.POST, cpts=cpts)
        valid = form.is_valid()
        if form.is_spam():
            # Said plainly: a person who was too quick can simply send again.
            form.add_error(None, "La demande n'a pas pu être envoyée. Vérifiez le formulaire et renvoyez-le.")
            status = 400
        elif valid and _over_rate(request):
            form.add_error(
                None, "Trop de demandes envoyées depuis cette connexion. Réessayez dans une heure ou appelez la CPTS."
            )
            status = 429
        elif valid:
            created = submit_request(cpts, form.cleaned_data, channel=Channel.PUBLIC_FORM)
            request.session["doctor_access_reference"] = created.reference
            return redirect("www:doctor_request_sent", slug=cpts.slug)
        else:
            status = 400
        form.data = form.data.copy()
        form.data["shown"] = PublicIntakeForm.stamp()
    else:
        form = PublicIntakeForm(cpts=cpts, initial={"shown": PublicIntakeForm.stamp()})
    return render(request, "doctor_access/public_form.html", {"cpts": cpts, "form": form}, status=status)


@login_not_required
def request_sent(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    reference = request.session.get("doctor_access_reference", "")
    return render(request, "doctor_access/public_sent.html", {"cpts": cpts, "reference": reference})

"""The public form where a patient (or a relative) asks the CPTS for a médecin traitant."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.client_ip import client_ip
from maillage.doctor_access.actions.intake import submit_request
from maillage.doctor_access.models.requests import Channel
from maillage.territory.models import Cpts
from maillage.www.doctor_access.forms import PublicIntakeForm


def _over_rate(request) -> bool:
    """At most N requests per address per window, counted in the shared cache (every worker sees
    the same count); the address is the client's behind the trusted proxies."""
    limit, window = settings.DOCTOR_ACCESS_PUBLIC_RATE
    key = f"doctor_access:public:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count > limit


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

"""The coordinator's side of the waiting list: priority weights and settings, the matching."""

from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from maillage.core.french import agree, plural
from maillage.doctor_access.actions import AccessError, lifecycle
from maillage.doctor_access.actions import matching as matching_actions
from maillage.doctor_access.actions.doctors import expire_proposals
from maillage.doctor_access.actions.privacy import record_list_read
from maillage.doctor_access.models import AccessSettings, DoctorOffer, MatchRun, PriorityWeight
from maillage.www.doctor_access.forms import SettingsForm, WeightsForm
from maillage.www.scoping import WRITE, Area, cpts_for


def _weights(cpts):
    AccessSettings.of(cpts)
    return list(PriorityWeight.objects.filter(cpts=cpts))


def settings_page(request, slug):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_MATCHING)
    settings = AccessSettings.of(cpts)
    weights = WeightsForm(weights=_weights(cpts))
    options = SettingsForm(instance=settings)
    status = 200
    if request.method == "POST":
        if request.POST.get("formulaire") == "poids":
            weights = WeightsForm(request.POST, weights=_weights(cpts))
            if weights.is_valid():
                changed = lifecycle.update_weights(cpts, weights.ordered(), request.user)
                moved = f"{plural(changed, 'demande')} {agree(changed, 'a', 'ont')} changé de priorité"
                messages.success(request, f"Priorités enregistrées ; {moved}.")
                return redirect("www:doctor_settings", slug=cpts.slug)
        else:
            options = SettingsForm(request.POST, instance=settings)
            if options.is_valid():
                lifecycle.save_settings(cpts, options, request.user)
                messages.success(request, "Réglages enregistrés.")
                return redirect("www:doctor_settings", slug=cpts.slug)
        status = 400
    return render(
        request, "doctor_access/settings.html", {"cpts": cpts, "weights": weights, "options": options}, status=status
    )


def matching_page(request, slug):
    """A preview of the proposals the matching would make now; nothing is written."""
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_MATCHING)
    # Proposals past their date expire lazily, whenever the list is looked at (and before a matching).
    expire_proposals(cpts)
    plan = matching_actions.plan(cpts)
    record_list_read(cpts, request.user, shown=[p.request.pk for p in plan.proposals])
    offers = (
        DoctorOffer.objects.filter(cpts=cpts)
        .with_places_left()
        .select_related("professional", "commune")
        .order_by("professional__last_name")
    )
    return render(
        request,
        "doctor_access/matching.html",
        {
            "cpts": cpts,
            "plan": plan,
            "offers": [(offer, offer.places_left()) for offer in offers],
            "runs": MatchRun.objects.filter(cpts=cpts)[:10],
        },
    )


@require_POST
def matching_apply(request, slug):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_MATCHING, WRITE)
    try:
        result, _ = matching_actions.apply(cpts, request.user)
    except (AccessError, DatabaseError) as exc:
        # A concurrent matching that got there first: nothing of this one was written.
        detail = str(exc) if isinstance(exc, AccessError) else "un autre appariement était en cours"
        messages.error(
            request, f"L'appariement n'a pas pu être appliqué ({detail}). Rien n'a été enregistré ; réessayez."
        )
        return redirect("www:doctor_matching", slug=cpts.slug)
    messages.success(
        request,
        f"{plural(len(result.proposals), 'proposition envoyée', 'propositions envoyées')} aux médecins ; "
        f"{plural(len(result.unplaced), 'patient')} {agree(len(result.unplaced), 'reste', 'restent')} en attente.",
    )
    return redirect("www:doctor_matching", slug=cpts.slug)

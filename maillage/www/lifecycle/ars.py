"""The ARS's page for one CPTS: it reads each filed version of the projet de santé and records its
answer to the one awaiting it (maillage/lifecycle/ars.py). Policy area `lifecycle_ars_decision`:
the regional viewers and regional admins of the CPTS's région, and the admin; anyone else 404."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from maillage.core import bounds
from maillage.core.versioning import StaleEdit, VersionedForm, version_of
from maillage.lifecycle import ars
from maillage.lifecycle.actions import LifecycleError
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.models import ArsDecision, Milestone
from maillage.lifecycle.timeline import latest_decision
from maillage.projet.models import ProjetSante
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


class DecisionForm(VersionedForm, forms.Form):
    outcome = forms.ChoiceField(
        label="Décision de l'ARS", choices=ArsDecision.Outcome.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(
        label="Date de la décision",
        validators=[bounds.plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reasons = forms.CharField(
        label="Motifs de l'objection",
        required=False,
        max_length=ars.MAX_REASONS,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Obligatoires en cas d'objection : ce que la CPTS doit revoir avant un nouveau dépôt.",
    )


def _answered_meanwhile(cpts) -> str:
    last = latest_decision(cpts)
    if last is None:
        return "Une réponse de l'ARS a été enregistrée pendant votre saisie : la vôtre ne l'a pas été. Relisez la page."
    who = (last.recorded_by.get_full_name() if last.recorded_by else "") or "une autre personne"
    at = timezone.localtime(last.recorded_at)
    return (
        f"{who} a enregistré la réponse de l'ARS le {at:%d/%m/%Y} à {at:%H:%M} ({last.get_outcome_display()} du "
        f"{last.decided_on:%d/%m/%Y}) pendant votre saisie : la vôtre n'a pas été enregistrée."
    )


def _filed_versions(cpts):
    """The versions of the projet that were filed with the ARS, latest first."""
    return list(ProjetSante.objects.filter(cpts=cpts, transitions__target="depose").distinct().order_by("-version"))


def decision(request, slug):
    cpts = cpts_for(request, slug, Area.LIFECYCLE_ARS_DECISION, WRITE if request.method == "POST" else READ)
    waiting = ars.pending(cpts)
    answer = Milestone.objects.filter(cpts=cpts, kind=Kind.ARS_RESPONSE).first()
    form = DecisionForm(request.POST if request.method == "POST" else None, version=version_of(answer))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                found = ars.record_decision(
                    cpts, data["outcome"], data["decided_on"], actor=request.user, reasons=data["reasons"],
                    expected_version=form.expected_version,
                )  # fmt: skip
            except StaleEdit as exc:
                form.refuse(exc, {})  # the new version: answering again is then deliberate
                messages.error(request, _answered_meanwhile(cpts))
                status = 409
            except LifecycleError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    f"Décision enregistrée : {found.get_outcome_display()} le {found.decided_on:%d/%m/%Y}. "
                    "Les coordinateurs de la CPTS en sont avertis par courriel.",
                )
                return redirect("www:lifecycle_ars_decision", slug=cpts.slug)
    versions = _filed_versions(cpts)
    shown = versions[0] if versions else None
    asked = request.GET.get("version", "")
    if asked:
        shown = next((v for v in versions if str(v.version) == asked), None)
        if shown is None:
            raise Http404
    context = {
        "cpts": cpts,
        "pending": waiting,
        # Past the two months the form goes (a refused post keeps it, with the reason).
        "form": form if waiting and (form.is_bound or not waiting.tacit(timezone.localdate())) else None,
        "can_decide": may(request, Area.LIFECYCLE_ARS_DECISION, WRITE, cpts),
        "versions": versions,
        "shown": shown,
        "fiches": list(shown.fiches.prefetch_related("indicators")) if shown else [],
        "decisions": ArsDecision.objects.filter(cpts=cpts).select_related("projet"),
        "today": timezone.localdate(),
    }
    return render(request, "lifecycle/ars_decision.html", context, status=status)

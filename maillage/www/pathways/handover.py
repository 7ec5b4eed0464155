"""Handing a pathway over to another CPTS (issue 15, item 7): the request from the pathway page,
the receiving coordinator's list of requests and shared pathways, their answer, and the read-only
page of a pathway shared with their CPTS. Who may do what is maillage/pathways/access.py's; the
rules (consent, states) are the actions'."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.handover import answer_handover, read_shared, receivers, request_handover
from maillage.pathways.actions.liaison import pending_handovers
from maillage.pathways.models import HandOver, HandOverKind, HandOverStatus, Pathway
from maillage.territory.models import Cpts
from maillage.www.feedback import form_errors
from maillage.www.scoping import READ, WRITE, Area, cpts_for


class HandOverForm(forms.Form):
    to_cpts = forms.ModelChoiceField(
        queryset=Cpts.objects.none(), label="CPTS destinataire", empty_label="Choisissez une CPTS"
    )
    kind = forms.ChoiceField(
        label="Nature", choices=HandOverKind.choices, widget=forms.RadioSelect, initial=HandOverKind.TRANSFER
    )
    reason = forms.CharField(label="Motif (facultatif)", max_length=500, required=False)

    def __init__(self, *args, pathway, **kwargs):
        super().__init__(*args, prefix="transmettre", **kwargs)
        self.fields["to_cpts"].queryset = receivers(pathway)


def handover_context(user, pathway) -> dict:
    """What the pathway page shows of hand-overs: the form, the requests made, the shares."""
    if not access.may_hand_over(user, pathway):
        return {}
    return {
        "handover_form": HandOverForm(pathway=pathway),
        "handovers": list(pathway.handovers.filter(from_cpts=pathway.cpts).select_related("to_cpts")[:20]),
    }


@require_POST
def handover_request(request, slug, pk):
    cpts = cpts_for(request, slug, Area.PATHWAYS, WRITE)
    pathway = get_object_or_404(Pathway.objects.filter(cpts=cpts).select_related("cpts"), pk=pk)
    if not access.sees(request.user, pathway):
        raise Http404
    form = HandOverForm(request.POST, pathway=pathway)
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        try:
            handover = request_handover(
                pathway, request.user, to_cpts=data["to_cpts"], kind=data["kind"], reason=data["reason"]
            )
        except NotVisible:
            raise Http404 from None
        except PathwayError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                f"Demande envoyée à la {handover.to_cpts.name} : sa coordination doit l'accepter "
                f"({handover.get_kind_display()}).",
            )
    return redirect("www:pathway_detail", slug=cpts.slug, pk=pathway.pk)


def _receiving(request, slug, action=READ):
    cpts = cpts_for(request, slug, Area.PATHWAYS, action)
    if not access.is_coordinator(request.user, cpts):
        raise Http404
    return cpts


def handovers(request, slug):
    """The receiving coordinator's page: requests waiting for an answer (no identity before it is
    accepted), and the pathways other CPTS share with theirs."""
    cpts = _receiving(request, slug)
    pending = list(pending_handovers(request.user, cpts).select_related("pathway__template"))
    shared = list(access.shared_with(request.user, cpts).select_related("cpts", "template"))
    return render(request, "pathways/handovers.html", {"cpts": cpts, "pending": pending, "shared": shared})


@require_POST
def handover_answer(request, slug, handover):
    cpts = _receiving(request, slug, WRITE)
    found = get_object_or_404(HandOver.objects.filter(to_cpts=cpts).select_related("pathway"), pk=handover)
    choice = request.POST.get("reponse", "")
    if choice not in ("accepter", "refuser"):
        messages.error(request, "Choisissez d'accepter ou de refuser la transmission.")
        return redirect("www:pathway_handovers", slug=cpts.slug)
    try:
        done = answer_handover(
            found, request.user, accept=choice == "accepter", note=request.POST.get("note", "")[:255]
        )
    except NotVisible:
        raise Http404 from None
    except PathwayError as exc:
        messages.error(request, str(exc))
        return redirect("www:pathway_handovers", slug=cpts.slug)
    if done.status == HandOverStatus.DECLINED:
        messages.success(request, f"Transmission {done.pathway.reference} refusée.")
        return redirect("www:pathway_handovers", slug=cpts.slug)
    messages.success(request, f"Transmission {done.pathway.reference} acceptée.")
    if done.kind == HandOverKind.TRANSFER:
        return redirect("www:pathway_detail", slug=cpts.slug, pk=done.pathway.pk)
    return redirect("www:pathway_shared", slug=cpts.slug, pk=done.pathway.pk)


def shared(request, slug, pk):
    """A pathway of another CPTS shared with this one: read-only, its progress, team and tasks."""
    cpts = _receiving(request, slug)
    pathway = get_object_or_404(Pathway.objects.select_related("cpts", "template", "commune"), pk=pk)
    try:
        team, tasks = read_shared(request.user, cpts, pathway)
    except NotVisible:
        raise Http404 from None
    context = {"cpts": cpts, "pathway": pathway, "team": team, "tasks": tasks}
    return render(request, "pathways/shared.html", context)

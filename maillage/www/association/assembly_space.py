"""The assemblies in the members' space (Area.ASSOCIATION_SPACE): those the member is convened to,
with their agenda, documents, the online vote while it is open, and the results once held.

The member acting is `maillage.association.access.member_of(user, cpts)`: none, 404. An assembly
the member is not convened to answers 404 too (a board meeting is the board's)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from maillage.association.access import member_of
from maillage.association.actions import AssociationError
from maillage.association.actions.votes import vote_online
from maillage.association.models.assemblies import (
    Assembly,
    AssemblyDocument,
    AssemblyStatus,
    Choice,
    Participation,
    Presence,
)
from maillage.association.tally import resolution_results
from maillage.core.french import agree, plural
from maillage.www.association.assemblies import serve_document
from maillage.www.scoping import READ, WRITE, Area, cpts_for

SHOWN = (AssemblyStatus.CONVENED, AssemblyStatus.HELD, AssemblyStatus.LACKING, AssemblyStatus.CLOSED)


def _member(request, slug, action=READ):
    cpts = cpts_for(request, slug, Area.ASSOCIATION_SPACE, action)
    member = member_of(request.user, cpts)
    if member is None:
        raise Http404
    return cpts, member


def _convened(member):
    return Assembly.objects.filter(attendances__member=member, status__in=SHOWN)


def assemblies(request, slug):
    cpts, member = _member(request, slug)
    found = list(_convened(member).order_by("-starts_at", "-id")[:100])
    return render(
        request, "association/assemblies/space_list.html", {"cpts": cpts, "member": member, "assemblies": found}
    )


def assembly(request, slug, pk):
    cpts, member = _member(request, slug, WRITE if request.method == "POST" else READ)
    found = get_object_or_404(_convened(member).select_related("cpts"), pk=pk)
    resolutions = list(found.resolutions.order_by("order", "id"))
    error, typed = None, {}
    if request.method == "POST":
        choices = {}
        for resolution in resolutions:
            value = request.POST.get(f"choix-{resolution.pk}", "")[:10]
            typed[resolution.pk] = value
            if value:
                choices[resolution] = value
        try:
            count = vote_online(found, member, request.user, choices)
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Merci : {plural(count, 'vote')} {agree(count, 'enregistré')}.")
            return redirect("www:member_space_assembly", slug=cpts.slug, pk=found.pk)
    attendance = found.attendances.select_related("proxy").get(member=member)
    voted = set(
        Participation.objects.filter(resolution__assembly=found, member=member).values_list("resolution_id", flat=True)
    )
    now = timezone.now()
    window = found.has_online_vote and found.status == AssemblyStatus.CONVENED
    vote_open = window and found.vote_opens_at <= now < found.vote_closes_at
    for resolution in resolutions:
        resolution.voted = resolution.pk in voted
        resolution.typed = typed.get(resolution.pk, "")
    context = {
        "cpts": cpts, "member": member, "assembly": found, "attendance": attendance,
        "agenda": list(found.agenda.order_by("order", "id")), "documents": list(found.documents.all()),
        "resolutions": resolutions, "choices": Choice.choices, "error": error,
        "vote_open": vote_open and attendance.presence != Presence.REPRESENTED,
        "vote_soon": window and now < found.vote_opens_at,
        "to_vote": [r for r in resolutions if not r.voted],
        "results": resolution_results(found) if found.status in (AssemblyStatus.HELD, AssemblyStatus.CLOSED) else None,
    }  # fmt: skip
    return render(request, "association/assemblies/space_detail.html", context, status=400 if error else 200)


def document(request, slug, pk, doc):
    _cpts, member = _member(request, slug)
    found = get_object_or_404(_convened(member), pk=pk)
    return serve_document(get_object_or_404(AssemblyDocument.objects.filter(assembly=found), pk=doc), request.user)

"""The team's side of the quality mission (Area.QUALITY_SPACE): the protocols in use to read and
download (each download audited), the groups the person's linked professional belongs to (another
group answers 404), and the declaration of an adverse event — without any patient identity."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from maillage.quality import identity, reading
from maillage.quality.actions import QualityError
from maillage.quality.actions import events as actions
from maillage.quality.models import AdverseEvent, PeerGroup, Protocol
from maillage.quality.states import ProtocolStatus
from maillage.www.quality.forms import EventForm
from maillage.www.quality.protocols import serve
from maillage.www.scoping import WRITE, Area, cpts_for, professional_of


def _my_groups(cpts, user):
    professional = professional_of(user)
    if professional is None:
        return PeerGroup.objects.none()
    return PeerGroup.objects.filter(cpts=cpts, members__professional=professional, members__left_on=None)


def space(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY_SPACE)
    context = {
        "cpts": cpts,
        "protocols": Protocol.objects.filter(cpts=cpts, status=ProtocolStatus.IN_USE).order_by("title"),
        "groups": _my_groups(cpts, request.user),
        "declared": AdverseEvent.objects.filter(cpts=cpts, declared_by=request.user)[:20],
    }
    return render(request, "quality/space.html", context)


def space_protocol(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY_SPACE)
    found = get_object_or_404(
        Protocol.objects.filter(cpts=cpts, status=ProtocolStatus.IN_USE).select_related("cpts"), pk=pk
    )
    return serve(found, request.user)


def space_group(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY_SPACE)
    found = _my_groups(cpts, request.user).filter(pk=pk).first()
    if found is None:
        raise Http404
    members = list(found.members.filter(left_on=None).select_related("professional"))
    context = {
        "cpts": cpts,
        "group": found,
        "members": members,
        "mix": reading.profession_mix(members),
        "sessions": found.sessions.all()[:50],
    }
    return render(request, "quality/space_group.html", context)


def event_declare(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY_SPACE, WRITE)
    form = EventForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.declare_event(cpts, form.draft(), request.user)
        except QualityError as exc:
            error = str(exc)
        else:
            messages.success(
                request, "Événement déclaré, merci : la coordination le proposera à l'analyse d'un groupe."
            )
            return redirect("www:quality_space", slug=cpts.slug)
    context = {"cpts": cpts, "form": form, "error": error, "warning": identity.WARNING}
    return render(request, "quality/event_declare.html", context, status=400 if request.method == "POST" else 200)

"""Adverse events associated with care (EIAS): the coordination's list, an event's analysis in a
group session and the actions decided; members declare them from their space (space.py)."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.quality.actions import QualityError
from maillage.quality.actions import events as actions
from maillage.quality.models import AdverseEvent, EventAction
from maillage.www.feedback import form_errors
from maillage.www.quality.forms import ActionForm, AnalysisForm
from maillage.www.scoping import WRITE, Area, cpts_for


def events(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = AdverseEvent.objects.filter(cpts=cpts).annotate(
        actions_count=Count("actions"), open_actions=Count("actions", filter=Q(actions__done_on=None))
    )
    return render(request, "quality/events.html", {"cpts": cpts, "events": found})


def _event(cpts, pk):
    return get_object_or_404(AdverseEvent.objects.filter(cpts=cpts).select_related("session__group", "cpts"), pk=pk)


def event(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = _event(cpts, pk)
    context = {
        "cpts": cpts,
        "event": found,
        "actions": found.actions.all(),
        "analysis_form": AnalysisForm(cpts=cpts, initial={"session": found.session, "analysis": found.analysis}),
        "action_form": ActionForm(),
    }
    return render(request, "quality/event.html", context)


@require_POST
def event_analyse(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _event(cpts, pk)
    form = AnalysisForm(request.POST, cpts=cpts)
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        try:
            actions.analyse_event(found, session=data["session"], analysis=data["analysis"], actor=request.user)
        except QualityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Analyse enregistrée.")
    return redirect("www:quality_event", slug=cpts.slug, pk=found.pk)


@require_POST
def action_new(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _event(cpts, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        try:
            action = actions.add_action(
                found, title=data["title"], owner=data["owner"], due_on=data["due_on"], actor=request.user
            )
        except QualityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Action « {action.title} » ajoutée.")
    return redirect("www:quality_event", slug=cpts.slug, pk=found.pk)


@require_POST
def action_done(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    action = get_object_or_404(EventAction.objects.filter(cpts=cpts), pk=pk)
    try:
        actions.mark_done(action, actor=request.user)
    except QualityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Action « {action.title} » faite.")
    return redirect("www:quality_event", slug=cpts.slug, pk=action.event_id)

"""The prevention mission's pages (issue 17 §1): the campaigns of a CPTS, a campaign with its
actions, results and the CPAM's rates beside them, its report (DOCX), the forms of the coordinator,
and the public iCal feed of the actions. The team reads (Area.PREVENTION), the coordinator writes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from maillage.core import ical
from maillage.core.versioning import StaleEdit
from maillage.prevention import actions, agenda, report, results
from maillage.prevention.actions import PreventionError
from maillage.prevention.models import Campaign, Event
from maillage.territory.models import Cpts
from maillage.www.prevention.forms import CampaignForm, EventForm, ResultsForm
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _cpts(request, slug, action=READ):
    return cpts_for(request, slug, Area.PREVENTION, action)


def _campaign(request, slug, pk, action=READ):
    cpts = _cpts(request, slug, action)
    return cpts, get_object_or_404(Campaign.objects.filter(cpts=cpts).select_related("cpts", "fiche"), pk=pk)


def campaign_list(request, slug):
    cpts = _cpts(request, slug)
    today = timezone.localdate()
    done = Q(events__day__lte=today)
    campaigns = Campaign.objects.filter(cpts=cpts).annotate(
        planned=Count("events", distinct=True),
        held=Count("events", filter=done, distinct=True),
        reached=Sum("events__people_reached", filter=done, default=0),
    )
    context = {"cpts": cpts, "campaigns": campaigns, "can_write": may(request, Area.PREVENTION, WRITE, cpts)}
    return render(request, "prevention/campaigns.html", context)


def _save_campaign(request, cpts, form, campaign=None):
    """The redirect to the campaign saved, or None (the form then carries the refusal)."""
    if not form.is_valid():
        return None
    try:
        if campaign is None:
            campaign = actions.create_campaign(cpts, form.draft(), request.user)
            messages.success(request, f"Campagne « {campaign.title} » créée.")
        else:
            actions.edit_campaign(campaign, form.draft(), request.user, expected_version=form.expected_version)
            messages.success(request, "Campagne modifiée.")
    except StaleEdit as exc:
        form.refuse(exc, CampaignForm.initial_of(exc.current) if exc.current else None)
        return None
    except PreventionError as exc:
        form.add_error(None, str(exc))
        return None
    return redirect("www:prevention_campaign", slug=cpts.slug, pk=campaign.pk)


def _form_status(request, form) -> int:
    if request.method != "POST":
        return 200
    return 409 if form.stale else 400


def campaign_new(request, slug):
    cpts = _cpts(request, slug, WRITE)
    form = CampaignForm(request.POST if request.method == "POST" else None, cpts=cpts, version=0)
    if request.method == "POST" and (done := _save_campaign(request, cpts, form)):
        return done
    context = {"cpts": cpts, "form": form, "campaign": None}
    return render(request, "prevention/campaign_form.html", context, status=_form_status(request, form))


def campaign_edit(request, slug, pk):
    cpts, campaign = _campaign(request, slug, pk, WRITE)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, cpts=cpts, initial=CampaignForm.initial_of(campaign), version=campaign.version)
    if request.method == "POST" and (done := _save_campaign(request, cpts, form, campaign)):
        return done
    context = {"cpts": cpts, "form": form, "campaign": campaign}
    return render(request, "prevention/campaign_form.html", context, status=_form_status(request, form))


def campaign_detail(request, slug, pk):
    cpts, campaign = _campaign(request, slug, pk)
    events = campaign.events.annotate(
        professionals=Count("participations"), hours=Sum("participations__hours", default=0)
    ).order_by("day", "starts_at", "pk")
    today = timezone.localdate()
    context = {
        "cpts": cpts,
        "campaign": campaign,
        "events": events,
        "figures": results.figure_rows(campaign),
        "rates": results.rates(campaign),
        "partners": list(campaign.partners.all()) + list(campaign.structures.all()),
        "today": today,
        "can_write": may(request, Area.PREVENTION, WRITE, cpts),
    }
    return render(request, "prevention/campaign.html", context)


def event_new(request, slug, pk):
    cpts, campaign = _campaign(request, slug, pk, WRITE)
    form = EventForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.plan_event(campaign, form.draft(), request.user)
        except PreventionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Action du {event.day:%d/%m/%Y} ajoutée à la campagne.")
            return redirect("www:prevention_campaign", slug=cpts.slug, pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "prevention/event_form.html", {"cpts": cpts, "campaign": campaign, "form": form}, status=status
    )


def _results_initial(event) -> dict:
    """The results form's values for `event` as recorded."""
    initial = {
        "people_reached": event.people_reached if event.results_at else None,
        "tests_distributed": event.tests_distributed,
        "vaccinations": event.vaccinations,
        "material": event.material,
    }
    for i, row in enumerate(event.participations.order_by("pk"), start=1):
        initial[f"professional_{i}"] = str(row.professional_id)
        initial[f"hours_{i}"] = f"{row.hours.normalize():f}".replace(".", ",")
    return initial


def event_results(request, slug, pk):
    cpts = _cpts(request, slug, WRITE)
    event = get_object_or_404(Event.objects.filter(cpts=cpts).select_related("campaign", "cpts"), pk=pk)
    professionals = list(actions.territory_professionals(cpts).order_by("last_name", "first_name", "pk"))
    initial = _results_initial(event)
    data = request.POST if request.method == "POST" else None
    form = ResultsForm(data, professionals=professionals, initial=initial, version=event.version)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_results(event, form.results(), request.user, expected_version=form.expected_version)
        except StaleEdit as exc:
            form.refuse(exc, _results_initial(exc.current) if exc.current else None)
        except PreventionError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Résultats de l'action du {event.day:%d/%m/%Y} enregistrés.")
            return redirect("www:prevention_campaign", slug=cpts.slug, pk=event.campaign_id)
    context = {"cpts": cpts, "event": event, "campaign": event.campaign, "form": form}
    return render(request, "prevention/event_results.html", context, status=_form_status(request, form))


def campaign_report(request, slug, pk):
    _cpts_obj, campaign = _campaign(request, slug, pk)
    answer = HttpResponse(report.docx_bytes(campaign), content_type=DOCX)
    answer["Content-Disposition"] = f'attachment; filename="{report.filename(campaign)}"'
    return answer


@login_not_required
@require_safe
def public_ical(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    return HttpResponse(agenda.feed(cpts), content_type=ical.CONTENT_TYPE)

"""The CPTS's calendar (issue 16, item 5): the coordination plans events and sees who registered;
members register in their space (refused in French when full, started or already done) and take
their private iCal address; the public feed carries the public events. Times are shown in local
time (Europe/Paris)."""

from datetime import datetime, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from maillage.association import calendar
from maillage.association.actions import AssociationError
from maillage.association.actions import events as actions
from maillage.association.models import CalendarToken, Event
from maillage.core import bounds
from maillage.territory.models import Cpts
from maillage.www.association.comms import _space_member
from maillage.www.scoping import WRITE, Area, cpts_for

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}
TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
ICAL = "text/calendar; charset=utf-8"


class EventForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=Event.Kind.choices)
    title = forms.CharField(label="Intitulé", max_length=actions.TITLE_MAX)
    day = forms.DateField(label="Date", **DATE)
    start = forms.TimeField(label="Début", **TIME)
    end = forms.TimeField(label="Fin", **TIME)
    place = forms.CharField(label="Lieu", max_length=actions.PLACE_MAX)
    capacity = forms.IntegerField(
        label="Places",
        required=False,
        min_value=1,
        max_value=actions.CAPACITY_MAX,
        help_text="Laissez vide pour ne pas limiter les inscriptions.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    description = forms.CharField(
        label="Présentation", required=False, max_length=actions.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    public = forms.BooleanField(label="Événement public (page publique et agenda public de la CPTS)", required=False)

    def draft(self) -> actions.EventDraft:
        data = self.cleaned_data
        tz = timezone.get_current_timezone()
        starts = timezone.make_aware(datetime.combine(data["day"], data["start"]), tz)
        ends = timezone.make_aware(datetime.combine(data["day"], data["end"]), tz)
        return actions.EventDraft(
            kind=data["kind"],
            title=data["title"],
            starts_at=starts,
            ends_at=ends,
            place=data["place"],
            description=data.get("description") or "",
            capacity=data.get("capacity"),
            public=data.get("public", False),
        )


def _with_counts(events):
    from django.db.models import Count

    return events.annotate(registered=Count("registrations"))


def event_list(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION)
    since = timezone.now() - timedelta(days=365)
    events = _with_counts(Event.objects.filter(cpts=cpts, starts_at__gte=since))
    now = timezone.now()
    context = {
        "cpts": cpts,
        "upcoming": [e for e in events if e.ends_at >= now],
        "past": [e for e in events if e.ends_at < now][::-1][:50],
    }
    return render(request, "association/comms/events.html", context)


def event_new(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = EventForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            event = actions.plan_event(cpts, form.draft(), request.user)
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Événement « {event.title} » ajouté à l'agenda.")
            return redirect("www:association_event", slug=cpts.slug, pk=event.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "association/comms/event_form.html", {"cpts": cpts, "form": form, "error": error}, status=status
    )


def event_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION)
    event = get_object_or_404(Event.objects.filter(cpts=cpts), pk=pk)
    registrations = event.registrations.select_related("member__college").order_by("created_at", "pk")
    return render(
        request, "association/comms/event.html", {"cpts": cpts, "event": event, "registrations": registrations}
    )


@require_POST
def event_cancel(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    event = get_object_or_404(Event.objects.filter(cpts=cpts), pk=pk)
    try:
        actions.cancel_event(event, request.user)
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Événement annulé : il reste dans l'agenda, marqué « annulé ».")
    return redirect("www:association_event", slug=cpts.slug, pk=event.pk)


# The members' space


def space_events(request, slug):
    cpts, member = _space_member(request, slug)
    events = _with_counts(Event.objects.filter(cpts=cpts, ends_at__gte=timezone.now()))
    mine = set(member.event_registrations.values_list("event_id", flat=True))
    token = CalendarToken.objects.filter(member=member).first()
    url = request.build_absolute_uri(reverse("www:association_private_ical", args=[token.token])) if token else ""
    context = {
        "cpts": cpts,
        "member": member,
        "events": events,
        "mine": mine,
        "calendar_token": token,
        "calendar_url": url,
    }
    return render(request, "association/comms/space_events.html", context)


@require_POST
def space_register(request, slug, pk):
    cpts, member = _space_member(request, slug, WRITE)
    event = get_object_or_404(Event.objects.filter(cpts=cpts), pk=pk)
    try:
        if request.POST.get("retirer") == "1":
            actions.unregister(event, member, request.user)
            messages.success(request, f"Votre inscription à « {event.title} » est retirée.")
        else:
            actions.register(event, member, request.user)
            messages.success(request, f"Vous êtes inscrit à « {event.title} ».")
    except AssociationError as exc:
        messages.error(request, str(exc))
    return redirect("www:member_space_events", slug=cpts.slug)


@require_POST
def space_calendar(request, slug):
    cpts, member = _space_member(request, slug, WRITE)
    if request.POST.get("revoquer") == "1":
        actions.revoke_calendar(member, request.user)
        messages.success(request, "L'adresse de votre agenda est supprimée : elle ne fonctionne plus.")
    else:
        actions.renew_calendar(member, request.user)
        messages.success(request, "Nouvelle adresse d'agenda créée ; l'ancienne ne fonctionne plus.")
    return redirect("www:member_space_events", slug=cpts.slug)


# Feeds (no login: calendar apps cannot log in)


@login_not_required
@require_safe
def public_ical(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    return HttpResponse(calendar.public_feed(cpts), content_type=ICAL)


@login_not_required
@require_safe
def private_ical(request, token):
    """A member's private feed: the token is the secret; a member who is no longer a voting member
    (expired, cancelled) gets nothing."""
    if len(token) > 64:
        raise Http404
    found = CalendarToken.objects.select_related("member__cpts").filter(token=token).first()
    if found is None or not found.member.votes:
        raise Http404("Cette adresse d'agenda n'est pas valable.")
    return HttpResponse(calendar.private_feed(found.member), content_type=ICAL)

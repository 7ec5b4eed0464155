"""The coordination's pages of the quality mission: the mission's home, the peer groups (members,
profession mix, sessions) and the attendance per member and year."""

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.quality import indicators, reading
from maillage.quality.actions import QualityError
from maillage.quality.actions import groups as actions
from maillage.quality.models import AdverseEvent, GroupMember, GroupSession, PeerGroup, Protocol
from maillage.quality.states import EventStatus, ProtocolStatus
from maillage.www.feedback import form_errors
from maillage.www.quality.forms import GroupForm, MemberForm, SessionForm, YearForm
from maillage.www.scoping import WRITE, Area, cpts_for


def home(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY)
    year = timezone.localdate().year
    period = Period.year(year)
    values = registry.compute(cpts, period, indicators.CODES)
    figures = [(registry.get(code), values[code]) for code in indicators.CODES]
    context = {
        "cpts": cpts,
        "year": year,
        "figures": figures,
        "groups": PeerGroup.objects.filter(cpts=cpts).count(),
        "protocols_in_use": Protocol.objects.filter(cpts=cpts, status=ProtocolStatus.IN_USE).count(),
        "due": list(reading.due_for_review(cpts)),
        "to_analyse": AdverseEvent.objects.filter(cpts=cpts, status=EventStatus.DECLARED).count(),
    }
    return render(request, "quality/home.html", context)


def groups(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = (
        PeerGroup.objects.filter(cpts=cpts)
        .annotate(sessions_count=Count("sessions", distinct=True))
        .prefetch_related(Prefetch("members", GroupMember.objects.filter(left_on=None).select_related("professional")))
    )
    rows = [(group, reading.profession_mix(group.members.all())) for group in found]
    return render(request, "quality/groups.html", {"cpts": cpts, "rows": rows, "form": GroupForm(cpts=cpts)})


@require_POST
def group_new(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    form = GroupForm(request.POST, cpts=cpts)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:quality_groups", slug=cpts.slug)
    data = form.cleaned_data
    try:
        group = actions.create_group(
            cpts, kind=data["kind"], name=data["name"], fiche=data["fiche"], actor=request.user
        )
    except QualityError as exc:
        messages.error(request, str(exc))
        return redirect("www:quality_groups", slug=cpts.slug)
    messages.success(request, f"Groupe « {group.name} » créé : ajoutez-lui ses membres.")
    return redirect("www:quality_group", slug=cpts.slug, pk=group.pk)


def _group(cpts, pk):
    return get_object_or_404(PeerGroup.objects.filter(cpts=cpts).select_related("fiche"), pk=pk)


def group(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = _group(cpts, pk)
    members = list(found.members.select_related("professional"))
    current = [m for m in members if m.left_on is None]
    context = {
        "cpts": cpts,
        "group": found,
        "members": members,
        "mix": reading.profession_mix(current),
        "sessions": found.sessions.annotate(present=Count("attendances")),
        "form": MemberForm(cpts=cpts),
    }
    return render(request, "quality/group.html", context)


@require_POST
def member_add(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _group(cpts, pk)
    form = MemberForm(request.POST, cpts=cpts)
    if not form.is_valid():
        form_errors(request, form)
    else:
        person = form.cleaned_data["professional"]
        try:
            actions.add_member(found, person, request.user)
        except QualityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{person.full_name} est membre du groupe.")
    return redirect("www:quality_group", slug=cpts.slug, pk=found.pk)


@require_POST
def member_remove(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    member = get_object_or_404(
        GroupMember.objects.filter(group__cpts=cpts).select_related("group", "professional"), pk=pk
    )
    try:
        actions.remove_member(member, request.user)
    except QualityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{member.professional.full_name} a quitté le groupe.")
    return redirect("www:quality_group", slug=cpts.slug, pk=member.group_id)


def session_new(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _group(cpts, pk)
    form = SessionForm(request.POST if request.method == "POST" else None, group=found)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            session = actions.record_session(found, form.draft(), request.user)
        except QualityError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Séance du {session.held_on:%d/%m/%Y} enregistrée.")
            return redirect("www:quality_session", slug=cpts.slug, pk=session.pk)
    context = {"cpts": cpts, "group": found, "form": form, "error": error}
    return render(request, "quality/session_form.html", context, status=400 if request.method == "POST" else 200)


def session(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = get_object_or_404(GroupSession.objects.filter(cpts=cpts).select_related("group"), pk=pk)
    attendances = found.attendances.select_related("professional")
    context = {"cpts": cpts, "session": found, "attendances": attendances, "events": found.events.all()}
    return render(request, "quality/session.html", context)


def attendance(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY)
    form = YearForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_valid() and form.cleaned_data["annee"]:
        year = form.cleaned_data["annee"]
    elif form.is_bound and not form.is_valid():
        form_errors(request, form)
    rows = reading.attendance(cpts, year)
    context = {
        "cpts": cpts,
        "year": year,
        "rows": rows,
        "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
        "total_sessions": GroupSession.objects.filter(cpts=cpts, held_on__year=year).count(),
        "total_hours": sum((row.hours for row in rows), 0),
    }
    return render(request, "quality/attendance.html", context)

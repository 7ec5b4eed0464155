"""The waiting list as the coordinator and the regulator of the numéro unique work it.

Only they read it (`DESK`); the weights, settings and the matching are the coordinator's. Every
page that shows a patient writes an audit entry (actions/privacy.py).
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core.versioning import StaleEdit
from maillage.doctor_access.actions import AccessError, intake, lifecycle, privacy
from maillage.doctor_access.actions.doctors import expire_proposals
from maillage.doctor_access.models import DoctorRequest
from maillage.doctor_access.models.requests import Channel
from maillage.doctor_access.states import OPEN, Status
from maillage.www.doctor_access.forms import IntakeForm, QualifyForm, TransitionForm
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may

PAGE_SIZE = 50
STATE_FILTERS = {"ouvertes": sorted(OPEN), **{s.value: [s.value] for s in Status}, "toutes": None}


def _requests(cpts):
    return DoctorRequest.objects.of_cpts(cpts).select_related("commune")


def request_list(request, slug):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_LIST)
    expire_proposals(cpts)  # lazily: a proposal past its date sends its patient back to the pool
    state = request.GET.get("etat", "ouvertes")
    found = _requests(cpts)
    if STATE_FILTERS.get(state, sorted(OPEN)) is not None:
        found = found.filter(status__in=STATE_FILTERS.get(state, sorted(OPEN)))
    if request.GET.get("priorite") == "1":
        found = found.filter(priority__gt=0)
    if query := request.GET.get("q", "").strip():
        for word in query.split():
            found = found.filter(Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(pk=_int(word)))
    page = Paginator(found.order_by("-priority", "received_at", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    privacy.record_list_read(cpts, request.user, shown=[r.pk for r in page])
    now = timezone.now()
    return render(
        request,
        "doctor_access/list.html",
        {
            "cpts": cpts,
            "page": page,
            "rows": [(r, r.days_waiting(now)) for r in page],
            "state": state,
            "states": [("ouvertes", "ouvertes"), *Status.choices, ("toutes", "toutes")],
            "query": query,
            "priority_only": request.GET.get("priorite") == "1",
            "is_coordinator": may(request, Area.DOCTOR_ACCESS_MATCHING, READ, cpts),
        },
    )


def _int(word: str) -> int:
    digits = word.upper().removeprefix("MT-")
    return int(digits) if digits.isdigit() and len(digits) < 10 else 0


def request_new(request, slug):
    """The regulator (or the coordinator) takes a call and records the request."""
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_LIST)
    form = IntakeForm(request.POST or None, cpts=cpts)
    if request.method == "POST":
        if form.is_valid():
            created = intake.submit_request(cpts, form.cleaned_data, channel=Channel.PHONE, actor=request.user)
            messages.success(request, f"Demande {created.reference} enregistrée.")
            if created.possible_duplicate_of_id:
                messages.warning(
                    request, "Attention : une demande semblable existe déjà (même nom, date de naissance et commune)."
                )
            return redirect("www:doctor_request", slug=cpts.slug, pk=created.pk)
        return render(request, "doctor_access/new.html", {"cpts": cpts, "form": form}, status=400)
    return render(request, "doctor_access/new.html", {"cpts": cpts, "form": form})


def _detail(request, cpts, found, *, qualify=None, move=None, status=200):
    privacy.record_read(found, request.user)
    return render(
        request,
        "doctor_access/detail.html",
        {
            "cpts": cpts,
            "req": found,
            "days": found.days_waiting(),
            "qualify": qualify or QualifyForm(instance=found),
            "move": move or TransitionForm(request=found),
            "transitions": found.transitions.all(),
            "proposals": found.proposals.select_related("offer__professional", "offer__commune"),
            "duplicates": found.possible_duplicates.all(),
        },
        status=status,
    )


def request_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_LIST)
    return _detail(request, cpts, get_object_or_404(_requests(cpts), pk=pk))


@require_POST
def request_qualify(request, slug, pk):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_LIST, WRITE)
    found = get_object_or_404(_requests(cpts), pk=pk)
    form = QualifyForm(request.POST, instance=DoctorRequest.objects.get(pk=found.pk))
    if not form.is_valid():
        return _detail(request, cpts, found, qualify=form, status=400)
    try:
        lifecycle.qualify(found, form.cleaned_data, request.user, expected_version=form.expected_version)
    except StaleEdit as exc:
        form.refuse(exc)
        return _detail(request, cpts, DoctorRequest.objects.get(pk=found.pk), qualify=form, status=409)
    except AccessError as exc:
        messages.error(request, str(exc))
        return redirect("www:doctor_request", slug=cpts.slug, pk=found.pk)
    messages.success(request, f"Demande {found.reference} qualifiée (priorité {found.priority}).")
    return redirect("www:doctor_request", slug=cpts.slug, pk=found.pk)


@require_POST
def request_transition(request, slug, pk):
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_LIST, WRITE)
    found = get_object_or_404(_requests(cpts), pk=pk)
    form = TransitionForm(request.POST, request=found)
    if not form.is_valid():
        return _detail(request, cpts, found, move=form, status=400)
    data = form.cleaned_data
    try:
        lifecycle.transition(found, data["target"], request.user, note=data["note"], close_reason=data["close_reason"])
    except AccessError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Demande {found.reference} : {found.get_status_display()}.")
    return redirect("www:doctor_request", slug=cpts.slug, pk=found.pk)


def request_export(request, slug, pk):
    """What the CPTS holds on the patient, for a right-of-access request (JSON)."""
    cpts = cpts_for(request, slug, Area.DOCTOR_ACCESS_LIST)
    found = get_object_or_404(_requests(cpts), pk=pk)
    body = json.dumps(privacy.export(found, request.user), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{found.reference}.json"'
    return response

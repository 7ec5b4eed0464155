"""Care requests (demandes de prise en charge, issue 15 item 5): the list, the form, a request's
page and its writes (accept, decline, widen, cancel). Who sees a request, and whether with the
patient's identity, is maillage/pathways/access.py's decision (a request the user does not see
answers 404); every write is an action whose French refusal is shown as is."""

import re

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.requests import (
    Need,
    PatientContact,
    accept,
    cancel,
    create_request,
    decline,
    read_request,
    request_lists,
    widen,
)
from maillage.pathways.models import CareRequest
from maillage.pathways.models.requests import ACCEPTING, RequestStatus
from maillage.www.feedback import form_errors
from maillage.www.pathways.request_forms import CareRequestForm, WidenForm
from maillage.www.scoping import WRITE, Area, cpts_for


def _cpts(request, slug):
    cpts = access.request_cpts(request.user, slug)
    if cpts is None:
        raise Http404
    return cpts


def _request(request, slug, pk):
    cpts = _cpts(request, slug)
    care_request = get_object_or_404(
        CareRequest.objects.filter(cpts=cpts).select_related("cpts", "commune", "pathway", "skill", "accepted_by"),
        pk=pk,
    )
    if not access.sees_request(request.user, care_request):
        raise Http404
    return cpts, care_request


def _back(care_request):
    return redirect("www:care_request_detail", slug=care_request.cpts.slug, pk=care_request.pk)


def _attempt(request, write, success) -> bool:
    try:
        write()
    except PathwayError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


def request_list(request, slug):
    cpts = _cpts(request, slug)
    coordinator = access.coordinates_requests(request.user, cpts)
    lists = request_lists(request.user, cpts, coordinator=coordinator)
    context = {
        "cpts": cpts,
        "coordinator": coordinator,
        "everything": lists.everything,
        "unanswered": lists.unanswered,
        "sent": lists.sent,
        "offered": lists.offered,
        "won": lists.won,
        "may_request": access.may_request(request.user, cpts),
        "widen_form": WidenForm(),
    }
    return render(request, "pathways/requests.html", context)


def request_new(request, slug):
    cpts = cpts_for(request, slug, Area.CARE_REQUESTS, WRITE)
    if not access.may_request(request.user, cpts):
        raise Http404
    pathway = None
    pathway_id = request.POST.get("parcours") or request.GET.get("parcours")
    if pathway_id:
        if not re.fullmatch(r"[0-9]{1,9}", str(pathway_id)):
            raise Http404
        pathway = get_object_or_404(access.visible_to(request.user, cpts), pk=int(pathway_id))
    form = CareRequestForm(request.POST or None, cpts=cpts, pathway=pathway)
    context = {"cpts": cpts, "form": form, "pathway": pathway}
    if request.method != "POST":
        return render(request, "pathways/request_new.html", context)
    if form.is_valid():
        data = form.cleaned_data
        need = Need(
            profession_code=data["profession_code"], need=data["need"], start_on=data["start_on"],
            commune=data.get("commune"), radius_km=data["radius_km"], skill=data.get("skill"),
        )  # fmt: skip
        patient = PatientContact(
            name=data.get("patient_name", ""), phone=data.get("patient_phone", ""),
            address=data.get("patient_address", ""),
        )  # fmt: skip
        try:
            care_request = create_request(
                cpts, request.user, need, patient, pathway=pathway, usual_professional=data.get("usual")
            )
        except NotVisible:
            raise Http404 from None
        except PathwayError as exc:
            context["error"] = str(exc)
        else:
            offered = care_request.recipients.count()
            if care_request.status == RequestStatus.OPEN:
                text = "Demande envoyée : le professionnel habituel du patient est sollicité en premier."
            elif offered:
                text = f"Demande envoyée à {offered} professionnel{'s' if offered > 1 else ''} dans le rayon choisi."
            else:
                text = (
                    "Demande enregistrée, mais aucun professionnel ayant un compte Maillage n'est dans le rayon "
                    "choisi : la coordination pourra l'élargir."
                )
            messages.success(request, text)
            return _back(care_request)
    return render(request, "pathways/request_new.html", context, status=400)


def request_detail(request, slug, pk):
    cpts, care_request = _request(request, slug, pk)
    try:
        identity, recipient = read_request(request.user, care_request)
    except NotVisible:
        raise Http404 from None
    coordinator = access.coordinates_requests(request.user, cpts)
    context = {
        "cpts": cpts,
        "care_request": care_request,
        "identity": identity,
        "recipient": recipient,
        "may_answer": recipient is not None and recipient.declined_at is None and care_request.status in ACCEPTING,
        "won": access.won_request(request.user, care_request),
        "coordinator": coordinator,
        "may_cancel": care_request.is_pending and access.may_manage_request(request.user, care_request),
        "may_widen": coordinator and care_request.is_pending,
        "widen_form": WidenForm(
            initial={"radius_km": care_request.radius_km, "profession_code": care_request.profession_code}
        ),
        "recipients": care_request.recipients.select_related("professional") if coordinator else [],
        "pathway_visible": care_request.pathway_id is not None and access.sees(request.user, care_request.pathway),
        "now": timezone.now(),
    }
    return render(request, "pathways/request_detail.html", context)


@require_POST
def request_accept(request, slug, pk):
    _, care_request = _request(request, slug, pk)
    _attempt(
        request,
        lambda: accept(care_request, request.user),
        "Vous avez accepté la demande : voici les coordonnées du patient.",
    )
    return _back(care_request)


@require_POST
def request_decline(request, slug, pk):
    cpts, care_request = _request(request, slug, pk)
    done = _attempt(
        request,
        lambda: decline(care_request, request.user, note=request.POST.get("motif", "")[:255]),
        "Vous avez décliné la demande.",
    )
    if done:
        return redirect("www:care_request_list", slug=cpts.slug)
    return _back(care_request)


@require_POST
def request_widen(request, slug, pk):
    cpts, care_request = _request(request, slug, pk)
    if not access.coordinates_requests(request.user, cpts):
        raise Http404
    form = WidenForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(care_request)
    _attempt(
        request,
        lambda: widen(
            care_request,
            request.user,
            radius_km=form.cleaned_data["radius_km"],
            profession_code=form.cleaned_data["profession_code"],
        ),
        "La demande est relancée auprès des professionnels du nouveau rayon.",
    )
    return _back(care_request)


@require_POST
def request_cancel(request, slug, pk):
    _, care_request = _request(request, slug, pk)
    if not access.may_manage_request(request.user, care_request):
        raise Http404
    _attempt(
        request,
        lambda: cancel(care_request, request.user, note=request.POST.get("motif", "")[:255]),
        "La demande est annulée.",
    )
    return _back(care_request)

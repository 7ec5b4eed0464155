"""Issue 17 — the coordination's pages of the mission « accompagnement des professionnels »
(Area.SUPPORT): the mission's home (attractiveness, what to do, the year's figures), the offers to
validate, the newcomers and their welcome, the setting. Every write is an action of
maillage/support/ whose French refusal is shown as is."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.association.models import Member
from maillage.core.french import plural
from maillage.indicators import registry
from maillage.indicators.periods import Period
from maillage.indicators.registry import Mission
from maillage.projet.models import FicheAction
from maillage.support import SupportError, attractiveness, newcomers, offers, welcome
from maillage.support.indicators import CODES
from maillage.support.models import Newcomer, NewcomerStatus, Offer, OfferStatus
from maillage.www.feedback import form_errors
from maillage.www.scoping import WRITE, Area, cpts_for
from maillage.www.support.forms import (
    DeclareForm,
    NewcomerMoveForm,
    OfferForm,
    OfferMoveForm,
    SettingsForm,
    WelcomeForm,
)


def home(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT)
    year = timezone.localdate().year
    values = registry.compute(cpts, Period.year(year), CODES)
    figures = [(registry.get(code), values[code]) for code in CODES]
    context = {
        "cpts": cpts,
        "year": year,
        "figures": figures,
        "data": attractiveness.compute(cpts),
        "to_validate": Offer.objects.filter(cpts=cpts, status=OfferStatus.SUBMITTED).count(),
        "to_welcome": Newcomer.objects.filter(cpts=cpts, status=NewcomerStatus.DETECTED).count(),
        "setting": newcomers.settings_of(cpts),
    }
    return render(request, "support/home.html", context)


def _support_fiches(cpts):
    return FicheAction.objects.filter(projet__cpts=cpts, mission=Mission.SUPPORT).order_by(
        "-projet__version", "position"
    )


def settings_page(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT)
    setting = newcomers.settings_of(cpts)
    initial = {"fiche": setting.fiche_id or "", "welcome_text": setting.welcome_text, "version": setting.version}
    form = SettingsForm(request.POST or None, initial=initial, fiches=_support_fiches(cpts))
    error = None
    if request.method == "POST":
        cpts_for(request, slug, Area.SUPPORT, WRITE)
        if form.is_valid():
            fiche = form.fiches.get(form.cleaned_data.get("fiche") or "")
            try:
                newcomers.save_settings(
                    cpts,
                    fiche=fiche,
                    welcome_text=form.cleaned_data["welcome_text"],
                    actor=request.user,
                    version=form.cleaned_data.get("version"),
                )
            except SupportError as exc:
                error = str(exc)
            else:
                messages.success(request, "Réglages enregistrés.")
                return redirect("www:support_settings", slug=cpts.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "support/settings.html", {"cpts": cpts, "form": form, "error": error}, status=status)


# Offers


def offer_list(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT)
    rows = Offer.objects.filter(cpts=cpts).select_related("commune", "on_behalf_of").order_by("status", "-created_at")
    today = timezone.localdate()
    return render(request, "support/offers.html", {"cpts": cpts, "offers": rows[:500], "today": today})


def _communes_and_members(cpts):
    return (
        Member.objects.of_cpts(cpts).exclude(status=Member.Status.CANCELLED).order_by("kind", "name", "last_name")[:300]
    )


def offer_new(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT, WRITE)
    form = OfferForm(request.POST or None, cpts=cpts, members=_communes_and_members(cpts))
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            offer = offers.post_offer(
                cpts, form.draft(), request.user, on_behalf_of=form.member(), by_coordination=True
            )
        except SupportError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Annonce « {offer.title} » publiée sur la page publique de la CPTS.")
            return redirect("www:support_offer", slug=cpts.slug, pk=offer.pk)
    status = 400 if request.method == "POST" else 200
    context = {"cpts": cpts, "form": form, "error": error, "coordination": True}
    return render(request, "support/offer_form.html", context, status=status)


def offer_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.SUPPORT)
    offer = get_object_or_404(Offer.objects.filter(cpts=cpts).select_related("commune", "on_behalf_of"), pk=pk)
    context = {"cpts": cpts, "offer": offer, "transitions": offer.transitions.order_by("at", "id")}
    return render(request, "support/offer.html", context)


@require_POST
def offer_move(request, slug, pk):
    cpts = cpts_for(request, slug, Area.SUPPORT, WRITE)
    offer = get_object_or_404(Offer.objects.filter(cpts=cpts), pk=pk)
    form = OfferMoveForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:support_offer", slug=cpts.slug, pk=offer.pk)
    data = form.cleaned_data
    try:
        offer = offers.move(
            offer, data["target"], request.user, note=data.get("note") or "", version=data.get("version")
        )
    except SupportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Annonce désormais « {offer.get_status_display()} ».")
    return redirect("www:support_offer", slug=cpts.slug, pk=offer.pk)


# Newcomers


def newcomer_list(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT)
    rows = Newcomer.objects.filter(cpts=cpts).select_related("commune").order_by("-detected_on", "-pk")
    context = {"cpts": cpts, "newcomers": rows[:500], "setting": newcomers.settings_of(cpts)}
    return render(request, "support/newcomers.html", context)


@require_POST
def detect(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT, WRITE)
    first = newcomers.settings_of(cpts).scanned_until is None
    found = newcomers.detect(cpts, actor=request.user)
    if first:
        messages.success(
            request, "Annuaire examiné pour la première fois : les prochains imports diront qui s'installe."
        )
    else:
        messages.success(
            request, f"Annuaire examiné : {plural(len(found), 'nouvel installé repéré', 'nouveaux installés repérés')}."
        )
    return redirect("www:support_newcomers", slug=cpts.slug)


def declare(request, slug):
    cpts = cpts_for(request, slug, Area.SUPPORT, WRITE)
    form = DeclareForm(request.POST or None, cpts=cpts)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            newcomer = newcomers.declare(cpts, form.draft(), request.user)
        except SupportError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{newcomer} ajouté aux nouveaux installés.")
            return redirect("www:support_newcomer", slug=cpts.slug, pk=newcomer.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "support/declare.html", {"cpts": cpts, "form": form, "error": error}, status=status)


def newcomer_detail(request, slug, pk):
    cpts = cpts_for(request, slug, Area.SUPPORT)
    newcomer = get_object_or_404(Newcomer.objects.filter(cpts=cpts).select_related("commune"), pk=pk)
    subject, body = welcome.message(cpts, newcomer)
    form = WelcomeForm(initial={"email": newcomer.email, "version": newcomer.version})
    context = {
        "cpts": cpts,
        "newcomer": newcomer,
        "form": form,
        "subject": subject,
        "body": body,
        "transitions": newcomer.transitions.order_by("at", "id"),
        "may_welcome": newcomer.status in (NewcomerStatus.DETECTED, NewcomerStatus.CONTACTED, NewcomerStatus.DECLINED),
    }
    return render(request, "support/newcomer.html", context)


@require_POST
def newcomer_welcome(request, slug, pk):
    cpts = cpts_for(request, slug, Area.SUPPORT, WRITE)
    newcomer = get_object_or_404(Newcomer.objects.filter(cpts=cpts), pk=pk)
    form = WelcomeForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:support_newcomer", slug=cpts.slug, pk=newcomer.pk)
    try:
        newcomers.send_welcome(
            newcomer, form.cleaned_data["email"], request.user, version=form.cleaned_data.get("version")
        )
    except SupportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Accueil envoyé à {form.cleaned_data['email']}.")
    return redirect("www:support_newcomer", slug=cpts.slug, pk=newcomer.pk)


@require_POST
def newcomer_move(request, slug, pk):
    cpts = cpts_for(request, slug, Area.SUPPORT, WRITE)
    newcomer = get_object_or_404(Newcomer.objects.filter(cpts=cpts), pk=pk)
    form = NewcomerMoveForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:support_newcomer", slug=cpts.slug, pk=newcomer.pk)
    data = form.cleaned_data
    try:
        newcomer = newcomers.move(
            newcomer, data["target"], request.user, note=data.get("note") or "", version=data.get("version")
        )
    except SupportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Suivi mis à jour : {newcomer.get_status_display()}.")
    return redirect("www:support_newcomer", slug=cpts.slug, pk=newcomer.pk)

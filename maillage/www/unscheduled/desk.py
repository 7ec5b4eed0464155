"""The regulator's desk for unscheduled care: take a request, find a slot, book it, or record
that nothing was found. Coordinators and regulators of the CPTS only; every page showing a
patient writes an audit entry."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import audit, bounds
from maillage.unscheduled import notify, search
from maillage.unscheduled.actions import SlotError, desk
from maillage.unscheduled.enums import BookingStatus, RequestStatus
from maillage.unscheduled.models import Booking, CareRequest, Slot
from maillage.www.scoping import WRITE, Area, cpts_for
from maillage.www.unscheduled.forms import HORIZONS, CareRequestForm, UnmetForm, horizon_hours


def _read(request, cpts, obj, what):
    audit.record_health_read(
        "unscheduled.request.viewed", actor=request.user, cpts=cpts, obj=obj, details={"vue": what}
    )


def desk_home(request, slug):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK)
    since = timezone.now() - timedelta(days=2)
    recent = CareRequest.objects.of_cpts(cpts).filter(received_at__gte=since).select_related("commune")
    audit.record_health_read(
        "unscheduled.list.viewed",
        actor=request.user,
        cpts=cpts,
        obj=None,
        details={"demandes": [r.pk for r in recent][:200]},
    )
    return render(
        request, "unscheduled/desk.html", {"cpts": cpts, "recent": recent, "form": CareRequestForm(cpts=cpts)}
    )


def request_new(request, slug):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK)
    form = CareRequestForm(request.POST or None, cpts=cpts)
    if request.method == "POST":
        if form.is_valid():
            created = desk.take_request(cpts, form.cleaned_data, request.user)
            return redirect("www:snp_request", slug=cpts.slug, pk=created.pk)
        return render(request, "unscheduled/new.html", {"cpts": cpts, "form": form}, status=400)
    return render(request, "unscheduled/new.html", {"cpts": cpts, "form": form})


def request_page(request, slug, pk):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK)
    care = get_object_or_404(CareRequest.objects.of_cpts(cpts).select_related("commune"), pk=pk)
    _read(request, cpts, care, "demande")
    hours = horizon_hours(request.GET.get("delai", "24h"))
    found = search.search(care, horizon_hours=hours) if care.status == RequestStatus.OPEN else []
    bookings = care.bookings.select_related("slot__professional", "slot__commune", "slot__activity")
    live = next((b for b in bookings if b.status == BookingStatus.BOOKED), None)
    return render(
        request,
        "unscheduled/request.html",
        {
            "cpts": cpts,
            "care": care,
            "found": found,
            "hours": hours,
            "horizons": HORIZONS,
            "bookings": bookings,
            "live": live,
            "sms": notify.sms_text(live) if live else "",
            "unmet": UnmetForm(),
        },
    )


@require_POST
def book(request, slug, pk):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    care = get_object_or_404(CareRequest.objects.of_cpts(cpts), pk=pk)
    slot = get_object_or_404(Slot.objects.of_cpts(cpts), pk=bounds.pk(request.POST.get("slot"), "créneau"))
    try:
        desk.book(care, slot, request.user)
    except SlotError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "Rendez-vous réservé : confirmez-le au patient (SMS ci-dessous) ; le professionnel est prévenu."
        )
    return redirect("www:snp_request", slug=cpts.slug, pk=care.pk)


@require_POST
def cancel(request, slug, pk):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    booking = get_object_or_404(Booking.objects.filter(request__cpts=cpts).select_related("slot", "request"), pk=pk)
    try:
        desk.cancel(booking, request.user)
    except SlotError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, "Rendez-vous annulé : la demande est de nouveau en cours, choisissez un autre créneau."
        )
    return redirect("www:snp_request", slug=cpts.slug, pk=booking.request_id)


@require_POST
def unmet(request, slug, pk):
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    care = get_object_or_404(CareRequest.objects.of_cpts(cpts), pk=pk)
    form = UnmetForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Indiquez pourquoi aucune solution n'a été trouvée.")
    else:
        try:
            desk.mark_unmet(care, form.cleaned_data["reason"], request.user, note=form.cleaned_data["note"])
        except SlotError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Demande enregistrée sans solution, avec son motif.")
    return redirect("www:snp_request", slug=cpts.slug, pk=care.pk)

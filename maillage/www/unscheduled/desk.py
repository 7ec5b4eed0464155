"""The regulator's desk for unscheduled care: take a request, find a slot, book it, or record
that nothing was found. Coordinators and regulators of the CPTS only; every page showing a
patient writes an audit entry."""

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import audit, bounds
from maillage.unscheduled import notify, sas_feedback, search, window
from maillage.unscheduled.actions import BeyondWindow, DuplicateCaller, SlotError, desk
from maillage.unscheduled.enums import BookingStatus, RequestStatus, SlotStatus
from maillage.unscheduled.models import Alternative, Booking, CareRequest, SasReport, Slot
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
            try:
                created = desk.take_request(
                    cpts, form.cleaned_data, request.user, confirm_duplicate=request.POST.get("doublon") == "1"
                )
            except DuplicateCaller as exc:
                # Nothing saved: the form comes back with a link to the other request and a second button.
                context = {"cpts": cpts, "form": form, "duplicate": exc.existing, "duplicate_message": str(exc)}
                return render(request, "unscheduled/new.html", context, status=409)
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
    sas_reports = _sas_reports(bookings)
    deadline = window.deadline(care)
    for f in found:
        f.beyond = f.slot.start > deadline
    in_window = any(not f.beyond for f in found)
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
            "deadline": deadline,
            "alternatives": None if in_window else Alternative.objects.filter(cpts=cpts),
            "sas_reports": sas_reports,
        },
    )


def _sas_reports(bookings) -> list:
    """Issue 18 — what the SAS was told of this request's bookings, each report with its French
    state (`text`) and whether the desk may send it again (`retry`)."""
    reports = list(SasReport.objects.filter(booking__in=[b.pk for b in bookings]).select_related("booking__slot"))
    for report in reports:
        report.text = sas_feedback.describe(report)
        report.retry = sas_feedback.may_retry(report)
    return reports


def _confirmed(request) -> bool:
    return request.POST.get("confirme") == "1"


@require_POST
def book(request, slug, pk):
    """Two steps: the first POST shows the slot and, beyond the request's window, the delay; the
    second (« confirme ») books. The action refuses a slot beyond the window unless confirmed."""
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    care = get_object_or_404(CareRequest.objects.of_cpts(cpts).select_related("commune"), pk=pk)
    slot = get_object_or_404(
        Slot.objects.of_cpts(cpts).select_related("professional", "commune"),
        pk=bounds.pk(request.POST.get("slot"), "créneau"),
    )
    beyond = request.POST.get("hors_delai") == "1"
    if not _confirmed(request):
        if slot.status != SlotStatus.FREE:
            messages.error(request, "Ce créneau vient d'être pris ou retiré : choisissez-en un autre.")
            return redirect("www:snp_request", slug=cpts.slug, pk=care.pk)
        context = {"cpts": cpts, "care": care, "slot": slot, "warning": window.warning(care, slot)}
        return render(request, "unscheduled/book_confirm.html", context)
    try:
        desk.book(care, slot, request.user, confirm_beyond_window=beyond)
    except BeyondWindow as exc:
        # The slot moved beyond the window since the page was read, or the step was skipped.
        context = {"cpts": cpts, "care": care, "slot": slot, "warning": str(exc)}
        return render(request, "unscheduled/book_confirm.html", context, status=409)
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
    booking = get_object_or_404(
        Booking.objects.filter(request__cpts=cpts).select_related("slot__professional", "request"), pk=pk
    )
    if not _confirmed(request):
        return render(request, "unscheduled/cancel_confirm.html", {"cpts": cpts, "booking": booking})
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


@require_POST
def sas_retry(request, slug, pk):
    """Issue 18 — send again a report the SAS refused, or whose attempts all failed."""
    cpts = cpts_for(request, slug, Area.UNSCHEDULED_DESK, WRITE)
    report = get_object_or_404(SasReport.objects.filter(booking__request__cpts=cpts).select_related("booking"), pk=pk)
    try:
        sas_feedback.retry(report, request.user)
    except sas_feedback.SasError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Transmission au SAS relancée : elle part dans un instant.")
    return redirect("www:snp_request", slug=cpts.slug, pk=report.booking.request_id)

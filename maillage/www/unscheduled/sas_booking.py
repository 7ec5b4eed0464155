"""Issue 18 — the page a slot's booking URL opens from the SAS platform (`Slot.comment` in the SAS
answers): a regulator of the SAS, logged in (Pro Santé Connect, or an account with its second
factor), sees the slot, enters the patient's minimal data and books it; then the confirmation.

The URL is `/sas/<cpts>/rdv/<slot>/?depuis=sas`: its query is already open, so the `origin`
parameter the SAS platform appends works either way (`&origin=…` is one more parameter,
`?origin=…` lands inside `depuis`'s value); nothing here depends on it. Anonymous visitors are
sent to the login page and back here (LoginRequiredMiddleware keeps the whole URL in `next`).
A slot of another CPTS under this CPTS's address, or of a CPTS outside the regulator's région,
answers 404; a slot taken, withdrawn, past or not open to the SAS answers a French page that says
so, and is never booked twice (maillage/unscheduled/actions/sas_booking.py).
"""

from django.shortcuts import get_object_or_404, redirect, render

from maillage.core import audit
from maillage.unscheduled.actions import SlotError, sas_booking
from maillage.unscheduled.enums import BookingStatus, Origin
from maillage.unscheduled.models import Booking, Slot
from maillage.www.scoping import READ, WRITE, Area, cpts_for
from maillage.www.unscheduled.forms import SasBookingForm


def _slot(request, slug, pk, action):
    cpts = cpts_for(request, slug, Area.SAS_BOOKING, action)
    slot = get_object_or_404(
        Slot.objects.of_cpts(cpts).select_related("cpts", "professional", "commune", "activity"), pk=pk
    )
    return cpts, slot


def _own_booking(request, slot):
    """The live booking this regulator made of `slot` from the SAS, if any."""
    return (
        Booking.objects.filter(
            slot=slot, booked_by=request.user, request__origin=Origin.SAS, status=BookingStatus.BOOKED
        )
        .select_related("request")
        .first()
    )


def _refused(request, cpts, slot, message, status):
    context = {"cpts": cpts, "slot": slot, "message": message, "own": _own_booking(request, slot)}
    return render(request, "unscheduled/sas_refused.html", context, status=status)


def booking(request, slug, pk):
    cpts, slot = _slot(request, slug, pk, WRITE if request.method == "POST" else READ)
    refusal = sas_booking.refusal(slot)
    if refusal:
        return _refused(request, cpts, slot, refusal, 409 if request.method == "POST" else 200)
    form = SasBookingForm(request.POST or None, cpts=cpts)
    context = {"cpts": cpts, "slot": slot, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "unscheduled/sas_booking.html", context, status=400)
        try:
            sas_booking.book_from_sas(slot, form.cleaned_data, request.user)
        except SlotError as exc:
            slot.refresh_from_db()
            return _refused(request, cpts, slot, str(exc), 409)
        return redirect("www:sas_booking_done", slug=cpts.slug, pk=slot.pk)
    return render(request, "unscheduled/sas_booking.html", context)


def done(request, slug, pk):
    """The confirmation, for the regulator who booked the slot from the SAS; anyone else is sent
    to the booking page (which says the slot is taken)."""
    cpts, slot = _slot(request, slug, pk, READ)
    booked = _own_booking(request, slot)
    if booked is None:
        return redirect("www:sas_booking", slug=cpts.slug, pk=slot.pk)
    audit.record_health_read(
        "unscheduled.request.viewed", actor=request.user, cpts=cpts, obj=booked.request, details={"vue": "sas"}
    )
    return render(request, "unscheduled/sas_booked.html", {"cpts": cpts, "slot": slot, "booking": booked})

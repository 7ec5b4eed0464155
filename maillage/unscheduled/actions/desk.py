"""The regulator's desk: a request taken, a slot booked (atomically), cancelled, or the request
recorded as unmet; afterwards the professional says whether the appointment was honoured."""

import re
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from maillage.core import audit
from maillage.unscheduled import notify, sas_feedback, window
from maillage.unscheduled.actions import BeyondWindow, DuplicateCaller, SlotError
from maillage.unscheduled.enums import BookingStatus, Origin, RequestStatus, SlotStatus, UnmetReason
from maillage.unscheduled.models import Booking, CareRequest, Slot

REQUEST_FIELDS = ["last_name", "first_name", "birth_date", "phone", "email", "commune", "reason", "urgency",
                  "cannot_travel", "profession_code", "notes"]  # fmt: skip


# The same caller entered twice within this delay is probably one call taken twice.
DUPLICATE_DELAY = timedelta(minutes=10)


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return "0" + digits[2:] if digits.startswith("33") and len(digits) == 11 else digits


def recent_duplicate(cpts, data: dict, *, now=None) -> CareRequest | None:
    """A request of the same caller taken in the CPTS within `DUPLICATE_DELAY`: the same phone
    (whatever its format), or the same first and last names unless both birth dates are given
    and differ."""
    now = now or timezone.now()
    phone = _digits(data.get("phone", ""))
    name = ((data.get("last_name") or "").strip().lower(), (data.get("first_name") or "").strip().lower())
    born = data.get("birth_date")
    # A few requests at most in ten minutes: compared here, phones written in any format.
    for found in CareRequest.objects.of_cpts(cpts).filter(received_at__gte=now - DUPLICATE_DELAY):
        if phone and _digits(found.phone) == phone:
            return found
        same_name = all(name) and (found.last_name.lower(), found.first_name.lower()) == name
        if same_name and (born is None or found.birth_date in (None, born)):
            return found
    return None


def take_request(cpts, data: dict, actor, *, confirm_duplicate: bool = False, origin=Origin.DESK) -> CareRequest:
    """Refused (`DuplicateCaller`) when the same caller was entered a few minutes ago, unless the
    regulator confirms that this is a second request. `origin`: the CPTS's desk, or the SAS."""
    with transaction.atomic():
        existing = recent_duplicate(cpts, data)
        if existing is not None and not confirm_duplicate:
            local = timezone.localtime(existing.received_at)
            raise DuplicateCaller(
                f"Ce patient a déjà une demande enregistrée à {local:%H:%M} ({existing.reference}, "
                f"{existing.get_status_display()}) : vérifiez qu'il ne s'agit pas du même appel.",
                existing,
            )
        request = CareRequest.objects.create(
            cpts=cpts, taken_by=actor, origin=origin, **{name: data[name] for name in REQUEST_FIELDS if name in data}
        )
        details = {"doublon_confirmé": existing.pk} if existing is not None else {}
        if origin != Origin.DESK:
            details["origine"] = str(origin)
        audit.record(
            "unscheduled.request.created", actor=actor, cpts=cpts, obj=request, details=details, health_data=True
        )
    return request


def book(request: CareRequest, slot: Slot, actor, *, confirm_beyond_window: bool = False) -> Booking:
    """Books `slot` for `request`. The slot is taken by one conditional UPDATE (free → booked):
    whichever regulator's UPDATE runs first wins, the other updates nothing and is told so. This
    holds on PostgreSQL (row lock) and on SQLite (one writer at a time); the partial unique
    constraint on live bookings is the database's own guarantee behind it. A slot beyond the
    request's urgency window is refused (`BeyondWindow`) unless `confirm_beyond_window`."""
    if slot.cpts_id != request.cpts_id:
        raise SlotError("Ce créneau n'appartient pas à cette CPTS.")
    if request.status not in (RequestStatus.OPEN,):
        raise SlotError(f"Cette demande est « {request.get_status_display()} » : annulez d'abord son rendez-vous.")
    if slot.start < timezone.now():
        raise SlotError("Ce créneau est déjà passé.")
    late = window.beyond(request, slot)
    if late and not confirm_beyond_window:
        raise BeyondWindow(window.warning(request, slot))
    try:
        with transaction.atomic():
            taken = Slot.objects.filter(pk=slot.pk, status=SlotStatus.FREE).update(
                status=SlotStatus.BOOKED, updated_at=timezone.now()
            )
            if not taken:
                raise SlotError("Ce créneau vient d'être pris ou retiré : choisissez-en un autre.")
            done = CareRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
                status=RequestStatus.BOOKED, closed_at=timezone.now()
            )
            if not done:
                raise SlotError("Cette demande vient d'être traitée par quelqu'un d'autre.")
            slot.status = SlotStatus.BOOKED
            request.status = RequestStatus.BOOKED
            booking = Booking.objects.create(slot=slot, request=request, booked_by=actor)
            audit.record(
                "unscheduled.slot.booked",
                actor=actor,
                cpts=request.cpts,
                obj=booking,
                details={"créneau": slot.pk, "demande": request.pk, "hors_délai": late},
                health_data=True,
            )
            notify.booked(booking)
            # Issue 18 — SAS appointment feedback (booking): a SAS-origin booking is reported to the SAS.
            sas_feedback.report_booked(booking)
    except (IntegrityError, DatabaseError) as exc:
        # SQLite's "database is locked" under a burst, or the constraint: the slot is someone else's.
        raise SlotError("Ce créneau vient d'être pris : choisissez-en un autre.") from exc
    return booking


def cancel(booking: Booking, actor) -> Booking:
    """The appointment is cancelled: the slot is free again (if still to come) and the request
    open again, to be re-booked."""
    with transaction.atomic():
        done = Booking.objects.filter(pk=booking.pk, status=BookingStatus.BOOKED).update(
            status=BookingStatus.CANCELLED, cancelled_at=timezone.now()
        )
        if not done:
            raise SlotError("Ce rendez-vous n'est plus à venir : il ne peut pas être annulé.")
        freed = SlotStatus.FREE if booking.slot.start > timezone.now() else SlotStatus.CANCELLED
        Slot.objects.filter(pk=booking.slot_id).update(status=freed, updated_at=timezone.now())
        CareRequest.objects.filter(pk=booking.request_id).update(status=RequestStatus.OPEN, closed_at=None)
        booking.refresh_from_db()
        audit.record(
            "unscheduled.booking.cancelled", actor=actor, cpts=booking.request.cpts, obj=booking, health_data=True
        )
        notify.cancelled(booking)
        # Issue 18 — SAS appointment feedback (cancellation): reported after the creation.
        sas_feedback.report_cancelled(booking)
    return booking


def mark_unmet(request: CareRequest, reason: str, actor, *, note: str = "") -> CareRequest:
    if reason not in UnmetReason.values:
        raise SlotError("Indiquez pourquoi aucune solution n'a été trouvée.")
    with transaction.atomic():
        done = CareRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.UNMET, unmet_reason=reason, closed_at=timezone.now()
        )
        if not done:
            raise SlotError("Cette demande n'est plus en cours.")
        request.refresh_from_db()
        if note:
            request.notes = f"{request.notes}\n{note}".strip()
            request.save(update_fields=["notes"])
        audit.record(
            "unscheduled.request.unmet", actor=actor, cpts=request.cpts, obj=request, details={"motif": reason}
        )
    return request


def mark_outcome(booking: Booking, *, honoured: bool, actor) -> Booking:
    """Said by the professional once the appointment's time has come."""
    if booking.slot.start > timezone.now():
        raise SlotError("Le rendez-vous n'a pas encore eu lieu.")
    status = BookingStatus.HONOURED if honoured else BookingStatus.NO_SHOW
    with transaction.atomic():
        done = Booking.objects.filter(
            pk=booking.pk, status__in=[BookingStatus.BOOKED, BookingStatus.HONOURED, BookingStatus.NO_SHOW]
        ).update(status=status, outcome_at=timezone.now())
        if not done:
            raise SlotError("Ce rendez-vous a été annulé.")
        booking.status = status
        audit.record(
            "unscheduled.booking.outcome",
            actor=actor,
            cpts=booking.request.cpts,
            obj=booking,
            details={"honoré": honoured},
        )
        # Issue 18 — SAS appointment feedback: honoured or not is an update the SAS reads too.
        sas_feedback.report_outcome(booking)
    return booking

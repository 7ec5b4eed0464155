"""Confirmations of a booking, in French, sent after the transaction commits. The SMS text is
returned for the regulator to send from the desk's phone (no SMS gateway in the platform).

Emails cross ordinary SMTP (maillage/core/mail.py): the professional's says a slot was booked and
links to their space, where the patient's name, phone and reason are; never those in the email.
The patient's own confirmation greets them by the name they gave and says when and where to go —
what they need to get there — but not the reason, nor the professional's profession (a midwife or a
psychologist says something about the reason).
"""

from django.urls import reverse
from django.utils import timezone

from maillage.core.mail import send_after_commit as _send_after_commit
from maillage.core.mail import site_link
from maillage.unscheduled.enums import Kind, Origin


def _where(slot) -> str:
    if slot.kind == Kind.HOME:
        return "à votre domicile"
    if slot.kind == Kind.TELE:
        return "en téléconsultation (le lien vous sera envoyé par le cabinet)"
    street = slot.activity.street if slot.activity else ""
    return f"au cabinet, {street}, {slot.commune.name}" if street else f"au cabinet, {slot.commune.name}"


def _booked_by(request) -> str:
    # Issue 18 — a booking made from the SAS platform says so: the professional knows who to ask.
    if request.origin == Origin.SAS:
        return f"La régulation du SAS (créneau de la {request.cpts.name})"
    return f"La régulation de la {request.cpts.name}"


def sms_text(booking) -> str:
    """When, with whom and where: no reason, no profession (it can say the reason), no name of the
    patient (the phone may be shared)."""
    slot = booking.slot
    start = timezone.localtime(slot.start)
    return (
        f"{booking.request.cpts.name} : RDV le {start:%d/%m à %Hh%M} avec "
        f"{slot.professional.full_name} {_where(slot)}. "
        "Empêchement : rappelez le numéro de la CPTS."
    )


def booked(booking) -> None:
    slot, request = booking.slot, booking.request
    start = timezone.localtime(slot.start)
    _send_after_commit(
        request.email,
        "Votre rendez-vous de soins non programmés",
        f"Bonjour {request.first_name},\n\n{request.cpts.name} : rendez-vous le {start:%d/%m/%Y à %H:%M} avec "
        f"{slot.professional.full_name} {_where(slot)}.\n\n"
        "En cas d'empêchement, rappelez le numéro de la CPTS.\n",
    )
    user = slot.opened_by
    _send_after_commit(
        user.email if user else "",
        "Un créneau a été réservé",
        f"Bonjour,\n\n{_booked_by(request)} a réservé votre créneau du {start:%d/%m/%Y à %H:%M}.\n\n"
        f"Les coordonnées du patient et le motif sont dans votre espace Maillage :\n"
        f"{site_link(reverse('www:snp_slots', args=[slot.cpts.slug]))}\n",
    )


def cancelled(booking) -> None:
    slot, request = booking.slot, booking.request
    start = timezone.localtime(slot.start)
    _send_after_commit(
        request.email,
        "Rendez-vous annulé",
        f"Bonjour {request.first_name},\n\nVotre rendez-vous du {start:%d/%m/%Y à %H:%M} est annulé. "
        "La régulation de la CPTS vous rappelle pour un autre créneau.\n",
    )
    user = slot.opened_by
    _send_after_commit(
        user.email if user else "",
        "Réservation annulée",
        f"Bonjour,\n\nLa réservation de votre créneau du {start:%d/%m/%Y à %H:%M} est annulée : "
        "le créneau est de nouveau libre.\n",
    )

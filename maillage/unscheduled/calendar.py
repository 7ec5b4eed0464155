"""A professional's bookings as an iCalendar feed (RFC 5545), written with the `icalendar` library.

The feed carries what the professional needs to see the patient (name, phone, reason): it is as
private as their space, hence a random per-person token that can be replaced at any time.
"""

from django.utils import timezone
from icalendar import Calendar, Event

from maillage.unscheduled.enums import Kind


def feed(calendar_feed, bookings) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Soins non programmés//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Soins non programmés — {calendar_feed.cpts.name}")
    for booking in bookings:
        slot, patient = booking.slot, booking.request
        event = Event()
        event.add("uid", f"booking-{booking.pk}@maillage")
        event.add("dtstamp", booking.created_at)
        event.add("dtstart", slot.start)
        event.add("dtend", slot.end)
        event.add("summary", f"SNP : {patient.first_name} {patient.last_name}")
        place = "visite à domicile" if slot.kind == Kind.HOME else slot.get_kind_display()
        event.add(
            "description",
            f"Motif : {patient.reason}\nTéléphone : {patient.phone or '—'}\n{place}\n"
            f"Réservé le {timezone.localtime(booking.created_at):%d/%m/%Y %H:%M} par la régulation de la CPTS.",
        )
        event.add("location", slot.commune.name)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()

"""A professional's bookings as an iCalendar feed (RFC 5545), written with the `icalendar` library.

The feed is fetched by calendar providers' servers (Google, Microsoft, Apple) and kept there, out
of any health-data hosting: it carries no patient identity, phone or reason, only the slot, its
kind and place, and a link to the professional's space in Maillage where the booking is. The
random per-person token still keeps the schedule private, and can be replaced at any time.
"""

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from maillage.core.mail import site_link
from maillage.unscheduled.enums import Kind


def feed(calendar_feed, bookings) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Soins non programmés//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Soins non programmés — {calendar_feed.cpts.name}")
    link = site_link(reverse("www:snp_slots", args=[calendar_feed.cpts.slug]))
    for booking in bookings:
        slot = booking.slot
        event = Event()
        event.add("uid", f"booking-{booking.pk}@maillage")
        event.add("dtstamp", booking.created_at)
        event.add("dtstart", slot.start)
        event.add("dtend", slot.end)
        event.add("summary", "Rendez-vous SNP")
        place = "visite à domicile" if slot.kind == Kind.HOME else slot.get_kind_display()
        event.add(
            "description",
            f"{place}\nRéservé le {timezone.localtime(booking.created_at):%d/%m/%Y %H:%M} par la régulation "
            f"de la CPTS.\nLe patient et le motif : {link}",
        )
        event.add("url", link)
        event.add("location", slot.commune.name)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()

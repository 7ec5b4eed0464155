"""The CPTS's calendar as iCalendar feeds (RFC 5545), written with the `icalendar` library.

Feeds are fetched by calendar providers' servers and kept there: they carry the events (kind,
title, time, place, presentation) and a link to Maillage, never who registered. The private feed of
a member adds only what that member already knows: that they registered."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcalEvent

from maillage.association.models import Event
from maillage.core.mail import site_link

PAST_DAYS = 365  # feeds carry the last year and everything to come


def events_for_feed(cpts, *, public_only: bool):
    events = Event.objects.filter(cpts=cpts, starts_at__gte=timezone.now() - timedelta(days=PAST_DAYS))
    return events.filter(public=True) if public_only else events


def feed(cpts, events, *, link_path: str, registered: set[int] = frozenset(), private: bool = False) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Agenda de la CPTS//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Agenda — {cpts.name}" + (" (adhérents)" if private else ""))
    cal.add("x-wr-timezone", "Europe/Paris")
    link = site_link(link_path)
    for event in events:
        item = IcalEvent()
        item.add("uid", f"association-event-{event.pk}@maillage")
        item.add("dtstamp", event.created_at)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at)
        item.add("summary", f"{event.title} ({event.get_kind_display()})")
        item.add("location", event.place)
        lines = [event.description] if event.description else []
        if event.pk in registered:
            lines.append("Vous êtes inscrit à cet événement.")
        lines.append(f"Dans Maillage : {link}")
        item.add("description", "\n\n".join(lines))
        item.add("url", link)
        item.add("status", "CANCELLED" if event.cancelled_at else "CONFIRMED")
        cal.add_component(item)
    return cal.to_ical()


def public_feed(cpts) -> bytes:
    return feed(
        cpts,
        events_for_feed(cpts, public_only=True),
        link_path=reverse("www:association_public", args=[cpts.slug]),
    )


def private_feed(member) -> bytes:
    cpts = member.cpts
    events = list(events_for_feed(cpts, public_only=False))
    registered = set(
        member.event_registrations.filter(event__in=[e.pk for e in events]).values_list("event_id", flat=True)
    )
    return feed(
        cpts,
        events,
        link_path=reverse("www:member_space_events", args=[cpts.slug]),
        registered=registered,
        private=True,
    )

"""The CPTS's calendar as iCalendar feeds (RFC 5545), written with the `icalendar` library.

Feeds are fetched by calendar providers' servers and kept there: they carry the events (kind,
title, time, place, presentation) and a link to Maillage, never who registered. The private feed of
a member adds only what that member already knows: that they registered."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from maillage.association.models import Event
from maillage.core import ical
from maillage.core.mail import site_link

PAST_DAYS = 365  # feeds carry the last year and everything to come


def events_for_feed(cpts, *, public_only: bool):
    events = Event.objects.filter(cpts=cpts, starts_at__gte=timezone.now() - timedelta(days=PAST_DAYS))
    return events.filter(public=True) if public_only else events


def feed(cpts, events, *, link_path: str, registered: set[int] = frozenset(), private: bool = False) -> bytes:
    cal = ical.calendar(f"Agenda — {cpts.name}" + (" (adhérents)" if private else ""))
    link = site_link(link_path)
    for event in events:
        lines = [event.description] if event.description else []
        if event.pk in registered:
            lines.append("Vous êtes inscrit à cet événement.")
        lines.append(f"Dans Maillage : {link}")
        ical.add_event(
            cal,
            uid=f"association-event-{event.pk}@maillage",
            stamp=event.created_at,
            start=event.starts_at,
            end=event.ends_at,
            summary=f"{event.title} ({event.get_kind_display()})",
            location=event.place,
            description="\n\n".join(lines),
            url=link,
            cancelled=bool(event.cancelled_at),
        )
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

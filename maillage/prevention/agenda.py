"""The public agenda of prevention actions: the coming ones on the CPTS's public page and an
iCalendar feed. An action carries its campaign's title, its kind, date, time and place — never
who took part nor whom it reached.

The public page of a CPTS is a published document (maillage/territory/published.py), the same for
every anonymous visitor; its agenda part is keyed by a token per CPTS, replaced when an action is
planned or a campaign changes (`changed`), and by the day (a past action leaves the page at
midnight)."""

import uuid
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from maillage.core import ical
from maillage.core.mail import site_link

UPCOMING_MAX = 10  # actions listed on the public page
PAST_DAYS = 365  # the feed carries the last year and everything to come


def _key(slug) -> str:
    return f"prevention:agenda:{slug}"


def token(slug) -> str:
    found = cache.get(_key(slug))
    if found is None:
        found = uuid.uuid4().hex
        if not cache.add(_key(slug), found, None):
            found = cache.get(_key(slug)) or found
    return found


def changed(cpts) -> None:
    """The CPTS's agenda changed: its public page is rendered again (now, and after the commit)."""

    def replace():
        cache.set(_key(cpts.slug), uuid.uuid4().hex, None)

    replace()
    transaction.on_commit(replace)


def stamp(slug, today=None) -> str:
    """What the public page's agenda part depends on: the CPTS's token and the day."""
    return f"{token(slug)}:{today or timezone.localdate()}"


def _public(cpts):
    from maillage.prevention.models import Event

    return Event.objects.filter(cpts=cpts, public=True).select_related("campaign")


def upcoming(cpts, today=None) -> list:
    """The public actions from today on, soonest first (`cpts`: a CPTS or its id)."""
    today = today or timezone.localdate()
    return list(_public(cpts).filter(day__gte=today).order_by("day", "starts_at", "pk")[:UPCOMING_MAX])


def _bounds(event):
    """(start, end) for the feed: moments when the action has times, else the whole day."""
    tz = timezone.get_current_timezone()
    if event.starts_at is None:
        return event.day, event.day + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(event.day, event.starts_at), tz)
    end_time = event.ends_at or (datetime.combine(event.day, event.starts_at) + timedelta(hours=1)).time()
    end = timezone.make_aware(datetime.combine(event.day, max(end_time, event.starts_at)), tz)
    return start, end


def feed(cpts, now=None) -> bytes:
    now = now or timezone.now()
    since = timezone.localdate(now) - timedelta(days=PAST_DAYS)
    events = _public(cpts).filter(day__gte=since).order_by("day", "starts_at", "pk")
    cal = ical.calendar(f"Prévention — {cpts.name}")
    link = site_link(reverse("www:cpts_public", args=[cpts.slug]))
    for event in events:
        start, end = _bounds(event)
        lines = [event.description] if event.description else []
        lines.append(f"Campagne : {event.campaign.title} ({event.campaign.get_theme_display()}).")
        lines.append(f"La CPTS : {link}")
        ical.add_event(
            cal,
            uid=f"prevention-event-{event.pk}@maillage",
            stamp=event.created_at,
            start=start,
            end=end,
            summary=f"{event.campaign.title} — {event.get_kind_display()}",
            location=event.place,
            description="\n\n".join(lines),
            url=link,
        )
    return cal.to_ical()

"""The public agenda of prevention actions: the coming ones on the CPTS's public page and an
iCalendar feed. An action carries its campaign's title, its kind, date, time and place — never
who took part nor whom it reached.

The public page of a CPTS is a published document (maillage/territory/published.py), the same for
every anonymous visitor, kept per published version: planning an action or changing a campaign
replaces that version (`changed`), and the day is in the page's key (a past action leaves the page
at midnight)."""

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from maillage.core import ical
from maillage.core.mail import site_link
from maillage.territory import published

UPCOMING_MAX = 10  # actions listed on the public page
PAST_DAYS = 365  # the feed carries the last year and everything to come


def changed(cpts) -> None:
    """The CPTS's agenda changed: the published pages are rendered again (now, and after the
    commit). Actions are planned a few times a week, so the whole published set is replaced rather
    than a token kept per CPTS (which a visitor could multiply with made-up addresses)."""
    published.bump()


def stamp(today=None) -> str:
    """What the public page's agenda part depends on besides the published version: the day."""
    return f"{today or timezone.localdate()}"


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

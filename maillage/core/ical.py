"""What the iCalendar feeds (RFC 5545) Maillage publishes share, written with `icalendar`: the
calendar's header and one event's fields. Each feed (the association's agenda, the prevention
agenda) says which events it carries and how they read."""

from datetime import date, datetime

from icalendar import Calendar
from icalendar import Event as IcalEvent

CONTENT_TYPE = "text/calendar; charset=utf-8"


def calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", "-//Maillage//Agenda de la CPTS//FR")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Europe/Paris")
    return cal


def add_event(
    cal: Calendar,
    *,
    uid: str,
    stamp: datetime,
    start: date | datetime,
    end: date | datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    cancelled: bool = False,
) -> None:
    """One event; `start` and `end` as dates make it a whole-day one (`end` then exclusive)."""
    item = IcalEvent()
    item.add("uid", uid)
    item.add("dtstamp", stamp)
    item.add("dtstart", start)
    item.add("dtend", end)
    item.add("summary", summary)
    item.add("location", location)
    item.add("description", description)
    item.add("url", url)
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(item)

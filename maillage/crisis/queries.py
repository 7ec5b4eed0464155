"""What other apps read of the crises (issue 17): the ACI's recognised crisis of a year is read
here, never copied (maillage/funding/report.py)."""

from datetime import date

from django.db.models import Q

from maillage.crisis.models import Crisis


def overlapping(cpts, starts_on: date, ends_on: date | None):
    """The crises of `cpts` (not cancelled) whose period meets [starts_on, ends_on] (open end: ongoing)."""
    found = Crisis.objects.filter(cpts=cpts).exclude(status=Crisis.Status.CANCELLED)
    found = found.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    if ends_on is not None:
        found = found.filter(starts_on__lte=ends_on)
    return found


def recognised_in(cpts, year: int):
    """The crises of `cpts` the ARS recognised that took place during `year` (their period meets
    the year; not cancelled): the crisis mission's variable part of that year is due when there is
    one. Earliest first."""
    return (
        overlapping(cpts, date(year, 1, 1), date(year, 12, 31))
        .filter(recognised_on__isnull=False)
        .order_by("starts_on", "id")
    )

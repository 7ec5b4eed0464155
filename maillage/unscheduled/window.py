"""The urgency of a request as a deadline, and the words for a delay.

« sous 24 heures » and « sous 48 heures » count from the call; « dans la journée » ends at midnight
(local time) of the day of the call. A slot starting after the deadline is beyond the request's
window: the desk books it only once the regulator has confirmed it knowingly."""

from datetime import datetime, timedelta

from django.utils import timezone

from maillage.core.french import plural
from maillage.unscheduled.enums import Urgency

HOURS = {Urgency.DAY: 24, Urgency.TWO_DAYS: 48}


def deadline(request) -> datetime:
    received = request.received_at
    if request.urgency in HOURS:
        return received + timedelta(hours=HOURS[request.urgency])
    local = timezone.localtime(received)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time())
    return timezone.make_aware(midnight, local.tzinfo)


def beyond(request, slot) -> bool:
    return slot.start > deadline(request)


def delay_words(delta: timedelta) -> str:
    """« 2 jours et 3 heures », « 5 heures », « 40 minutes »."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return plural(days, "jour") + (f" et {plural(hours, 'heure')}" if hours else "")
    if hours:
        return plural(hours, "heure") + (f" et {plural(minutes, 'minute')}" if minutes else "")
    return plural(minutes, "minute")


def window_words(request) -> str:
    if request.urgency in HOURS:
        return f"du délai de {HOURS[request.urgency]} heures demandé"
    return "du délai demandé (dans la journée)"


def warning(request, slot, *, now: datetime | None = None) -> str:
    """The French warning for a slot beyond the request's window ("" when within it)."""
    if not beyond(request, slot):
        return ""
    now = now or timezone.now()
    return (
        f"Ce créneau est dans {delay_words(slot.start - now)}, au-delà {window_words(request)}. Confirmer quand même ?"
    )

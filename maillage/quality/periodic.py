"""The quality mission's scheduled jobs (maillage/core/periodic.py)."""

from maillage.core.french import plural
from maillage.core.periodic import register


@register("quality.review_reminders", label="Rappels de révision des protocoles", daily_at="08:30")
def review_reminders(at):
    from maillage.quality.reminders import send_reminders

    sent = send_reminders()
    return f"{plural(sent.protocols, 'protocole')} à réviser, {plural(sent.emails, 'courriel')}"

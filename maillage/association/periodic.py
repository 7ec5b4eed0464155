"""The association's scheduled jobs (maillage/core/periodic.py)."""

from maillage.core.french import plural
from maillage.core.periodic import register


@register("association.statuses", label="Recalcul des adhésions (à jour, grâce, expirées)", daily_at="02:30")
def statuses(at):
    from maillage.association.status import recompute_all

    outcome = recompute_all()
    return f"{plural(outcome.members, 'adhérent')}, {plural(outcome.changed, 'changement')} d'état"


# Issue 16 — fees: renewal reminders before the end of the membership year, and to members in grace.
@register("association.fee_reminders", label="Rappels de cotisation (renouvellement, grâce)", daily_at="09:00")
def fee_reminders(at):
    from maillage.association.reminders import send_reminders

    sent = send_reminders()
    return (
        f"{plural(sent.renewal, 'rappel')} de renouvellement, {plural(sent.grace, 'rappel')} de période de grâce, "
        f"{plural(sent.without_email, 'adhérent')} sans courriel"
    )

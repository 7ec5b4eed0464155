"""The association's scheduled jobs (maillage/core/periodic.py)."""

from maillage.core.french import plural
from maillage.core.periodic import register


@register("association.statuses", label="Recalcul des adhésions (à jour, grâce, expirées)", daily_at="02:30")
def statuses(at):
    from maillage.association.status import recompute_all

    outcome = recompute_all()
    return f"{plural(outcome.members, 'adhérent')}, {plural(outcome.changed, 'changement')} d'état"

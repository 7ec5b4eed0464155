"""The pathways mission's periodic jobs (maillage/core/periodic.py)."""

from maillage.core.french import agree, plural
from maillage.core.periodic import register
from maillage.pathways.ruptures import detect


@register("pathways.ruptures", label="Détection des ruptures de parcours et envoi des alertes", every_minutes=60)
def ruptures(at):
    outcome = detect(at)
    return (
        f"{plural(outcome.raised, 'alerte')} {agree(outcome.raised, 'levée')}, "
        f"{plural(outcome.resolved, 'alerte')} {agree(outcome.resolved, 'résolue')}, "
        f"{plural(outcome.emails, 'courriel')}"
    )

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


# Issue 15 — care requests: the end of the usual professional's priority, the response deadline
# (the coordinators alerted), the expiry (maillage/pathways/actions/requests.py `advance`).
@register(
    "pathways.care_requests", label="Demandes de prise en charge : diffusion, relances, expiration", every_minutes=15
)
def care_requests(at):
    from maillage.pathways.actions.requests import advance

    outcome = advance(at)
    return (
        f"{plural(outcome.broadcast, 'demande')} {agree(outcome.broadcast, 'diffusée')}, "
        f"{plural(outcome.unanswered, 'demande')} sans réponse, "
        f"{plural(outcome.expired, 'demande')} {agree(outcome.expired, 'expirée')}, "
        f"{plural(outcome.emails, 'courriel')}"
    )

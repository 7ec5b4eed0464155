"""The médecin traitant mission's periodic jobs (maillage/core/periodic.py)."""

from maillage.core.french import agree, plural
from maillage.core.periodic import register
from maillage.doctor_access.actions.doctors import expire_proposals
from maillage.doctor_access.actions.privacy import anonymise_due


@register("doctor_access.expire_proposals", label="Expiration des propositions sans réponse", every_minutes=15)
def expire(at):
    # Pages still expire lazily what they show; this job sends the patients back to the pool even
    # when nobody opens them.
    count = expire_proposals(now=at)
    return f"{plural(count, 'proposition')} {agree(count, 'expirée')}"


@register(
    "doctor_access.purge_requests",
    label="Anonymisation des demandes closes depuis le délai de leur CPTS",
    daily_at="03:00",
)
def purge(at):
    count = len(anonymise_due(now=at))
    return f"{plural(count, 'demande')} {agree(count, 'anonymisée')}"

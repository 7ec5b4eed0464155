"""Issue 17 — the mission's scheduled job (maillage/core/periodic.py): newcomers found in the
directory after the imports of the night."""

from maillage.core.french import plural
from maillage.core.periodic import register


@register("support.newcomers", label="Nouveaux installés repérés dans l'annuaire", daily_at="06:30")
def newcomers(at):
    from maillage.support.newcomers import detect_all

    scanned, found = detect_all(at)
    examined = plural(scanned, "CPTS examinée", "CPTS examinées")
    return f"{examined}, {plural(found, 'nouvel installé', 'nouveaux installés')}"

"""Imports that cannot wipe the directory by accident.

A national extraction is a full picture: a row missing from it is retired. A file cut by an
interrupted download, a header saved alone, or the wrong file would therefore retire most of the
directory — and every CPTS's enrichment would vanish from its listings. Before an applied run
commits, `alerts` looks for the signs of such a file:

- no data line after the header;
- a last line cut short: no end of line, or rejected for lacking fields (the file stops mid-line);
- more than `DIRECTORY_IMPORT_MAX_REMOVAL_SHARE` (5 % by default) of a table's active rows gone.

An applied run with an alert stops (its transaction is rolled back, nothing is written) unless
`--allow-mass-removal` is given; a dry run lists the alerts at the top of its summary, so the
operator learns it before applying.
"""

from django.conf import settings

from maillage.core.french import agree, grouped
from maillage.directory.sources import SourceError

# Rejection kinds (rpps.py, finess.py) meaning a line has not the width of the header.
WIDTH_KINDS = ("ligne tronquée", "nombre de colonnes incorrect", "nombre de champs incorrect")
OVERRIDE = "--allow-mass-removal"


class MassRemovalRefused(SourceError):
    def __init__(self, alerts: list[str]):
        self.alerts = alerts
        super().__init__(
            "Import refusé : " + " ; ".join(alerts) + f". Vérifiez le fichier (téléchargez-le de nouveau au "
            f"besoin) ; si ces retraits sont voulus, relancez avec --apply {OVERRIDE}."
        )


def max_share() -> float:
    return settings.DIRECTORY_IMPORT_MAX_REMOVAL_SHARE


def _percent(share: float) -> str:
    return f"{100 * share:.1f}".removesuffix(".0").replace(".", ",") + " %"


def alerts(job) -> list[str]:
    """What makes the run of `job` (a BaseImport whose batches are all applied) look like a file
    that would wipe rows, in French; empty when nothing does."""
    found = []
    if job.lines == 0:
        found.append("le fichier ne contient que son en-tête, aucune ligne de données")
    last = job.source.last_line
    if last is not None and job.lines:
        line, kind = job.report.last_rejected
        if not last.complete:
            found.append(f"la dernière ligne ({last.number}) s'arrête sans fin de ligne : fichier tronqué ?")
        elif line == last.number and kind in WIDTH_KINDS:
            found.append(
                f"la dernière ligne ({last.number}) n'a pas toutes les colonnes de l'en-tête : fichier tronqué ?"
            )
    limit = max_share()
    for tally in job.tallies():
        if tally.show_gone and tally.before and tally.gone / tally.before > limit:
            active = "actives" if tally.feminine else "actifs"
            verb = agree(tally.gone, "disparaîtrait", "disparaîtraient")
            found.append(
                f"{grouped(tally.gone)} des {grouped(tally.before)} {tally.noun} {active} {verb} "
                f"({_percent(tally.gone / tally.before)}, au-delà du seuil de {_percent(limit)})"
            )
    return found


def summary_lines(alerts: list[str], *, applied: bool) -> list[str]:
    """The lines the command prints, first, about `alerts`."""
    if not alerts:
        return []
    lines = ["ATTENTION — ce fichier pourrait vider l'annuaire :"]
    lines.extend(f"  ! {alert}" for alert in alerts)
    if applied:
        lines.append(f"  Import appliqué malgré tout ({OVERRIDE}).")
    else:
        lines.append(f"  Un import avec --apply sera refusé sauf avec {OVERRIDE}.")
    return lines

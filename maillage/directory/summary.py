"""The French summary an import prints: what would change (dry run) or what changed (--apply)."""

from maillage.core.french import agree
from maillage.core.french import plural as _plural
from maillage.directory import safeguard
from maillage.directory.importer import Outcome
from maillage.directory.records import Tally

_WORDS = {
    "new": ("nouveau", "nouveaux", "nouvelle", "nouvelles"),
    "changed": ("modifié", "modifiés", "modifiée", "modifiées"),
    "unchanged": ("inchangé", "inchangés", "inchangée", "inchangées"),
    "gone": ("disparu", "disparus", "disparue", "disparues"),
}
_SIGNS = {"new": "+", "changed": "~", "gone": "-"}


def count(n: int, kind: str, feminine: bool) -> str:
    words = _WORDS[kind]
    word = words[(2 if feminine else 0) + (1 if n > 1 else 0)]
    return f"{n:,} {word}".replace(",", " ")


def _tally_lines(tally: Tally) -> list[str]:
    kinds = ["new", "changed", "unchanged"] + (["gone"] if tally.show_gone else [])
    parts = [count(getattr(tally, kind), kind, tally.feminine) for kind in kinds]
    lines = [f"{tally.noun.capitalize()} : {', '.join(parts)}."]
    for kind in ("new", "changed", "gone"):
        samples = tally.samples[kind]
        if not samples:
            continue
        title = _WORDS[kind][3 if tally.feminine else 1]
        lines.append(f"  Exemples ({title}) :")
        lines.extend(f"    {_SIGNS[kind]} {sample}" for sample in samples)
    if tally.changed_fields:
        fields = ", ".join(f"{name} ({n})" for name, n in tally.changed_fields.most_common(8))
        lines.append(f"  Champs modifiés : {fields}.")
    return lines


def render(outcome: Outcome, title: str, layout: str) -> list[str]:
    source = outcome.source
    mode = "import appliqué" if outcome.applied else "simulation, rien n'est enregistré"
    lines = [
        f"Import {title} — {source.path.name} ({layout}, {source.encoding_label}) : {mode}.",
        f"{_plural(outcome.lines, 'ligne lue', 'lignes lues')}.",
        *safeguard.summary_lines(outcome.alerts, applied=outcome.applied),
    ]
    for tally in outcome.tallies:
        if tally.show_gone or tally.touched or tally.unchanged:  # coordinates: only when the file had some
            lines.extend(_tally_lines(tally))
    report = outcome.report
    if report.rejected_total:
        detail = ", ".join(f"{kind} : {n}" for kind, n in report.rejected.most_common())
        lines.append(f"{_plural(report.rejected_total, 'ligne rejetée', 'lignes rejetées')} ({detail}).")
    else:
        lines.append("Aucune ligne rejetée.")
    if report.warnings_total:
        detail = ", ".join(f"{kind} : {n}" for kind, n in report.warnings.most_common())
        lines.append(f"{_plural(report.warnings_total, 'avertissement', 'avertissements')} ({detail}).")
    if source.fallback_lines:
        read = agree(source.fallback_lines, "lue", "lues")
        lines.append(f"{_plural(source.fallback_lines, 'ligne', 'lignes')} hors UTF-8 {read} en Windows-1252.")
    lines.extend(outcome.notes)
    if report.written:
        lines.append(f"Rapport des lignes rejetées et des avertissements : {report.path}")
    if not outcome.changed_anything:
        lines.append("Aucun changement : la base est déjà à jour avec ce fichier.")
    elif not outcome.applied:
        lines.append("Pour enregistrer ces changements, relancez la commande avec --apply.")
    else:
        lines.append("Changements enregistrés.")
    return lines

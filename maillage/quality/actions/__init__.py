"""Writes of the quality mission: each is one transaction with one audit entry; a refusal raises
`QualityError` with a French message, before anything is written or with the transaction rolled
back."""

from maillage.indicators.registry import Mission
from maillage.quality import identity


class QualityError(Exception):
    """A write refused for a reason the user can act on; the message is French, shown as is."""


def require(condition, message: str) -> None:
    if not condition:
        raise QualityError(message)


def no_identity(text: str, what: str) -> None:
    """Refuses a text holding a patient's obvious identifiers (`what`: « Les cas discutés »)."""
    found = identity.problems(text, what)
    if found:
        raise QualityError(" ".join(found))


def check_fiche(cpts, fiche) -> None:
    """A fiche-action the record serves: one of this CPTS's projet, of the quality mission."""
    if fiche is None:
        return
    require(fiche.projet.cpts_id == cpts.pk, "Cette fiche-action appartient au projet de santé d'une autre CPTS.")
    require(
        fiche.mission == Mission.QUALITY,
        f"La fiche-action « {fiche.title} » relève de la mission « {Mission(fiche.mission).label} », "
        "pas de la qualité et de la pertinence des soins.",
    )


def check_professional(cpts, professional) -> None:
    """A person of the mission is a professional of the CPTS's directory (a site on its territory, or
    an entry the CPTS keeps)."""
    from maillage.directory.models import Activity, DirectoryEntry, Professional

    require(isinstance(professional, Professional), "Choisissez un professionnel de l'annuaire de la CPTS.")
    on_territory = Activity.objects.filter(
        professional=professional, active=True, commune__cpts_links__cpts=cpts
    ).exists()
    require(
        on_territory or DirectoryEntry.objects.filter(cpts=cpts, professional=professional).exists(),
        f"{professional.full_name} n'est pas dans l'annuaire de la CPTS.",
    )

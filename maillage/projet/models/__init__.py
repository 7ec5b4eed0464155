from maillage.projet.models.projet import FicheAction, FicheIndicator, ProjetSante, ProjetTransition
from maillage.projet.models.reference import AreaKind, ReferenceDensity
from maillage.projet.models.zoning import CommuneZoning

__all__ = [
    "AreaKind",
    "CommuneZoning",
    "FicheAction",
    "FicheIndicator",
    "ProjetSante",
    "ProjetTransition",
    "ReferenceDensity",
]

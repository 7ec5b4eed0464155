from maillage.projet.models.projet import FicheAction, FicheIndicator, ProjetSante, ProjetTransition
from maillage.projet.models.zoning import CommuneZoning

__all__ = ["CommuneZoning", "FicheAction", "FicheIndicator", "ProjetSante", "ProjetTransition"]

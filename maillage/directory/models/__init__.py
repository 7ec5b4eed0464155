from maillage.directory.models.enrichment import DirectoryEntry, Partner, ProfessionalAccount, Skill
from maillage.directory.models.imports import ImportRun
from maillage.directory.models.listing import Listing
from maillage.directory.models.professionals import Activity, Professional
from maillage.directory.models.structures import Structure

__all__ = [
    "Activity",
    "DirectoryEntry",
    "ImportRun",
    "Listing",
    "Partner",
    "Professional",
    "ProfessionalAccount",
    "Skill",
    "Structure",
]

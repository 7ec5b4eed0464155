"""Who finds a CPTS's timeline is the access policy's `lifecycle` area: its coordinators and the
admins read and write, the regional viewers of a région the CPTS has a commune in read (the page
carries no personal data). Anyone else, or a write by a reader, gets a 404."""

from maillage.territory.models import Cpts
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


def timeline_cpts_for(request, slug: str, *, write: bool = False) -> tuple[Cpts, bool]:
    """(the CPTS, whether the user may write its timeline)."""
    cpts = cpts_for(request, slug, Area.LIFECYCLE, WRITE if write else READ)
    return cpts, write or may(request, Area.LIFECYCLE, WRITE, cpts)

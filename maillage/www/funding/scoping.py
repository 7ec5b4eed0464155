"""Who may see a CPTS's funding is the access policy's `funding` area: its coordinator and the
admin read and write, the regional viewers of a région the CPTS lies in read (amounts only, small
numbers hidden). Anyone else gets a 404."""

from maillage.accounts import policy
from maillage.territory.models import Cpts
from maillage.www.scoping import READ, WRITE, Area, cpts_for


def cpts_for_funding(request, slug: str, *, write: bool = False) -> tuple[Cpts, bool]:
    """The CPTS and whether the user may write its funding (False: a regional reader)."""
    cpts = cpts_for(request, slug, Area.FUNDING, WRITE if write else READ)
    return cpts, not policy.reads_as_region(request.user, Area.FUNDING, cpts)

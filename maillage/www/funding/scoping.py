"""Who may see a CPTS's funding: its coordinator and the admin (who may also write it), and the
regional viewers of a region the CPTS lies in (read only). Anyone else gets a 404."""

from django.shortcuts import get_object_or_404

from maillage.accounts.models import RoleKind
from maillage.accounts.roles import is_admin
from maillage.territory.models import Cpts
from maillage.www.scoping import visible_regions


def cpts_for_funding(request, slug: str, *, write: bool = False) -> tuple[Cpts, bool]:
    """The CPTS and whether the user may write its funding."""
    user = request.user
    if is_admin(user):
        return get_object_or_404(Cpts, slug=slug), True
    coordinated = Cpts.objects.visible_to(user, (RoleKind.COORDINATOR,)).filter(slug=slug).first()
    if coordinated is not None:
        return coordinated, True
    if write:
        return get_object_or_404(Cpts.objects.none(), slug=slug), False
    regional = Cpts.objects.filter(territory__commune__region__in=visible_regions(user)).distinct()
    return get_object_or_404(regional, slug=slug), False

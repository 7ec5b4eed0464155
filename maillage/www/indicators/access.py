"""Who reaches a CPTS's indicators: its coordinators and members read them, its coordinators
enter the external values, the platform's admins do both; anyone else gets a 404."""

from django.shortcuts import get_object_or_404

from maillage.accounts.models import RoleKind
from maillage.accounts.roles import is_admin
from maillage.territory.models import Cpts
from maillage.www.scoping import cpts_for

READERS = (RoleKind.COORDINATOR, RoleKind.MEMBER)


def readable_cpts(request, slug: str) -> Cpts:
    if is_admin(request.user):
        return get_object_or_404(Cpts, slug=slug)
    return cpts_for(request, slug, READERS)


def writable_cpts(request, slug: str) -> Cpts:
    if is_admin(request.user):
        return get_object_or_404(Cpts, slug=slug)
    return cpts_for(request, slug)


def can_enter(request, cpts: Cpts) -> bool:
    return (
        is_admin(request.user)
        or Cpts.objects.visible_to(request.user, (RoleKind.COORDINATOR,)).filter(pk=cpts.pk).exists()
    )

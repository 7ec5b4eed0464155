"""Who finds a CPTS's timeline: its coordinators and the admins (read and write), the regional
viewers of a région the CPTS has a commune in (read only, the page carries no personal data).
Anyone else, or a write by a reader, gets a 404 like any object out of reach."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from maillage.accounts.models import RoleKind
from maillage.accounts.roles import is_admin
from maillage.territory.models import Cpts
from maillage.www.scoping import visible_regions


def _writable(user):
    if is_admin(user):
        return Cpts.objects.all()
    return Cpts.objects.visible_to(user, (RoleKind.COORDINATOR,))


def timeline_cpts_for(request, slug: str, *, write: bool = False) -> tuple[Cpts, bool]:
    """(the CPTS, whether the user may write its timeline)."""
    writable = _writable(request.user).filter(slug=slug).first()
    if writable is not None:
        return writable, True
    if write:
        raise Http404
    readable = Cpts.objects.filter(
        territory__commune__region__in=visible_regions(request.user), territory__commune__is_unit=True
    ).distinct()
    return get_object_or_404(readable, slug=slug), False

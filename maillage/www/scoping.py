"""Every view starts from an object scoped to the user: anything outside answers 404."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from maillage.accounts.models import RoleKind
from maillage.accounts.roles import is_admin, roles_of
from maillage.directory.models import ProfessionalAccount
from maillage.territory.models import Cpts, Departement, Region


def cpts_for(request, slug: str, kinds=(RoleKind.COORDINATOR,)) -> Cpts:
    return get_object_or_404(Cpts.objects.visible_to(request.user, kinds), slug=slug)


def professional_of(user):
    """The professional of the national register the account is linked to, or None."""
    link = ProfessionalAccount.objects.filter(user=user).select_related("professional").first()
    return link.professional if link is not None else None


def visible_regions(user):
    if is_admin(user):
        return Region.objects.all()
    codes = roles_of(user).filter(kind=RoleKind.REGIONAL_VIEWER).values_list("region_id", flat=True)
    return Region.objects.filter(code__in=codes)


def region_for(request, code: str) -> Region:
    return get_object_or_404(visible_regions(request.user), code=code)


def departement_for(request, code: str) -> Departement:
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
    if not visible_regions(request.user).filter(code=departement.region_id).exists():
        raise Http404
    return departement

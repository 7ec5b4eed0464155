"""Every view starts from an object scoped to the user: anything outside answers 404. Who may see
what is decided by the access policy (maillage/accounts/policy.py); these are its lookups as the
views use them."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from maillage.accounts import policy
from maillage.accounts.policy import READ, WRITE, Action, Area
from maillage.directory.models import ProfessionalAccount
from maillage.territory.models import Cpts, Departement

__all__ = ["READ", "WRITE", "Area", "cpts_for", "departement_for", "may", "professional_of", "region_for"]


def cpts_for(request, slug: str, area: Area, action: Action = READ) -> Cpts:
    """The CPTS `slug` if the policy lets the user `action` in `area` there; otherwise 404."""
    return policy.cpts_for(request, slug, area, action)


def may(request, area: Area, action: Action, cpts: Cpts) -> bool:
    return policy.may(request.user, area, action, cpts)


def professional_of(user):
    """The professional of the national register the account is linked to, or None."""
    link = ProfessionalAccount.objects.filter(user=user).select_related("professional").first()
    return link.professional if link is not None else None


def visible_regions(user):
    return policy.regions(user, Area.COVERAGE)


def region_for(request, code: str):
    return policy.region_for(request, code, Area.COVERAGE)


def departement_for(request, code: str) -> Departement:
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code)
    if not visible_regions(request.user).filter(code=departement.region_id).exists():
        raise Http404
    return departement

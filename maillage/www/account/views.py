from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from maillage.accounts.models import RoleKind
from maillage.accounts.roles import SESSION_KEY, roles_of
from maillage.core import bounds
from maillage.core.french import elide
from maillage.www.scoping import professional_of


def dashboard(request):
    """Where a login lands: the page of the role the user acts under."""
    role = request.role
    if role is not None and role.kind == RoleKind.COORDINATOR:
        return redirect("www:coord_dashboard", slug=role.cpts.slug)
    if role is not None and role.kind == RoleKind.REGIONAL_VIEWER:
        return redirect("www:coverage_region", code=role.region_id)
    return render(request, "account/space.html", {"role": role, "own_professional": professional_of(request.user)})


@require_POST
def switch_role(request):
    asked = request.POST.get("role", "")
    role = roles_of(request.user).filter(pk=bounds.pk(asked, "rôle")).first() if asked else None
    if role is None:
        messages.error(request, "Ce rôle n'existe pas ou ne vous appartient pas.")
        return redirect("www:home_dashboard")
    request.session[SESSION_KEY] = role.pk
    messages.success(request, f"Vous agissez désormais en tant {elide('que', role.label)}.")
    return redirect(reverse("www:home_dashboard"))

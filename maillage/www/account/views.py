from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from maillage.accounts.models import RoleKind
from maillage.accounts.roles import SESSION_KEY, roles_of
from maillage.core import bounds
from maillage.core.french import elide
from maillage.www.dashboard import todo
from maillage.www.scoping import professional_of


def dashboard(request):
    """Where a login lands: the coordinator's dashboard, or the to-do list of the role the user acts
    under (a GP's proposals and slots, a regulator's calls, a regional viewer's CPTS)."""
    role = request.role
    if role is not None and role.kind == RoleKind.COORDINATOR:
        return redirect("www:coord_dashboard", slug=role.cpts.slug)
    professional = professional_of(request.user)
    lines = todo.for_role(role, request.user, professional)
    return render(request, "account/space.html", {"role": role, "own_professional": professional, "todo": lines})


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

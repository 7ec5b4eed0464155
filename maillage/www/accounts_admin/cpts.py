"""Creating a CPTS: the platform admin anywhere, an ARS's regional admin in its région."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from maillage.accounts import actions
from maillage.accounts.models import RoleKind
from maillage.accounts.roles import is_admin, roles_of
from maillage.territory.models import Region
from maillage.www.accounts_admin.forms import CptsForm


def _creation_regions(request):
    """Access: the région codes the user may create a CPTS in, None for all (platform admin); 404
    for anyone else. The central policy will take this over."""
    if is_admin(request.user):
        return None
    codes = set(roles_of(request.user).filter(kind=RoleKind.REGIONAL_ADMIN).values_list("region_id", flat=True))
    if not codes:
        raise Http404
    return codes


def cpts_create(request):
    regions = _creation_regions(request)
    form = CptsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cpts, invitation = actions.create_cpts(
                name=data.pop("name"),
                slug=data.pop("slug"),
                codes=data.pop("communes"),
                coordinator_email=data.pop("coordinator_email"),
                actor=request.user,
                site_url=request.build_absolute_uri("/"),
                regions=regions,
                **data,
            )
        except actions.AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, f"La {cpts.name} est créée ; son coordinateur est invité à l'adresse {invitation.email}."
            )
            return redirect(cpts.get_absolute_url())
    scope = None if regions is None else Region.objects.filter(code__in=regions)
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts_admin/cpts_new.html", {"form": form, "regions": scope}, status=status)

"""Creating a CPTS: the platform admin anywhere, an ARS's regional admin in its région."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from maillage.accounts import actions, policy
from maillage.accounts.policy import READ, WRITE, Area
from maillage.territory.models import Region
from maillage.www.accounts_admin.forms import CptsForm


def _creation_regions(request) -> set[str] | None:
    """The région codes the policy lets the user create a CPTS in, None for all of them (the
    platform admin); 404 for anyone it lets nowhere."""
    action = WRITE if request.method == "POST" else READ
    if policy.everywhere(request.user, Area.CPTS_CREATION, action):
        return None
    codes = set(policy.regions(request.user, Area.CPTS_CREATION, action).values_list("code", flat=True))
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

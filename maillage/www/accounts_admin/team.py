"""The « Équipe » page of a CPTS: its coordinators invite people, change and revoke roles, and
link accounts to the national register. Every write goes through maillage.accounts.actions."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.accounts import actions
from maillage.accounts.models import Invitation, Role, User
from maillage.core.french import elide
from maillage.directory.models import ProfessionalAccount
from maillage.www.accounts_admin.forms import ROLE_CHOICES, InviteForm, RoleForm, RppsForm
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


def _coordinated(request, slug):
    """The CPTS whose team the user manages: the policy's `accounts` area (its coordinators)."""
    return cpts_for(request, slug, Area.ACCOUNTS, WRITE if request.method == "POST" else READ)


def _people(cpts):
    """[(user, [roles…], professional or None)] of everyone holding a role in the CPTS."""
    roles = cpts.roles.select_related("user").order_by("user__last_name", "user__first_name", "user__email", "kind")
    people: dict = {}
    for role in roles:
        people.setdefault(role.user, []).append(role)
    links = ProfessionalAccount.objects.filter(user__in=people).select_related("professional")
    professionals = {link.user_id: link.professional for link in links}
    return [(user, user_roles, professionals.get(user.pk)) for user, user_roles in people.items()]


def _render(request, cpts, form, status=200):
    pending = cpts.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).select_related("invited_by")
    context = {
        "cpts": cpts,
        "people": _people(cpts),
        "invitations": pending,
        "form": form,
        "role_choices": ROLE_CHOICES,
    }
    return render(request, "accounts_admin/team.html", context, status=status)


def team(request, slug):
    cpts = _coordinated(request, slug)
    return _render(request, cpts, InviteForm())


def _site_url(request) -> str:
    return request.build_absolute_uri("/")


@require_POST
def invite(request, slug):
    cpts = _coordinated(request, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = actions.invite(
                cpts,
                form.cleaned_data["email"],
                form.cleaned_data["kind"],
                actor=request.user,
                site_url=_site_url(request),
                structure=form.cleaned_data.get("structure"),
            )
        except actions.AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email} ({invitation.get_kind_display()}).")
            return redirect("www:team", slug=cpts.slug)
    return _render(request, cpts, form, status=400)


def _done(request, cpts, write, success: str):
    """Run `write`; its refusal becomes an error message on the team page."""
    try:
        write()
    except actions.AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    if not may(request, Area.ACCOUNTS, READ, cpts):
        return redirect("www:home_dashboard")  # a co-coordinator who just stepped down
    return redirect("www:team", slug=cpts.slug)


@require_POST
def invitation_resend(request, slug, pk):
    cpts = _coordinated(request, slug)
    invitation = get_object_or_404(Invitation, cpts=cpts, pk=pk)
    return _done(
        request,
        cpts,
        lambda: actions.resend_invitation(invitation, actor=request.user, site_url=_site_url(request)),
        f"Invitation renvoyée à {invitation.email} : le lien précédent ne fonctionne plus.",
    )


@require_POST
def invitation_revoke(request, slug, pk):
    cpts = _coordinated(request, slug)
    invitation = get_object_or_404(Invitation, cpts=cpts, pk=pk)
    return _done(
        request,
        cpts,
        lambda: actions.revoke_invitation(invitation, actor=request.user),
        f"L'invitation {elide('de', str(invitation.email))} est annulée.",
    )


@require_POST
def role_change(request, slug, pk):
    cpts = _coordinated(request, slug)
    role = get_object_or_404(Role.objects.select_related("user"), cpts=cpts, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choisissez le nouveau rôle dans la liste.")
        return redirect("www:team", slug=cpts.slug)
    kind = form.cleaned_data["kind"]
    label = dict(ROLE_CHOICES)[kind]
    return _done(
        request,
        cpts,
        lambda: actions.change_role(role, kind, actor=request.user),
        f"{role.user} a désormais le rôle « {label} ».",
    )


@require_POST
def role_revoke(request, slug, pk):
    cpts = _coordinated(request, slug)
    role = get_object_or_404(Role.objects.select_related("user"), cpts=cpts, pk=pk)
    return _done(
        request,
        cpts,
        lambda: actions.revoke_role(role, actor=request.user),
        f"Le rôle « {role.get_kind_display()} » {elide('de', str(role.user))} est retiré.",
    )


@require_POST
def professional_link(request, slug, pk):
    cpts = _coordinated(request, slug)
    person = get_object_or_404(User.objects.filter(roles__cpts=cpts).distinct(), pk=pk)
    form = RppsForm(request.POST)
    rpps = form.cleaned_data["rpps"] if form.is_valid() else ""
    return _done(
        request,
        cpts,
        lambda: actions.link_professional(person, rpps, actor=request.user, cpts=cpts),
        f"Le compte {elide('de', str(person))} est lié à sa fiche RPPS.",
    )

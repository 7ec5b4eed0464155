"""The page an invitation link opens. The link's token is the credential, so the page needs no
login; a person who already has an account logs in first and the role joins that account."""

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from maillage.accounts import actions, invitations
from maillage.accounts.models import HEALTH_DATA_ROLES, Invitation, User
from maillage.accounts.roles import SESSION_KEY
from maillage.www.accounts_admin.forms import AcceptForm


def _open_invitation(token):
    """Access: whoever holds the link. (invitation, None) or (None, the French page to answer)."""
    invitation = invitations.find(token)
    if invitation is None:
        return None, ("Ce lien d'invitation n'existe pas. Vérifiez qu'il a été copié en entier.", 404)
    if invitation.state != Invitation.State.PENDING:
        return None, (actions.InvitationGone.MESSAGES[invitation.state], 410)
    return invitation, None


def _gone(request, message, status):
    return render(request, "accounts_admin/invitation_gone.html", {"message": message}, status=status)


@login_not_required
def invitation(request, token):
    invitation, refusal = _open_invitation(token)
    if refusal:
        return _gone(request, *refusal)
    if request.user.is_authenticated:
        return _for_logged_in(request, token, invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = f"{reverse('account_login')}?{urlencode({'next': request.path})}"
        return render(request, "accounts_admin/invitation.html", {"invitation": invitation, "login_url": login_url})
    form = AcceptForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            role = actions.accept_as_new_user(
                token,
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
            )
        except actions.InvitationGone as exc:
            return _gone(request, str(exc), 410)
        except (actions.AccountsError, LookupError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, actions.AccountsError) else "Lien inconnu.")
        else:
            # The same login as with a password: allauth records it, so the second-factor set-up
            # that follows (RequireSecondFactorMiddleware) does not ask for the password again.
            home = reverse("www:home_dashboard")
            response = perform_password_login(
                request, {"email": role.user.email}, Login(user=role.user, redirect_url=home, email=role.user.email)
            )
            request.session[SESSION_KEY] = role.pk
            return response
    status = 400 if request.method == "POST" else 200
    context = {"invitation": invitation, "form": form, "needs_totp": invitation.kind in HEALTH_DATA_ROLES}
    return render(request, "accounts_admin/invitation.html", context, status=status)


def _for_logged_in(request, token, invitation):
    if request.user.email.lower() != invitation.email.lower():
        return render(request, "accounts_admin/invitation.html", {"invitation": invitation, "wrong_account": True})
    if request.method != "POST":
        return render(request, "accounts_admin/invitation.html", {"invitation": invitation, "confirm": True})
    try:
        role = actions.accept_as_existing_user(token, request.user)
    except actions.InvitationGone as exc:
        return _gone(request, str(exc), 410)
    except LookupError:
        return _gone(request, "Ce lien d'invitation n'existe pas.", 404)
    request.session[SESSION_KEY] = role.pk
    messages.success(request, f"Vous avez rejoint la {role.cpts.name} : {role.get_kind_display()}.")
    return redirect("www:home_dashboard")

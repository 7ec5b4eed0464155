"""Mon espace › Jetons d'API: a person creates and revokes their own tokens for /api/v1/ (ADR 0026).

The page is behind the second factor like every page of a role that needs one; a token's secret is
shown once, on the answer to its creation, and never stored."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts import actions, api_tokens
from maillage.accounts.models import ApiToken
from maillage.accounts.second_factor import has_totp, signed_in_with_psc
from maillage.core import bounds

LIFETIME_CHOICES = [("30", "30 jours"), ("90", "90 jours"), ("365", "un an"), ("aucune", "sans limite")]


class TokenForm(forms.Form):
    name = forms.CharField(
        label="Nom du jeton", max_length=80, help_text="Par exemple le logiciel ou le script qui l'utilisera."
    )
    scope = forms.ChoiceField(
        label="Droits",
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text="Les mêmes que les vôtres, en lecture seule ou aussi en écriture.",
    )
    lifetime = forms.ChoiceField(
        label="Durée de validité", choices=LIFETIME_CHOICES, initial=api_tokens.DEFAULT_LIFETIME
    )


def _render(request, form, *, secret=None, created=None, status=200):
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(
        request,
        "account/tokens.html",
        {"form": form, "tokens": tokens, "secret": secret, "created": created},
        status=status,
    )
    add_never_cache_headers(response)  # the secret is shown once: no copy in any cache
    return response


@require_http_methods(["GET", "POST"])
def tokens(request):
    if request.method == "GET":
        return _render(request, TokenForm())
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = actions.create_api_token(
                request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                lifetime=form.cleaned_data["lifetime"],
                second_factor=has_totp(request.user) or signed_in_with_psc(request, request.user),
            )
        except actions.AccountsError as exc:
            form.add_error(None, str(exc))
        else:
            return _render(request, TokenForm(), secret=secret, created=token)
    return _render(request, form, status=400)


@require_POST
def revoke_token(request, pk):
    token = get_object_or_404(ApiToken, pk=bounds.pk(str(pk), "jeton"), user=request.user)
    try:
        actions.revoke_api_token(token, actor=request.user)
    except actions.AccountsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Jeton « {token.name} » révoqué : il ne permet plus d'utiliser l'API.")
    return redirect("www:api_tokens")

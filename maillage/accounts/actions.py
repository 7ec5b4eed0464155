"""Writes to accounts. One transaction and one audit entry per action."""

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied
from django.db import transaction

from maillage.accounts.roles import is_admin
from maillage.core import audit


@transaction.atomic
def reset_second_factor(user, *, actor) -> list[str]:
    """The lost-device procedure: the platform admin removes every authenticator of `user` (TOTP,
    recovery codes), who must set up a new one at their next login (RequireSecondFactorMiddleware).
    Whoever knows the password can then do it: the admin checks who is asking before calling this.
    Returns the kinds removed (empty when there was nothing to remove, which is still recorded)."""
    if not is_admin(actor):
        raise PermissionDenied("Seul l'administrateur de la plateforme peut réinitialiser un second facteur.")
    authenticators = Authenticator.objects.filter(user=user)
    removed = sorted(set(authenticators.values_list("type", flat=True)))
    authenticators.delete()
    audit.record("accounts.second_factor_reset", actor=actor, obj=user, details={"removed": removed})
    return removed

"""Logins and failed logins in the audit log. Every login goes through allauth (the admin's own
form redirects there), so allauth's signal sees them all; a failed password is Django's signal,
sent by `authenticate`, which allauth calls."""

from allauth.account.authentication import get_authentication_records
from allauth.account.signals import user_logged_in
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from maillage.accounts.models import Role
from maillage.core import audit


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs):
    records = get_authentication_records(request, user)
    details = {"methods": [record["method"] for record in records]}
    providers = [record["provider"] for record in records if record.get("provider")]
    if providers:
        details["provider"] = providers[-1]
    audit.record("accounts.login", actor=user, obj=user, details=details)


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the address typed is kept.
    login = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit.record("accounts.login_failed", details={"login": login})


@receiver([post_save, post_delete], sender=Role, dispatch_uid="policy_forget_on_role_change")
def forget_remembered_answers(sender, **kwargs):
    """A role granted, changed or removed during a request counts at once (policy's per-request memo)."""
    from maillage.accounts import policy

    policy.forget()

from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from maillage.accounts.actions import reset_second_factor
from maillage.accounts.models import Invitation, Role, SecondFactor, User
from maillage.core import audit
from maillage.core.admin import ReadOnly
from maillage.core.french import plural

# What the audit log keeps of an edit in the admin: the names of the fields changed, and their
# new values for these (never a password, which the admin form holds as a hash).
_USER_FIELDS_SHOWN = {"email", "first_name", "last_name", "is_active", "is_staff", "is_superuser"}
_ROLE_FIELDS = ("kind", "cpts", "region", "organisation")


def _role_details(role: Role) -> dict:
    return {
        "user": role.user.email,
        "kind": role.kind,
        "cpts": role.cpts.slug if role.cpts_id else None,
        "region": role.region.code if role.region_id else None,
    }


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ["cpts"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    inlines = [RoleInline]
    actions = ["reset_second_factor"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # The admin writes without our action functions: these hooks put its changes of accounts and
    # roles in the audit log (Django's own LogEntry is neither complete nor shown to anyone).
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [name for name in form.changed_data if name not in ("password", "password1", "password2")]
        if change and not changed:
            return
        details = {
            "fields": changed,
            "values": {name: form.cleaned_data[name] for name in changed if name in _USER_FIELDS_SHOWN},
        }
        audit.record(
            "accounts.user.admin_changed" if change else "accounts.user.admin_created",
            actor=request.user,
            obj=obj,
            details=details,
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Role:
            return super().save_formset(request, form, formset, change)
        # Recorded before the deletion, while the role still has its id (the admin's view is atomic).
        for role in [f.instance for f in formset.deleted_forms if f.instance.pk]:
            details = {**_role_details(role), "via": "admin"}
            audit.record("accounts.role.revoked", actor=request.user, cpts=role.cpts, obj=role, details=details)
        instances = formset.save()
        for role in formset.new_objects:
            audit.record(
                "accounts.role.granted",
                actor=request.user,
                cpts=role.cpts,
                obj=role,
                details={**_role_details(role), "via": "admin"},
            )
        for role, fields in formset.changed_objects:
            details = {
                **_role_details(role),
                "fields": [name for name in fields if name in _ROLE_FIELDS],
                "via": "admin",
            }
            audit.record("accounts.role.changed", actor=request.user, cpts=role.cpts, obj=role, details=details)
        return instances

    @admin.action(description="Réinitialiser le second facteur (appareil perdu)", permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """Asks for a confirmation first, like the admin's own deletion."""
        if request.POST.get("confirmation") != "oui":
            context = {
                **self.admin_site.each_context(request),
                "title": "Réinitialiser le second facteur",
                "users": queryset,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/accounts/user/reset_second_factor.html", context)
        try:
            for user in queryset:
                reset_second_factor(user, actor=request.user)
        except PermissionDenied as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return None
        self.message_user(
            request,
            f"Second facteur réinitialisé pour {plural(len(queryset), 'compte')} : "
            "une nouvelle application d'authentification sera demandée à la prochaine connexion.",
            messages.SUCCESS,
        )
        return None


# allauth's own admin for authenticators would delete them without an audit entry and show their
# secrets: here it only lists them; the lost-device procedure is the user action above.
# Shown under its French name through a proxy (`SecondFactor`), allauth has no French one.
admin.site.unregister(Authenticator)


@admin.register(SecondFactor)
class AuthenticatorAdmin(ReadOnly, BaseAuthenticatorAdmin):
    exclude = ["data"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are written by the team page (maillage.accounts.actions), audited."""

    list_display = ["email", "cpts", "kind", "sent_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["email", "cpts__name"]
    exclude = ["token_digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

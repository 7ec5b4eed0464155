from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from maillage.accounts.actions import reset_second_factor
from maillage.accounts.models import Invitation, Role, User
from maillage.core.french import plural


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
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(BaseAuthenticatorAdmin):
    exclude = ["data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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

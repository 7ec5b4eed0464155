from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from maillage.accounts.models import Invitation, Role, User


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
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name")}),
        ("Droits", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


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

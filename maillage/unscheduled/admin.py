from django.contrib import admin

from maillage.core import audit
from maillage.unscheduled.models import Alternative, SasConsumer


@admin.register(SasConsumer)
class SasConsumerAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_sas_key` (shown once); the admin only lists and
    deactivates them (the revocation, audited). No deletion: the client stays named in the log."""

    list_display = ["name", "active", "created_at", "last_used_at"]
    readonly_fields = ["name", "created_at", "last_used_at"]
    fields = ["name", "active", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "active" in form.changed_data:
            action = "unscheduled.sas_key.reactivated" if obj.active else "unscheduled.sas_key.revoked"
            audit.record(action, actor=request.user, obj=obj, details={"name": obj.name})


@admin.register(Alternative)
class AlternativeAdmin(admin.ModelAdmin):
    """Read-only here: the CPTS keeps its alternatives on the desk's page (audited, version-checked)."""

    list_display = ["name", "kind", "phone", "cpts"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

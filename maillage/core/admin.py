from django.contrib import admin

from maillage.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "cpts", "action", "object_repr", "health_data"]
    list_filter = ["action", "health_data"]
    search_fields = ["actor_label", "action", "object_repr"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

from django.contrib import admin

from maillage.core.models import AuditEntry, PeriodicRun


class ReadOnly:
    """For an admin of rows written by the application only (a log, an import): read here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "cpts", "action", "object_repr", "health_data"]
    list_filter = ["action", "health_data"]
    search_fields = ["actor_label", "action", "object_repr"]


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnlyAdmin):
    list_display = ["job", "slot", "started_at", "duration", "outcome", "forced", "summary"]
    list_filter = ["outcome", "job", "forced"]
    search_fields = ["job", "summary", "error"]
    date_hierarchy = "started_at"

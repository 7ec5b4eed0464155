from django.contrib import admin
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from maillage.core.models import AuditEntry, BackgroundTaskResult, PeriodicRun


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


# django-tasks' results under a French name (a proxy: its own model has an English one).
admin.site.unregister(DBTaskResult)
admin.site.register(BackgroundTaskResult, DBTaskResultAdmin)

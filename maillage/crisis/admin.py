"""The crisis mission in the Django admin: read only (writes go through the actions, audited)."""

from django.contrib import admin

from maillage.crisis.models import Crisis, CrisisPlan


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Issue 17 — crise: plan, activation, home follow-up, RETEX
@admin.register(Crisis)
class CrisisAdmin(ReadOnly):
    list_display = ["title", "cpts", "kind", "starts_on", "ends_on", "declared_by", "recognised_on", "status"]
    list_filter = ["status", "declared_by", "kind"]


@admin.register(CrisisPlan)
class CrisisPlanAdmin(ReadOnly):
    list_display = ["cpts", "written_on", "updated_at"]

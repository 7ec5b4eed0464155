from django.contrib import admin

from maillage.unscheduled.models import SasConsumer


@admin.register(SasConsumer)
class SasConsumerAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_sas_key` (shown once); the admin only lists and
    deactivates them."""

    list_display = ["name", "active", "created_at", "last_used_at"]
    readonly_fields = ["name", "created_at", "last_used_at"]
    fields = ["name", "active", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

from django.contrib import admin

from maillage.core import audit
from maillage.unscheduled.models import Alternative, SasConsumer


@admin.register(SasConsumer)
class SasConsumerAdmin(admin.ModelAdmin):
    """Keys are created with `manage.py create_sas_key` (shown once). Here a client is added by its
    IGC-Santé certificate (the CN and OU the proxy's verified subject must carry), a certificate is
    set or changed, a client deactivated (the revocation); each is audited. No deletion: the client
    stays named in the log."""

    list_display = ["name", "certificate_cn", "certificate_ou", "has_key", "active", "created_at", "last_used_at"]
    readonly_fields = ["has_key", "created_at", "last_used_at"]
    fields = ["name", "certificate_cn", "certificate_ou", "has_key", "active", "created_at", "last_used_at"]

    @admin.display(description="clé d'accès", boolean=True)
    def has_key(self, obj):
        return bool(obj and obj.key_digest)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ["name", *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        certificate = {"certificate_cn": obj.certificate_cn, "certificate_ou": obj.certificate_ou}
        if not change:
            audit.record(
                "unscheduled.sas_consumer.created",
                actor=request.user,
                obj=obj,
                details={"name": obj.name, **certificate},
            )
            return
        if {"certificate_cn", "certificate_ou"} & set(form.changed_data):
            audit.record(
                "unscheduled.sas_certificate.changed",
                actor=request.user,
                obj=obj,
                details={"name": obj.name, **certificate},
            )
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

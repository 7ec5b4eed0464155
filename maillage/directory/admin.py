"""The platform admin's view of the directory: imported rows are read-only (the next import would
overwrite any edit); links between accounts and professionals are set here."""

from django.contrib import admin

from maillage.core.admin import ReadOnlyAdmin
from maillage.directory.models import ImportRun, Partner, Professional, ProfessionalAccount, Structure


@admin.register(Professional)
class ProfessionalAdmin(ReadOnlyAdmin):
    list_display = ["national_id", "last_name", "first_name", "profession_label", "active"]
    list_filter = ["active", "profession_label"]
    search_fields = ["national_id", "search_name"]


@admin.register(Structure)
class StructureAdmin(ReadOnlyAdmin):
    list_display = ["finess_et", "short_name", "category_label", "commune", "active"]
    list_filter = ["active"]
    search_fields = ["finess_et", "short_name", "long_name"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "source", "file_name", "applied", "status"]
    list_filter = ["source", "status", "applied"]


@admin.register(ProfessionalAccount)
class ProfessionalAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "professional", "linked_at"]
    autocomplete_fields = ["user", "professional"]
    search_fields = ["user__email", "professional__national_id", "professional__search_name"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "cpts", "commune"]
    list_filter = ["kind", "cpts"]
    search_fields = ["name", "siren"]
    autocomplete_fields = ["commune"]

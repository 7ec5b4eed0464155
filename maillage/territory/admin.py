from django.contrib import admin

from maillage.territory.models import Commune, Cpts


@admin.register(Cpts)
class CptsAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement", "population", "active"]
    search_fields = ["code", "search_name"]
    list_filter = ["active", "kind"]
    readonly_fields = [f.name for f in Commune._meta.fields]

    def has_add_permission(self, request):
        return False

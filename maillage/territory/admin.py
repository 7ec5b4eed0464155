from django.contrib import admin

from maillage.territory.models import Commune, Cpts

# Issue 18 — why a CPTS's slots may be missing from the SAS (see maillage/fhir/sas_search.py).
SAS_HIDDEN = "Vos créneaux ne sont pas visibles du SAS : renseignez le numéro FINESS de la CPTS."
SAS_SHOWN = "Les créneaux ouverts à la régulation sont visibles du SAS."


def sas_visibility(cpts) -> str:
    return SAS_SHOWN if cpts.exposed_to_sas else SAS_HIDDEN


@admin.register(Cpts)
class CptsAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "slug", "visible_from_sas"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["sas"]

    @admin.display(description="SAS")
    def sas(self, cpts):
        return sas_visibility(cpts)

    @admin.display(description="visible du SAS", boolean=True)
    def visible_from_sas(self, cpts):
        return cpts.exposed_to_sas


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "departement", "population", "active"]
    search_fields = ["code", "search_name"]
    list_filter = ["active", "kind"]
    readonly_fields = [f.name for f in Commune._meta.fields]

    def has_add_permission(self, request):
        return False

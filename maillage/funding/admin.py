from django.contrib import admin

from maillage.funding.models import Contract, RecognisedCrisis, RuleSet, RuleSetMaximum


class MaximumInline(admin.TabularInline):
    model = RuleSetMaximum
    extra = 0


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    # A new text is a new rule set (a new code): contracts keep the version they were signed under.
    list_display = ["code", "label", "effective_on"]
    inlines = [MaximumInline]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    # Contracts are written through the coordinator's form (validation + audit), read here only.
    list_display = ["cpts", "rule_set", "signed_on", "tier"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(RecognisedCrisis)
class RecognisedCrisisAdmin(admin.ModelAdmin):
    list_display = ["contract", "year", "description", "recognised_on"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

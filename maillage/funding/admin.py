from django.contrib import admin

from maillage.funding.models import Contract, RuleSet, RuleSetMaximum


def in_use(rule_set) -> bool:
    return rule_set is not None and rule_set.pk is not None and rule_set.contracts.exists()


class MaximumInline(admin.TabularInline):
    model = RuleSetMaximum
    extra = 0

    # The figures a signed contract was computed with stay as they were: a new text is a new rule set.
    def has_change_permission(self, request, obj=None):
        return not in_use(obj)

    def has_add_permission(self, request, obj=None):
        return not in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return not in_use(obj)


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    # A new text is a new rule set (a new code): contracts keep the version they were signed under.
    list_display = ["code", "label", "effective_on"]
    inlines = [MaximumInline]

    def get_readonly_fields(self, request, obj=None):
        return ["code", "label", "effective_on", "source"] if in_use(obj) else []


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    # Contracts are written through the coordinator's form (validation + audit), read here only.
    list_display = ["cpts", "rule_set", "signed_on", "tier"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

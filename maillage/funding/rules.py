"""The rule sets shipped with Maillage are loaded by migration 0002; `ensure_rule_sets` loads the
same rows again where a database was emptied after migrating (a test flushing its tables, a demo
on such a database). It never changes a rule set an admin added."""

from importlib import import_module

from django.apps import apps


def ensure_rule_sets() -> None:
    import_module("maillage.funding.migrations.0002_rule_sets").load(apps, None)

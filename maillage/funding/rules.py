"""The rule sets shipped with Maillage are loaded by migrations 0002 and 0005 (avenant 2 checked);
`ensure_rule_sets` loads the same rows again where a database was emptied after migrating (a test
flushing its tables, a demo on such a database). It never changes a rule set an admin added."""

from importlib import import_module

from django.apps import apps


def ensure_rule_sets() -> None:
    import_module("maillage.funding.migrations.0002_rule_sets").load(apps, None)
    import_module("maillage.funding.migrations.0005_start_payment_line").load(apps, None)

"""The database cache's table (settings.CACHES): created by `migrate`, so that a deployment needs no
extra step. `createcachetable` does nothing for a Redis/Valkey cache or when the table exists."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_periodic_run")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop, elidable=False)]

import re

from django.db import migrations, models

from maillage.core.text import normalize

BATCH = 5000
POSTAL_LINE = re.compile(r"^\d{5}\s+(.+)$")  # as models.structures.postal_parts, frozen here


def fill_search_city(apps, schema_editor):
    """The normalized town of the structures already imported (a re-import would also write it)."""
    Structure = apps.get_model("directory", "Structure")
    table = schema_editor.connection.ops.quote_name(Structure._meta.db_table)
    rows = Structure.objects.using(schema_editor.connection.alias).order_by("pk")
    last = 0
    with schema_editor.connection.cursor() as cursor:
        while batch := list(rows.filter(pk__gt=last).values_list("pk", "postal_line")[:BATCH]):
            values = ", ".join(["(%s, %s)"] * len(batch))
            towns = []
            for pk, line in batch:
                match = POSTAL_LINE.match(line.strip())
                towns += [pk, normalize(match.group(1) if match else line.strip())]
            # One statement per batch, as directory/0005 (VALUES columns are column1, column2…).
            cursor.execute(
                f"UPDATE {table} SET search_city = v.column2 FROM (VALUES {values}) AS v "  # noqa: S608
                f"WHERE {table}.id = v.column1",
                towns,
            )
            last = batch[-1][0]


def c_collation(apps, schema_editor):
    """On PostgreSQL, the two columns searched by prefix compare bytes (COLLATE "C"), as in
    directory/0005: LIKE 'prefix%' is then a range on the plain index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    Structure = apps.get_model("directory", "Structure")
    table = schema_editor.quote_name(Structure._meta.db_table)
    for column in ("postal_line", "search_city"):
        schema_editor.execute(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(250) COLLATE "C"')


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0011_professional_by_qualification"),
        ("territory", "0007_french_names"),
    ]

    operations = [
        # Filled before it is indexed: one index build rather than an index update per row.
        migrations.AddField(
            model_name="structure",
            name="search_city",
            field=models.CharField(
                default="", editable=False, max_length=250, verbose_name="commune d'acheminement (recherche)"
            ),
        ),
        migrations.RunPython(fill_search_city, migrations.RunPython.noop),
        migrations.RunPython(c_collation, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="structure",
            index=models.Index(fields=["postal_line"], name="structure_by_postal_line"),
        ),
        migrations.AddIndex(
            model_name="structure",
            index=models.Index(fields=["search_city"], name="structure_by_city"),
        ),
    ]

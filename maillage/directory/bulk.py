"""Bulk SQL for the importers: plain statements executed for many rows at once.

The ORM's bulk methods are correct but slow at the scale of a national extraction: `bulk_create`
splits wide rows into statements of a few rows on SQLite (999 parameters at most), `bulk_update`
builds one CASE per column, and preparing thousands of `__in` parameters costs more than running
the query. Table and column names come from the models, values always go as parameters.
"""

from collections.abc import Iterator

from django.db import connections, router

# Parameters per statement: SQLite before 3.32 refuses more than 999. PostgreSQL would take more,
# but answers lists of this size faster than longer ones or than `= ANY(array)`.
MAX_PARAMETERS = 900

# Values of these field types go to the database driver as they are (str, int, float, bool, None);
# the others (dates, datetimes…) are converted by the field, once per distinct value.
_NATIVE_TYPES = {
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "BooleanField", "FloatField",
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
    "AutoField", "BigAutoField",
}  # fmt: skip


def _is_native(field) -> bool:
    target = field.target_field if field.is_relation else field
    return target.get_internal_type() in _NATIVE_TYPES


def _cached_converter(field, connection):
    cache = {}

    def convert(value):
        if value is None:
            return None
        if value not in cache:
            cache[value] = field.get_db_prep_save(value, connection)
        return cache[value]

    return convert


def _parameters(model, names: list[str], connection):
    """The fields of `names`, and a function making a row (values in the order of `names`) ready
    for the driver: only the non-native positions go through a converter, since calling
    `get_db_prep_save` for each of the ~50 values of a million rows would cost more than the SQL."""
    fields = [model._meta.get_field(name) for name in names]
    converters = [(i, _cached_converter(f, connection)) for i, f in enumerate(fields) if not _is_native(f)]
    if not converters:
        return fields, list

    def parameters(row) -> list:
        values = list(row)
        for i, convert in converters:
            values[i] = convert(values[i])
        return values

    return fields, parameters


def insert_rows(model, names: list[str], rows: list) -> None:
    """Many rows (sequences of values in the order of `names`) in one go: COPY on PostgreSQL, one
    INSERT executed for all rows elsewhere. Other fields get their model default, as with the ORM."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields, parameters = _parameters(model, names, connection)
    missing = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in names]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in missing]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [*fields, *missing])
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is several times faster than even a pipelined executemany.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(parameters(row) + defaults)
        else:
            placeholders = ", ".join(["%s"] * (len(fields) + len(missing)))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
            cursor.executemany(sql, [parameters(row) + defaults for row in rows])


def update_rows(model, names: list[str], rows: list[tuple[int, list]]) -> None:
    """Rows given as (primary key, values in the order of `names`)."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields, parameters = _parameters(model, names, connection)
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    sql = f"UPDATE {table} SET {assignments} WHERE {pk} = %s"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[*parameters(values), pk_value] for pk_value, values in rows])


def _column(meta, name: str) -> str:
    return (meta.pk if name == "pk" else meta.get_field(name)).column


def select_in(model, names: list[str], where: str, values: list) -> list[tuple]:
    """Rows (tuples of `names`) whose `where` field is one of `values`."""
    connection = connections[router.db_for_read(model)]
    quote, meta = connection.ops.quote_name, model._meta
    columns = ", ".join(quote(_column(meta, name)) for name in names)
    table, column = quote(meta.db_table), quote(_column(meta, where))
    rows = []
    with connection.cursor() as cursor:
        for chunk in chunks(values, MAX_PARAMETERS):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            rows.extend(cursor.fetchall())
    return rows


def set_where_pk_in(model, values: dict, pks: list[int]) -> None:
    """The same `values` (by field name) written to every row of `pks`."""
    connection = connections[router.db_for_write(model)]
    quote, meta = connection.ops.quote_name, model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    prepared = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    with connection.cursor() as cursor:
        for chunk in chunks(pks, MAX_PARAMETERS):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} IN ({marks})", [*prepared, *chunk])  # noqa: S608


def active_pks(model) -> Iterator[int]:
    """The primary keys of the active rows, read by slices so that memory stays flat."""
    connection = connections[router.db_for_read(model)]
    quote, meta = connection.ops.quote_name, model._meta
    sql = f"SELECT {quote(meta.pk.column)} FROM {quote(meta.db_table)} WHERE {quote('active')}"  # noqa: S608
    if connection.vendor != "postgresql":
        sql += " = 1"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(10_000):
            for (pk,) in rows:
                yield pk


def lock_for_import(model) -> None:
    """On PostgreSQL, no other import may write the table until the run's transaction ends; reads,
    and the enrichment rows that point to it, go on. (SQLite already has one writer at a time.)"""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def check_constraints_per_statement(model) -> None:
    """PostgreSQL defers Django's foreign key checks to the commit: for the millions of rows of one
    import, that is a queue of millions of pending checks held in the server's memory. Checked at
    the end of each statement instead, they cost the same time and no memory."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def chunks(values: list, size: int) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]

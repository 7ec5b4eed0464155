"""Bulk SQL for the importers: plain statements executed for many rows at once.

The ORM's bulk methods are correct but slow at the scale of a national extraction: `bulk_create`
splits wide rows into statements of a few rows on SQLite (999 parameters at most), `bulk_update`
builds one CASE per column, and preparing thousands of `__in` parameters costs more than running
the query. Table and column names come from the models, values always go as parameters.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, router

from maillage.directory import background
from maillage.directory.copytext import copy_text

# Values per statement: SQLite before 3.32 refuses more than 999 parameters. PostgreSQL gets them
# as one array parameter (`= ANY(%s)`), by chunks of the same size (see `select_in`).
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


@contextmanager
def server_binding_cursor(connection):
    """A psycopg cursor sending parameters apart from the query (Django's binds them into it)."""
    import psycopg

    background.settle(connection)
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        yield cursor


class PkAllocator:
    """Primary keys for the rows a run creates, known before they are written: the run needs the
    professionals' keys for their activities, and reading them back after the COPY cost a lookup
    per row. PostgreSQL: the column's own sequence (other writers keep using it safely). SQLite:
    counted from the highest key ever given, under the write lock the run's transaction holds."""

    def __init__(self, model, top: int | None):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        quote, meta = self.connection.ops.quote_name, model._meta
        self.sequence = None
        self.next = None
        self.pool: list[int] = []
        self.block = 0
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [meta.db_table, meta.pk.column])
                self.sequence = cursor.fetchone()[0]
            else:
                given = 0
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'")
                if cursor.fetchone():
                    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [meta.db_table])
                    found = cursor.fetchone()
                    given = found[0] if found else 0
                self.next = max(top or 0, given or 0) + 1
        if self.connection.vendor == "postgresql" and not self.sequence:
            raise ValueError(f"{quote(meta.db_table)}: no sequence gives the primary keys")

    def take(self, count: int) -> list[int]:
        if not count:
            return []
        if self.sequence is None:
            start, self.next = self.next, self.next + count
            return list(range(start, self.next))
        if len(self.pool) < count:
            # Drawn ahead, by growing blocks: a query per batch would make the run wait for the
            # COPY running in the background (background.py). Keys drawn and not used are gaps,
            # as a sequence has after any rolled back insert.
            self.block = min(max(self.block * 2, count), 1 << 16)
            draw = max(self.block, count) - len(self.pool)
            with self.connection.cursor() as cursor:
                # One row back rather than thousands: the values drawn form a range, unless another
                # session drew from the sequence meanwhile (then they come as a list).
                cursor.execute(
                    "SELECT min(pk), max(pk), CASE WHEN max(pk) - min(pk) + 1 = count(*) THEN NULL "
                    "ELSE array_agg(pk ORDER BY pk) END FROM "
                    "(SELECT nextval(%s) AS pk FROM generate_series(1, %s)) AS drawn",
                    [self.sequence, draw],
                )
                low, high, scattered = cursor.fetchone()
                self.pool.extend(range(low, high + 1) if scattered is None else scattered)
        taken, self.pool = self.pool[:count], self.pool[count:]
        return taken


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
    if connection.vendor == "postgresql":
        # COPY is several times faster than even a pipelined executemany; the text built here
        # several times faster than psycopg's `write_row`, which formats value after value.
        sql = f"COPY {table} ({columns}) FROM STDIN"
        text = copy_text([*fields, *missing], rows, defaults, connection)
        copies = background.pending(connection)
        if text is not None and copies is not None:
            copies.submit(sql, text)  # run by a thread while the import goes on (background.py)
            return
        background.settle(connection)
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            if text is not None:
                copy.write(text)
            else:
                for row in rows:
                    copy.write_row(parameters(row) + defaults)
        return
    with connection.cursor() as cursor:
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
    parameters = [[*parameters(values), pk_value] for pk_value, values in rows]
    if connection.vendor == "postgresql":
        # Bound by the server: the statement is prepared once, not rebuilt in Python for each row.
        with server_binding_cursor(connection) as cursor:
            cursor.executemany(sql, parameters)
        return
    with connection.cursor() as cursor:
        cursor.executemany(sql, parameters)


def _column(meta, name: str) -> str:
    return (meta.pk if name == "pk" else meta.get_field(name)).column


def select_in(model, names: list[str], where: str, values: list) -> list[tuple]:
    """Rows (tuples of `names`) whose `where` field is one of `values`."""
    connection = connections[router.db_for_read(model)]
    quote, meta = connection.ops.quote_name, model._meta
    columns = ", ".join(quote(_column(meta, name)) for name in names)
    table, column = quote(meta.db_table), quote(_column(meta, where))
    if not values:
        return []
    rows = []
    if connection.vendor == "postgresql":
        # The values as one array parameter, bound by the server: Django's client-side binding
        # parses a query of 900 placeholders in Python, which costs more than the lookups. Still by
        # chunks, never prepared: for a longer array, or a generic plan, a table just loaded (not
        # yet analyzed) is read whole instead of through its index.
        text = all(isinstance(value, str) for value in values)
        array = "%s::text[]" if text else "%s"
        sql = f"SELECT {columns} FROM {table} WHERE {column} = ANY({array})"  # noqa: S608 (names from the model)
        with server_binding_cursor(connection) as cursor:
            for chunk in chunks(values, MAX_PARAMETERS):
                cursor.execute(sql, [_array_literal(chunk) if text else list(chunk)], prepare=False)
                rows.extend(cursor.fetchall())
        return rows
    with connection.cursor() as cursor:
        for chunk in chunks(values, MAX_PARAMETERS):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {columns} FROM {table} WHERE {column} IN ({marks})", chunk)  # noqa: S608
            rows.extend(cursor.fetchall())
    return rows


def select_rows(model, sql: str, parameters: list) -> list[tuple]:
    """The rows of one SELECT (`%s` placeholders), bound by the server on PostgreSQL."""
    connection = connections[router.db_for_read(model)]
    if connection.vendor == "postgresql":
        with server_binding_cursor(connection) as cursor:
            cursor.execute(sql, parameters, prepare=False)
            return cursor.fetchall()
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchall()


def select_int_in(model, sql: str, values: list[int]) -> list[tuple]:
    """Rows of `sql`, a SELECT whose `{in}` is completed so that a column is one of `values`
    (integers): `= ANY(array)` on PostgreSQL, `IN (…)` by chunks elsewhere. Integers only, so
    that the array goes as one text parameter, built by a C-level join."""
    connection = connections[router.db_for_read(model)]
    if not values:
        return []
    rows = []
    if connection.vendor == "postgresql":
        statement = sql.replace("{in}", "= ANY(%s::bigint[])")
        with server_binding_cursor(connection) as cursor:
            for chunk in chunks(values, 10_000):
                cursor.execute(statement, ["{" + ",".join(map(str, chunk)) + "}"], prepare=False)
                rows.extend(cursor.fetchall())
        return rows
    with connection.cursor() as cursor:
        for chunk in chunks(values, MAX_PARAMETERS):
            cursor.execute(sql.replace("{in}", f"IN ({', '.join(['%s'] * len(chunk))})"), chunk)
            rows.extend(cursor.fetchall())
    return rows


def _array_literal(values: list[str]) -> str:
    """Strings as the text of a PostgreSQL array, built by a C-level join: psycopg would dump a
    list value by value, in Python."""
    joined = '","'.join(values)
    if joined.count('"') != 2 * (len(values) - 1) or "\\" in joined:  # quotes or backslashes to escape
        joined = '","'.join(value.replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return '{"' + joined + '"}'


def set_where_pk_in(model, values: dict, pks: list[int]) -> None:
    """The same `values` (by field name) written to every row of `pks`."""
    set_where_in(model, values, "pk", pks)


def set_where_in(model, values: dict, where: str, keys: list) -> None:
    """The same `values` (by field name) written to every row whose `where` field is one of `keys`."""
    connection = connections[router.db_for_write(model)]
    quote, meta = connection.ops.quote_name, model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    prepared = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    table, column = quote(meta.db_table), quote(_column(meta, where))
    if connection.vendor == "postgresql":
        with server_binding_cursor(connection) as cursor:
            for chunk in chunks(keys, 50_000):
                sql = f"UPDATE {table} SET {assignments} WHERE {column} = ANY(%s)"  # noqa: S608
                cursor.execute(sql, [*prepared, list(chunk)], prepare=False)
        return
    with connection.cursor() as cursor:
        for chunk in chunks(keys, MAX_PARAMETERS):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE {column} IN ({marks})", [*prepared, *chunk])  # noqa: S608


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


def active_pks_in_ranges(model, ranges: list[tuple[int, int]]) -> list[int]:
    """The primary keys of the active rows within the (first, last) `ranges` of keys, in order."""
    connection = connections[router.db_for_read(model)]
    quote, meta = connection.ops.quote_name, model._meta
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    found: list[int] = []
    if not ranges:
        return found
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT t.{pk} FROM unnest(%s::bigint[], %s::bigint[]) AS r(first, last) "  # noqa: S608
            f"JOIN {table} t ON t.{pk} BETWEEN r.first AND r.last WHERE t.{quote('active')} ORDER BY 1"
        )
        firsts = "{" + ",".join(str(first) for first, _ in ranges) + "}"
        lasts = "{" + ",".join(str(last) for _, last in ranges) + "}"
        with server_binding_cursor(connection) as cursor:
            cursor.execute(sql, [firsts, lasts], prepare=False)
            return [pk for (pk,) in cursor.fetchall()]
    with connection.cursor() as cursor:
        for chunk in chunks(ranges, MAX_PARAMETERS // 2):
            where = " OR ".join([f"{pk} BETWEEN %s AND %s"] * len(chunk))
            sql = f"SELECT {pk} FROM {table} WHERE {quote('active')} AND ({where}) ORDER BY 1"  # noqa: S608
            cursor.execute(sql, [bound for pair in chunk for bound in pair])
            found.extend(pk for (pk,) in cursor.fetchall())
    return found


def lock_for_import(model) -> None:
    """On PostgreSQL, no other import may write the table until the run's transaction ends; reads,
    and the enrichment rows that point to it, go on. (SQLite already has one writer at a time.)"""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")


def suspend_indexes(model) -> list[str]:
    """On SQLite, drops the secondary indexes of a table the run found empty (a first load) and
    returns the statements that build them again, to run once the table is loaded: building an
    index from the loaded rows is much faster than updating it for each of them. Unique indexes
    stay: they check the natural keys and answer the lookups. Inside the run's transaction, like
    the rest: a dry run or a failure brings the indexes back; readers (WAL) go on reading the
    state before the run.

    Not on PostgreSQL: there DROP INDEX (and dropping a foreign key, which also locks the table
    it points to: the communes) takes an ACCESS EXCLUSIVE lock held until the run commits, so
    every page reading the directory or the communes would wait for the whole first load —
    minutes for a national file. The indexes and keys stay and are filled row by row, which costs
    about a tenth more time (bench/import_lock_wait.py, bench/rpps_import.py); the run then
    takes no lock that stops a reader (`lock_for_import` only stops other writers)."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite":
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list(%s) i ON i.name = m.name "
            "WHERE m.type = 'index' AND NOT i.\"unique\" AND i.origin = 'c' AND m.sql IS NOT NULL ORDER BY 1",
            [table],
        )
        indexes = [(connection.ops.quote_name(name), sql) for name, sql in cursor.fetchall()]
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def rebuild_indexes(model, definitions: list[str]) -> None:
    connection = connections[router.db_for_write(model)]
    with connection.cursor() as cursor:
        for definition in definitions:
            cursor.execute(definition)


def analyze(model) -> None:
    """PostgreSQL: statistics of a table just loaded (a sample, quick; readers and writers go on).
    Until autovacuum takes them, the planner would guess, and the next run's lookups may read the
    whole table."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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

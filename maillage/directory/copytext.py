"""Rows in the text format of PostgreSQL's COPY, built a batch at a time with C-level loops.

psycopg's `Copy.write_row` formats value after value in Python: for the million rows of a national
load it costs more than the server's own work. Here the batch is turned into columns, each column
converted at once (most are text already), joined back into lines, and checked once.
"""

# COPY's text format: columns separated by tabs, rows by line ends, NULL written `\N`. A batch with a
# value holding a backslash, a tab or a line end (which would need escaping) goes by `write_row`.
_NULL = "\\N"
_TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}
_INTEGER_TYPES = {
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "AutoField", "BigAutoField", "SmallAutoField",
}  # fmt: skip


def _copy_converter(field, connection):
    """The function giving the COPY text of a (non-null) value of `field`; None for the text fields,
    whose values are written as they are; False for a type this module does not format."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    if kind in _TEXT_TYPES:
        return None
    if kind in _INTEGER_TYPES:
        return str
    if kind == "BooleanField":
        return {True: "t", False: "f"}.__getitem__
    if kind == "FloatField":
        return str  # for a float, the shortest text that reads back as the same value
    if kind in ("DateTimeField", "DateField"):
        return lambda value: field.get_db_prep_save(value, connection).isoformat()
    return False


def _text_column(values: tuple, convert) -> tuple[list, int]:
    """One column's values as COPY text, and how many are null."""
    nulls = values.count(None)
    if convert is None:
        return [_NULL if value is None else value for value in values] if nulls else values, nulls
    if convert is str and not nulls:
        return list(map(str, values)), 0
    # Few distinct values (the run's timestamps, booleans): each converted once.
    text = {value: _NULL if value is None else convert(value) for value in set(values)}
    return list(map(text.__getitem__, values)), nulls


def copy_text(fields, rows: list, defaults: list, connection) -> str | None:
    """`rows` (values of the first fields) followed by `defaults` (values of the last ones, the same
    for every row) in COPY's text format; None when a value is of a type not handled here or would
    need escaping. Built column by column with C-level loops, checked once for the whole batch."""
    converters = [_copy_converter(f, connection) for f in fields]
    if any(convert is False for convert in converters):
        return None
    try:
        columns = [*zip(*rows, strict=True), *((value,) * len(rows) for value in defaults)]
        if len(columns) != len(fields):
            return None
        nulls = 0
        for i, (field, convert) in enumerate(zip(fields, converters, strict=True)):
            if convert is not None or field.null:
                columns[i], count = _text_column(columns[i], convert)
                nulls += count
        text = "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"
    except (TypeError, ValueError):  # a value that is not text in a text column, a row too short
        return None
    clean = (
        text.count("\\") == nulls
        and "\r" not in text
        and text.count("\n") == len(rows)
        and text.count("\t") == len(rows) * (len(fields) - 1)
    )
    return text if clean else None

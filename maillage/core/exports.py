"""Spreadsheet files carry data, never formulas (OWASP "CSV injection").

A spreadsheet reads a cell whose text begins with « = », « + », « - », « @ », a tab or a carriage
return as a formula: a CPTS name, a partner's name or a national-file field typed as
`=HYPERLINK(…)` would run on the computer of whoever opens the file (the ARS, a coordinator).
Every CSV and XLSX writer of Maillage passes its rows through this module:

- CSV: such a text gets a leading single quote (the OWASP recommendation; Excel hides it);
- XLSX: such a text is stored as a string cell, so the text stays intact and nothing is computed.

Only text is touched: a number stays a number, a negative one included.
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_value(value):
    if value is None:
        return ""
    return "'" + value if looks_like_formula(value) else value


def csv_row(row) -> list:
    return [csv_value(value) for value in row]


def xlsx_value(sheet, value):
    """What to append for `value` on `sheet` (write-only or not): a text cell where openpyxl would
    otherwise store a formula."""
    if not looks_like_formula(value):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # after the value: setting the value guesses the type again
    return cell


def xlsx_row(sheet, row) -> list:
    return [xlsx_value(sheet, value) for value in row]

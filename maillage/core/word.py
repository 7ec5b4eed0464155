"""What the Word documents Maillage writes (python-docx) share: a table with a bold header row."""

from collections.abc import Callable, Sequence


def add_table(document, header: Sequence[str], rows, *, text: Callable = str, spaced: bool = True) -> None:
    """A gridded table: the header in bold, then each row's values as `text` writes them; an empty
    paragraph after it unless `spaced` is false."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, header, strict=True):
        cell.text = title
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, value in zip(table.add_row().cells, row, strict=True):
            cell.text = text(value)
    if spaced:
        document.add_paragraph()

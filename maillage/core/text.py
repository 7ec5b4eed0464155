"""Normalisation of French names for accent- and case-insensitive search."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s'’\-_/.,()]+")
_SAINT = re.compile(r"\b(ste?)\b")


class _WithoutMarks(dict):
    """A `str.translate` table deleting combining marks, filled as characters are met: a C-level
    loop instead of a Python test per character (the RPPS import normalizes a million names)."""

    def __missing__(self, code: int):
        self[code] = None if unicodedata.combining(chr(code)) else code
        return self[code]


_WITHOUT_MARKS = _WithoutMarks()


def normalize(text: str) -> str:
    """'Saint-Étienne-du-Rouvray' and 'st etienne du rouvray' both give 'saint etienne du rouvray'."""
    text = text or ""
    if text.isascii():  # nothing to decompose nor to drop
        ascii_only = text.lower()
    else:
        ascii_only = unicodedata.normalize("NFKD", text).translate(_WITHOUT_MARKS).lower()
        ascii_only = ascii_only.replace("œ", "oe").replace("æ", "ae")
    spaced = _SEPARATORS.sub(" ", ascii_only).strip()
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", spaced)

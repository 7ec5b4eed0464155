"""Normalisation of French names for accent- and case-insensitive search."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s'’\-_/.,()]+")
_SAINT = re.compile(r"\b(ste?)\b")


def normalize(text: str) -> str:
    """'Saint-Étienne-du-Rouvray' and 'st etienne du rouvray' both give 'saint etienne du rouvray'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    ascii_only = ascii_only.replace("œ", "oe").replace("æ", "ae")
    spaced = _SEPARATORS.sub(" ", ascii_only).strip()
    return _SAINT.sub(lambda m: "saint" if m.group(1) == "st" else "sainte", spaced)

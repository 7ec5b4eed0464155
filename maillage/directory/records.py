"""What an import compares: records read from the source, rows found in the table, counts.

Kept light: a national import makes a million of each.
"""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

SAMPLES = 5


def fingerprint(values: Iterable[str]) -> str:
    """Digest of strings (the hot path: one C-level join). `None` is not accepted: pass ""."""
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class Record:
    """One row as the source describes it, kept light: a million of them go through an import.

    `values` holds the source fields as parsed (a tuple); the importer turns a record into the full
    row of model fields only for the rows it writes, and into a label only for the few it shows.
    """

    key: str
    values: tuple
    hash: str
    line: int
    extra: dict | None = None  # derived values: resolved commune, parent's pk…
    context: object = None  # what a label needs beyond the values (an activity's professional)
    line_hash: int | None = None  # fingerprint of the raw line it was read from (RPPS: `line_fingerprint`)


class Existing(NamedTuple):  # a tuple: one is made per line of a re-import
    pk: int
    hash: str
    active: bool
    seen: bool  # already met earlier in this same run
    line_hash: int | None = None  # the stored fingerprint of the line the row was last read from


@dataclass
class Tally:
    """Counts and a few examples of each kind of change, for one kind of row."""

    code: str  # key in ImportRun.counts: "professionals"
    noun: str  # plural, French, as the summary shows it: « professionnels »
    feminine: bool = False
    show_gone: bool = True
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    gone: int = 0
    before: int = 0  # active rows when the run started (the share `gone` is checked against)
    changed_fields: Counter = field(default_factory=Counter)
    samples: dict = field(default_factory=lambda: {"new": [], "changed": [], "gone": []})

    def sample(self, kind: str, text: str) -> None:
        if len(self.samples[kind]) < SAMPLES:
            self.samples[kind].append(text)

    def as_dict(self) -> dict:
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged, "gone": self.gone}

    @property
    def touched(self) -> int:
        return self.new + self.changed + self.gone

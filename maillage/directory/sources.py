"""Reading a national extraction: sniffing, decoding, line by line, never the whole file at once.

Whole-file problems (empty, binary, compressed, unreadable) raise `SourceError` with a French
message before anything is written. Line-level problems are `Issue`s, written to the report.
"""

import codecs
import csv
import hashlib
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.core.management.base import OutputWrapper

from maillage.core.exports import csv_row

SAMPLE_BYTES = 64 * 1024
EXCERPT_CHARS = 200
# A text extraction has no control characters besides tab and line ends; a few stray ones are
# tolerated (they are rejected with their line), more means the file is not text.
MAX_CONTROL_SHARE = 0.01
_ARCHIVES = {b"PK\x03\x04": "ZIP", b"\x1f\x8b": "gzip", b"7z\xbc\xaf": "7-Zip", b"Rar!": "RAR"}
_CONTROL_BYTES = frozenset(range(32)) - {9, 10, 12, 13} | {127}


class SourceError(Exception):
    """The file cannot be imported at all; the message tells the user what to do."""


class Line(NamedTuple):  # a tuple: one is made per line of the file
    number: int
    text: str
    complete: bool  # False for a last line without its end of line: a truncated download


@dataclass
class Issue:
    line: int
    kind: str  # short French category, counted in the summary: « commune inconnue »
    detail: str  # full French explanation, written to the report
    excerpt: str = ""
    warning: bool = False  # a warning keeps the line; a rejection drops it


def excerpt(text: str) -> str:
    text = text.replace("\x00", "")
    return text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "…"


def binary_issue(line: Line) -> Issue | None:
    """A line with NUL bytes (a damaged file): no database stores them in text, PostgreSQL refuses."""
    if "\x00" in line.text:
        return Issue(
            line.number,
            "caractères binaires",
            "ligne illisible : octets nuls (fichier endommagé ?)",
            excerpt(line.text),
        )
    return None


class SourceFile:
    """A file opened for import: encoding chosen from a sample, SHA-256 computed while reading."""

    def __init__(self, path):
        self.path = Path(path)
        if not self.path.exists():
            raise SourceError(f"Fichier introuvable : {self.path}.")
        if not self.path.is_file():
            raise SourceError(f"{self.path} n'est pas un fichier.")
        try:
            self.size = self.path.stat().st_size
            with self.path.open("rb") as handle:
                sample = handle.read(SAMPLE_BYTES)
        except OSError as exc:
            raise SourceError(f"Lecture impossible de {self.path} : {exc.strerror}.") from exc
        if self.size == 0:
            raise SourceError(f"Le fichier {self.path.name} est vide : aucune ligne à importer.")
        _refuse_non_text(self.path.name, sample)
        self.encoding = _guess_encoding(sample)
        self.bytes_read = 0
        self.fallback_lines = 0  # lines of a UTF-8 file that only cp1252 could decode
        self.last_line: Line | None = None  # the last non-blank line, once read
        self._sha256 = hashlib.sha256()

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    @property
    def encoding_label(self) -> str:
        return "UTF-8" if self.encoding == "utf-8" else "Windows-1252 (Latin-1)"

    def lines(self) -> Iterator[Line]:
        """Non-blank lines, numbered from 1 as an editor shows them, BOM and CR/LF removed."""
        number = 0
        digest = self._sha256.update
        line = None
        with self.path.open("rb") as handle:
            for raw in handle:
                number += 1
                self.bytes_read += len(raw)
                digest(raw)
                complete = raw.endswith(b"\n")
                raw = raw.rstrip(b"\r\n")
                if number == 1 and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                if not raw or raw.isspace():  # blank (isspace, unlike strip, copies nothing)
                    continue
                line = Line(number, self._decode(raw), complete)
                yield line
        self.last_line = line  # read to the end: what `safeguard` checks for a cut file

    def _decode(self, raw: bytes) -> str:
        if self.encoding == "utf-8":
            try:
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                # The sample was valid UTF-8 but this line is not: a Latin-1 line in a UTF-8 file,
                # or a Latin-1 file whose first accents come late. Either way cp1252 reads it.
                self.fallback_lines += 1
        return decode_legacy(raw)


def decode_legacy(raw: bytes) -> str:
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # the five bytes cp1252 leaves undefined


def _refuse_non_text(name: str, sample: bytes) -> None:
    for magic, kind in _ARCHIVES.items():
        if sample.startswith(magic):
            raise SourceError(
                f"{name} est une archive {kind}, pas un fichier texte : extrayez-en d'abord le fichier "
                "de données (.txt ou .csv) puis importez celui-ci."
            )
    if b"\x00" in sample:
        raise SourceError(
            f"{name} n'est pas un fichier texte (octets nuls) : fichier binaire, corrompu ou encodé en "
            "UTF-16. Téléchargez de nouveau l'extraction."
        )
    controls = sum(1 for byte in sample if byte in _CONTROL_BYTES)
    if controls > MAX_CONTROL_SHARE * len(sample):
        raise SourceError(
            f"{name} n'est pas un fichier texte lisible (caractères de contrôle) : fichier binaire ou "
            "corrompu. Téléchargez de nouveau l'extraction."
        )


def _guess_encoding(sample: bytes) -> str:
    # Incremental: the sample may end in the middle of a multi-byte character.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def split_csv_line(text: str, delimiter: str) -> list[str]:
    """Fields of one line; the csv module only when quotes make it necessary (it is slower)."""
    if '"' not in text:
        return text.split(delimiter)
    return next(csv.reader([text], delimiter=delimiter))


# --- Report of rejected lines --------------------------------------------------------------------


class Report:
    """Rejected lines and warnings, written as they come (CSV, `;`, UTF-8 with BOM for spreadsheets).

    The file is only created when there is something to write in it.
    """

    HEADER = ["ligne", "nature", "motif", "extrait"]

    def __init__(self, path: Path, *, explicit: bool = False):
        self.path = Path(path)
        self.explicit = explicit
        self.rejected = Counter()
        self.warnings = Counter()
        self.last_rejected: tuple[int, str] = (0, "")  # (line, kind) of the last line rejected
        self._handle = None
        self._writer = None

    @classmethod
    def next_to(cls, source: Path, explicit: str | None) -> "Report":
        if explicit:
            path = Path(explicit)
            folder = path.parent
            if not folder.is_dir() or not os.access(folder, os.W_OK) or path.is_dir():
                raise SourceError(f"Impossible d'écrire le rapport {path} : dossier absent ou protégé en écriture.")
            return cls(path, explicit=True)
        return cls(source.parent / f"{source.name}.rejets.csv")

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def warnings_total(self) -> int:
        return sum(self.warnings.values())

    @property
    def written(self) -> bool:
        return self._handle is not None

    def add(self, issue: Issue) -> None:
        (self.warnings if issue.warning else self.rejected)[issue.kind] += 1
        if not issue.warning and issue.line >= self.last_rejected[0]:
            self.last_rejected = (issue.line, issue.kind)
        if self._writer is None:
            self._open()
        nature = "avertissement" if issue.warning else "rejet"
        self._writer.writerow(csv_row([issue.line, nature, issue.detail, issue.excerpt]))

    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
        except OSError:
            if self.explicit:
                raise
            # The extraction's folder may be read-only for this process: the var folder then.
            self.path = Path(settings.VAR_DIR) / "imports" / self.path.name
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._handle, delimiter=";")
        self._writer.writerow(self.HEADER)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()


# --- Progress ------------------------------------------------------------------------------------


@dataclass
class Progress:
    """A `\\r` line refreshed in place on a terminal; a plain line now and then in a log."""

    stream: object = None
    total_bytes: int = 0
    interactive: bool | None = None
    every_seconds: float = 0.5
    log_every_seconds: float = 30.0
    started: float = field(default_factory=time.monotonic)
    _last: float = 0.0

    def __post_init__(self):
        if self.stream is None:
            self.stream = sys.stdout
        if self.interactive is None:
            isatty = getattr(self.stream, "isatty", None)
            self.interactive = bool(isatty and isatty())
        self._last = self.started

    def update(self, lines: int, bytes_read: int, *, final: bool = False) -> None:
        now = time.monotonic()
        interval = self.every_seconds if self.interactive else self.log_every_seconds
        if not final and now - self._last < interval:
            return
        if final and not self.interactive and now - self.started < self.log_every_seconds:
            return  # a short run needs no progress line in a log
        self._last = now
        elapsed = max(now - self.started, 1e-6)
        share = f"{100 * bytes_read / self.total_bytes:5.1f} % · " if self.total_bytes else ""
        text = f"{share}{lines:,} lignes · {lines / elapsed:,.0f} lignes/s".replace(",", " ")
        if self.interactive:
            self._emit(f"\r  {text}" + ("\n" if final else ""))
            self.stream.flush()
        else:
            self._emit(f"  {text}\n")

    def _emit(self, text: str) -> None:
        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")  # a command's stdout adds its own line ends otherwise
        else:
            self.stream.write(text)

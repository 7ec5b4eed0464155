"""What an uploaded document may be: a few office (and image) formats, each checked by its content
— a renamed executable is refused — under a size limit. The milestone documents, the liaison
logs' files, the assemblies' documents and the association's library each accept their own set
(`Formats`)."""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

# extension → media type served back
MEDIA = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The first bytes of a genuine file of that format.
_MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
# The part every genuine Office Open XML archive of that format holds (OpenDocument archives say
# their media type in their `mimetype` entry instead).
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}


def clean_name(name: str) -> str:
    """The file's own name, without any directory a browser may send."""
    return PurePath((name or "").replace("\\", "/")).name[-200:]


def media_type(name: str) -> str:
    return MEDIA.get(PurePath(name).suffix.lower(), "application/octet-stream")


def content_matches(upload, suffix: str) -> bool:
    """Whether the file's content is of the format its extension says."""
    upload.seek(0)
    try:
        if suffix in _MAGIC:
            return upload.read(len(_MAGIC[suffix])) == _MAGIC[suffix]
        try:
            with zipfile.ZipFile(upload) as archive:
                if suffix in _OOXML_PART:
                    return _OOXML_PART[suffix] in archive.namelist()
                return "mimetype" in archive.namelist() and archive.read("mimetype").strip() == MEDIA[suffix].encode()
        except (zipfile.BadZipFile, OSError, KeyError):
            return False
    finally:
        upload.seek(0)


@dataclass(frozen=True)
class Formats:
    suffixes: frozenset[str]
    label: str  # « PDF, DOCX… » as the forms say it
    max_bytes: Callable[[], int]

    def problems(self, upload) -> list[str]:
        """The French reasons `upload` (a Django UploadedFile) is refused; empty when it is accepted."""
        name = clean_name(getattr(upload, "name", ""))
        suffix = PurePath(name).suffix.lower()
        if suffix not in self.suffixes:
            return [f"Le fichier « {name} » n'est pas d'un format accepté ({self.label})."]
        if upload.size == 0:
            return [f"Le fichier « {name} » est vide."]
        if upload.size > self.max_bytes():
            return [f"Le fichier « {name} » dépasse la taille maximale de {self.max_bytes() // (1024 * 1024)} Mo."]
        if not content_matches(upload, suffix):
            return [f"Le contenu du fichier « {name} » ne correspond pas à son extension {suffix}."]
        return []

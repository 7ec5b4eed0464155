"""What a milestone document may be: a few office and image formats, checked by their content
(a renamed executable is refused), under a size limit."""

import zipfile
from pathlib import PurePath

from django.conf import settings

# extension → (media type served back, check of the first bytes or of the archive)
FORMATS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
ACCEPTED_LABEL = "PDF, DOCX, ODT, XLSX, PNG ou JPEG"
_MAGIC = {".pdf": b"%PDF-", ".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
# The part every genuine archive of that format holds.
_ZIP_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".odt": "mimetype"}


def max_bytes() -> int:
    return settings.LIFECYCLE_DOCUMENT_MAX_BYTES


def clean_name(name: str) -> str:
    """The file's own name, without any directory a browser may send."""
    return PurePath((name or "").replace("\\", "/")).name[-200:]


def media_type(name: str) -> str:
    return FORMATS.get(PurePath(name).suffix.lower(), "application/octet-stream")


def problems(upload) -> list[str]:
    """The French reasons `upload` (a Django UploadedFile) is refused; empty when it is accepted."""
    name = clean_name(getattr(upload, "name", ""))
    suffix = PurePath(name).suffix.lower()
    if suffix not in FORMATS:
        return [f"Le fichier « {name} » n'est pas d'un format accepté ({ACCEPTED_LABEL})."]
    if upload.size == 0:
        return [f"Le fichier « {name} » est vide."]
    if upload.size > max_bytes():
        limit = max_bytes() // (1024 * 1024)
        return [f"Le fichier « {name} » dépasse la taille maximale de {limit} Mo."]
    if not _content_matches(upload, suffix):
        return [f"Le contenu du fichier « {name} » ne correspond pas à son extension {suffix}."]
    return []


def _content_matches(upload, suffix: str) -> bool:
    upload.seek(0)
    try:
        if suffix in _MAGIC:
            return upload.read(len(_MAGIC[suffix])) == _MAGIC[suffix]
        try:
            with zipfile.ZipFile(upload) as archive:
                if _ZIP_PART[suffix] not in archive.namelist():
                    return False
                if suffix == ".odt":
                    return archive.read("mimetype").strip() == FORMATS[".odt"].encode()
                return True
        except zipfile.BadZipFile:
            return False
    finally:
        upload.seek(0)

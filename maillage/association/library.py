"""The document library: what a file may be (a few office formats, checked by their content, under
a size limit) and who may read a folder.

- public: anyone, from the CPTS's public page;
- members: the coordination, and the voting members (current or grace) through their space;
- board: the coordination, and the members holding a board mandate today
  (`maillage.association.access.is_board_member`).
Anyone else gets a 404 for the folder's documents, as for another CPTS's object."""

import zipfile
from pathlib import PurePath

from django.conf import settings

from maillage.accounts.policy import READ, Area, may
from maillage.association import access
from maillage.association.models import Folder

FORMATS = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
}
ACCEPTED_LABEL = "PDF, DOCX, ODT, XLSX, ODS, PPTX ou ODP"
_OOXML_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml", ".pptx": "ppt/presentation.xml"}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # as the lifecycle documents (LIFECYCLE_DOCUMENT_MAX_BYTES)


def max_bytes() -> int:
    return getattr(settings, "ASSOCIATION_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES)


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
        return [f"Le fichier « {name} » dépasse la taille maximale de {max_bytes() // (1024 * 1024)} Mo."]
    if not _content_matches(upload, suffix):
        return [f"Le contenu du fichier « {name} » ne correspond pas à son extension {suffix}."]
    return []


def _content_matches(upload, suffix: str) -> bool:
    upload.seek(0)
    try:
        if suffix == ".pdf":
            return upload.read(5) == b"%PDF-"
        try:
            with zipfile.ZipFile(upload) as archive:
                if suffix in _OOXML_PART:
                    return _OOXML_PART[suffix] in archive.namelist()
                return "mimetype" in archive.namelist() and archive.read("mimetype").strip() == FORMATS[suffix].encode()
        except (zipfile.BadZipFile, OSError, KeyError):
            return False
    finally:
        upload.seek(0)


def readable_accesses(user, cpts) -> set[str]:
    """The folder accesses whose documents `user` may read in `cpts`."""
    if not getattr(user, "is_authenticated", False):
        return {Folder.Access.PUBLIC}
    if may(user, Area.ASSOCIATION, READ, cpts):
        return set(Folder.Access.values)
    member = access.member_of(user, cpts)
    if member is None or not member.votes:
        return {Folder.Access.PUBLIC}
    found = {Folder.Access.PUBLIC, Folder.Access.MEMBERS}
    if access.is_board_member(member):
        found.add(Folder.Access.BOARD)
    return found


def readable_folders(user, cpts):
    return Folder.objects.filter(cpts=cpts, access__in=readable_accesses(user, cpts))

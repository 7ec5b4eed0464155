"""The document library: what a file may be (a few office formats, checked by their content, under
a size limit) and who may read a folder.

- public: anyone, from the CPTS's public page;
- members: the coordination, and the voting members (current or grace) through their space;
- board: the coordination, and the members holding a board mandate today
  (`maillage.association.access.is_board_member`).
Anyone else gets a 404 for the folder's documents, as for another CPTS's object."""

from django.conf import settings

from maillage.accounts.policy import READ, Area, may
from maillage.association import access
from maillage.association.models import Folder
from maillage.core.uploads import MEDIA, Formats, clean_name, media_type

__all__ = ["ACCEPTED_LABEL", "FORMATS", "clean_name", "max_bytes", "media_type", "problems", "readable_folders"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024  # as the lifecycle documents (LIFECYCLE_DOCUMENT_MAX_BYTES)
ACCEPTED = Formats(
    suffixes=frozenset({".pdf", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"}),
    label="PDF, DOCX, ODT, XLSX, ODS, PPTX ou ODP",
    max_bytes=lambda: getattr(settings, "ASSOCIATION_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES),
)
FORMATS = {suffix: MEDIA[suffix] for suffix in sorted(ACCEPTED.suffixes)}
ACCEPTED_LABEL = ACCEPTED.label
max_bytes = ACCEPTED.max_bytes
problems = ACCEPTED.problems


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

"""What a protocol's file may be: a document format checked by its content, under a size limit
(as the association's library, maillage/core/uploads.py)."""

from django.conf import settings

from maillage.core.uploads import Formats, clean_name, media_type

__all__ = ["ACCEPTED", "clean_name", "media_type"]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
ACCEPTED = Formats(
    suffixes=frozenset({".pdf", ".docx", ".odt"}),
    label="PDF, DOCX ou ODT",
    max_bytes=lambda: getattr(settings, "QUALITY_PROTOCOL_MAX_BYTES", DEFAULT_MAX_BYTES),
)

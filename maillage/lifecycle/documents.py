"""What a milestone document may be: a few office and image formats, checked by their content
(a renamed executable is refused), under a size limit."""

from django.conf import settings

from maillage.core.uploads import MEDIA, Formats, clean_name, media_type

__all__ = ["ACCEPTED_LABEL", "FORMATS", "clean_name", "max_bytes", "media_type", "problems"]

ACCEPTED = Formats(
    suffixes=frozenset({".pdf", ".docx", ".xlsx", ".odt", ".png", ".jpg", ".jpeg"}),
    label="PDF, DOCX, ODT, XLSX, PNG ou JPEG",
    max_bytes=lambda: settings.LIFECYCLE_DOCUMENT_MAX_BYTES,
)
FORMATS = {suffix: MEDIA[suffix] for suffix in sorted(ACCEPTED.suffixes)}
ACCEPTED_LABEL = ACCEPTED.label
max_bytes = ACCEPTED.max_bytes
problems = ACCEPTED.problems

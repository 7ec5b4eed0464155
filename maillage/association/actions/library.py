"""Writes of the document library: a folder created (its name and who reads it), a document
uploaded into it or deleted, a document opened (downloads of non-public documents are audited).
A refusal raises `AssociationError` with a French message; nothing is half-saved (a file written
for a row that rolled back is deleted)."""

from django.db import IntegrityError, transaction

from maillage.association import library
from maillage.association.actions import AssociationError, require
from maillage.association.models import Folder, LibraryDocument
from maillage.core import audit

NAME_MAX, TITLE_MAX = 120, 200


def create_folder(cpts, name: str, access: str, actor) -> Folder:
    name = (name or "").strip()
    require(name, "Indiquez le nom du dossier.")
    require(len(name) <= NAME_MAX, f"Le nom du dossier est trop long ({NAME_MAX} caractères au plus).")
    require(access in Folder.Access.values, "Choisissez qui peut lire le dossier.")
    require(
        not Folder.objects.filter(cpts=cpts, name__iexact=name).exists(),
        f"Un dossier « {name} » existe déjà.",
    )
    try:
        with transaction.atomic():
            folder = Folder.objects.create(cpts=cpts, name=name, access=access)
            audit.record("association.folder.created", actor=actor, cpts=cpts, obj=folder, details={"lecture": access})
    except IntegrityError as exc:
        raise AssociationError(f"Un dossier « {name} » existe déjà.") from exc
    return folder


def change_folder_access(folder: Folder, access: str, actor) -> Folder:
    require(access in Folder.Access.values, "Choisissez qui peut lire le dossier.")
    with transaction.atomic():
        folder = Folder.objects.select_for_update().get(pk=folder.pk)
        before = folder.access
        folder.access = access
        folder.save(update_fields=["access"])
        audit.record(
            "association.folder.access_changed",
            actor=actor,
            cpts=folder.cpts,
            obj=folder,
            details={"avant": before, "lecture": access},
        )
    return folder


def upload(folder: Folder, title: str, upload_file, actor) -> LibraryDocument:
    require(upload_file is not None, "Choisissez un fichier à déposer.")
    errors = library.problems(upload_file)
    if errors:
        raise AssociationError(" ".join(errors))
    name = library.clean_name(upload_file.name)
    title = (title or "").strip() or name
    require(len(title) <= TITLE_MAX, f"Le titre est trop long ({TITLE_MAX} caractères au plus).")
    document = None
    try:
        with transaction.atomic():
            document = LibraryDocument(
                cpts=folder.cpts,
                folder=folder,
                title=title,
                name=name,
                size=upload_file.size,
                uploaded_by=audit.user_or_none(actor),
            )
            document.file.save(name, upload_file, save=False)
            document.save()
            audit.record(
                "association.document.uploaded",
                actor=actor,
                cpts=folder.cpts,
                obj=document,
                details={"dossier": folder.name, "fichier": name, "taille": upload_file.size},
            )
    except Exception:
        # The row rolled back: the file written for it must not stay behind on disk.
        if document is not None and document.file.name:
            document.file.storage.delete(document.file.name)
        raise
    return document


def delete(document: LibraryDocument, actor) -> None:
    stored = document.file.name
    storage = document.file.storage
    with transaction.atomic():
        audit.record(
            "association.document.deleted",
            actor=actor,
            cpts=document.cpts,
            obj=document,
            details={"dossier": document.folder.name, "fichier": document.name},
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(stored))


def open_document(document: LibraryDocument, actor) -> bytes:
    """The file's bytes (10 MB at most); a download of a non-public document is audited. Raises
    FileNotFoundError when the file is missing on disk (nothing is logged then)."""
    with document.file.open("rb") as handle:
        body = handle.read()
    if document.folder.access != Folder.Access.PUBLIC:
        with transaction.atomic():
            audit.record(
                "association.document.downloaded",
                actor=actor,
                cpts=document.cpts,
                obj=document,
                details={"dossier": document.folder.name, "fichier": document.name},
            )
    return body

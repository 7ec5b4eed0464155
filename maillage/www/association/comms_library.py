"""The association's document library (issue 16, item 5) and the association's public page.

The coordination creates folders, says who reads each (public, members, board), uploads and deletes
documents; members read their folders in their space; public folders and public events show on
`/cpts/<slug>/association/`. A document is served only to someone who may read its folder, with
its own name in Content-Disposition; anyone else gets a 404 (maillage/association/library.py)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from maillage.association import library
from maillage.association.actions import AssociationError
from maillage.association.actions import library as actions
from maillage.association.models import Event, Folder, LibraryDocument
from maillage.territory.models import Cpts
from maillage.www.association.comms import _space_member
from maillage.www.feedback import form_errors
from maillage.www.scoping import WRITE, Area, cpts_for


class FolderForm(forms.Form):
    name = forms.CharField(label="Nom du dossier", max_length=actions.NAME_MAX)
    access = forms.ChoiceField(label="Qui peut lire", choices=Folder.Access.choices, initial=Folder.Access.MEMBERS)


class UploadForm(forms.Form):
    folder = forms.ModelChoiceField(label="Dossier", queryset=Folder.objects.none(), empty_label=None)
    title = forms.CharField(
        label="Titre", max_length=actions.TITLE_MAX, required=False, help_text="Par défaut, le nom du fichier."
    )
    file = forms.FileField(
        label="Fichier", help_text=f"{library.ACCEPTED_LABEL}, {library.max_bytes() // (1024 * 1024)} Mo au plus."
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["folder"].queryset = Folder.objects.filter(cpts=cpts)


def _folders(queryset):
    return list(queryset.prefetch_related("documents"))


def documents(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION)
    context = {
        "cpts": cpts,
        "folders": _folders(Folder.objects.filter(cpts=cpts)),
        "folder_form": FolderForm(),
        "upload_form": UploadForm(cpts=cpts),
        "accesses": Folder.Access.choices,
    }
    return render(request, "association/comms/documents.html", context)


@require_POST
def folder_new(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = FolderForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:association_documents", slug=cpts.slug)
    try:
        folder = actions.create_folder(cpts, form.cleaned_data["name"], form.cleaned_data["access"], request.user)
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Dossier « {folder.name} » créé.")
    return redirect("www:association_documents", slug=cpts.slug)


@require_POST
def folder_access(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    folder = get_object_or_404(Folder.objects.filter(cpts=cpts), pk=pk)
    try:
        folder = actions.change_folder_access(folder, request.POST.get("access", ""), request.user)
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Le dossier « {folder.name} » est maintenant lisible par : {folder.get_access_display()}."
        )
    return redirect("www:association_documents", slug=cpts.slug)


@require_POST
def document_upload(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = UploadForm(request.POST, request.FILES, cpts=cpts)
    if not form.is_valid():
        form_errors(request, form)
        return redirect("www:association_documents", slug=cpts.slug)
    try:
        document = actions.upload(
            form.cleaned_data["folder"], form.cleaned_data["title"], form.cleaned_data["file"], request.user
        )
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Document « {document.title} » déposé dans « {document.folder.name} ».")
    return redirect("www:association_documents", slug=cpts.slug)


@require_POST
def document_delete(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    document = get_object_or_404(LibraryDocument.objects.filter(cpts=cpts).select_related("folder"), pk=pk)
    actions.delete(document, request.user)
    messages.success(request, f"Document « {document.title} » supprimé.")
    return redirect("www:association_documents", slug=cpts.slug)


def _serve(document, actor) -> HttpResponse:
    try:
        body = actions.open_document(document, actor)
    except FileNotFoundError as exc:
        raise Http404("Le fichier de ce document est introuvable sur le serveur.") from exc
    response = HttpResponse(body, content_type=library.media_type(document.name))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=document.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def document(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION)
    found = get_object_or_404(LibraryDocument.objects.filter(cpts=cpts).select_related("folder", "cpts"), pk=pk)
    return _serve(found, request.user)


# The members' space


def space_documents(request, slug):
    cpts, _member = _space_member(request, slug)
    folders = _folders(library.readable_folders(request.user, cpts))
    return render(request, "association/comms/space_documents.html", {"cpts": cpts, "folders": folders})


def space_document(request, slug, pk):
    cpts, _member = _space_member(request, slug)
    readable = LibraryDocument.objects.filter(cpts=cpts, folder__in=library.readable_folders(request.user, cpts))
    return _serve(get_object_or_404(readable.select_related("folder", "cpts"), pk=pk), request.user)


# The public page of the association


@login_not_required
@require_safe
def public_page(request, slug):
    cpts = get_object_or_404(Cpts, slug=slug)
    context = {
        "cpts": cpts,
        "events": Event.objects.filter(cpts=cpts, public=True, ends_at__gte=timezone.now())[:50],
        "folders": _folders(Folder.objects.filter(cpts=cpts, access=Folder.Access.PUBLIC)),
    }
    return render(request, "association/comms/public.html", context)


@login_not_required
@require_safe
def public_document(request, slug, pk):
    public = LibraryDocument.objects.filter(cpts__slug=slug, folder__access=Folder.Access.PUBLIC)
    return _serve(get_object_or_404(public.select_related("folder", "cpts"), pk=pk), None)

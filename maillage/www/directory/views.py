"""The directory of a CPTS for its team: search (htmx), professional page, enrichment, exports.

Members and regulators of the CPTS read; only its coordinators edit and export.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.core import versioning
from maillage.core.french import elide
from maillage.core.replicas import replica_reads
from maillage.directory import actions, answers, search
from maillage.directory.models import DirectoryEntry, Professional, ProfessionalAccount
from maillage.www.directory import exports
from maillage.www.directory.forms import EntryForm, SearchForm
from maillage.www.htmx import is_htmx
from maillage.www.paging import CappedPaginator
from maillage.www.scoping import WRITE, Area, cpts_for, may

PAGE_SIZE = 25
TABLES = {"professionnels": "professionals", "structures": "structures"}


def _coordinates(request, cpts) -> bool:
    return may(request, Area.DIRECTORY, WRITE, cpts)


def _query_without(request, *names) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@replica_reads
def search_page(request, slug):
    cpts = cpts_for(request, slug, Area.DIRECTORY)
    form = SearchForm(request.GET, cpts=cpts)
    context = {
        "cpts": cpts,
        "form": form,
        "can_export": _coordinates(request, cpts),
        "pros": None,
        "structures": None,
        "filters_query": _query_without(request, "page", "spage"),
        "pros_query": _query_without(request, "page"),
        "structures_query": _query_without(request, "spage"),
    }
    if form.is_valid():
        data = form.cleaned_data
        pros, structures = search.professionals(data, cpts), search.structures(data, cpts)
        context["pros"] = CappedPaginator(pros, PAGE_SIZE).get_page(request.GET.get("page"))
        context["structures"] = CappedPaginator(structures, PAGE_SIZE).get_page(request.GET.get("spage"))
    # A history restore asks for the whole page even though htmx sends it.
    if is_htmx(request) and request.headers.get("HX-History-Restore-Request") != "true":
        # htmx swaps only 2xx answers: a refused filter is explained inside the results.
        return render(request, "directory/_results.html", context)
    context["communes"] = cpts.communes().order_by("name")
    return render(request, "directory/search.html", context, status=200 if form.is_valid() else 400)


@replica_reads
def export(request, slug, file_format):
    cpts = cpts_for(request, slug, Area.DIRECTORY_EXPORT)
    form = SearchForm(request.GET, cpts=cpts)
    if not form.is_valid():
        return search_page(request, slug)
    data = form.cleaned_data
    table = TABLES.get(request.GET.get("table", ""), "professionals")
    if table == "structures":
        found = search.structures(data, cpts)
        rows, header, count = exports.structure_rows(found), exports.STRUCTURE_HEADER, found.count()
    else:
        found = search.professionals(data, cpts)
        rows, header = exports.professional_rows(found), exports.PROFESSIONAL_HEADER
        count = exports.count_professional_rows(found)
    actions.record_export(
        cpts, request.user, file_format=file_format, table=table, filters=search.describe(data), rows=count
    )
    label = "professionnels" if table == "professionals" else "structures"
    name = f"annuaire-{cpts.slug}-{label}-{timezone.localdate():%Y-%m-%d}.{file_format}"
    if file_format == "xlsx":
        return exports.xlsx_response(name, label.capitalize(), header, rows)
    return exports.csv_response(name, header, rows)


def _editor(request, cpts, professional) -> str | None:
    """Who may edit this entry: the CPTS's coordinators ("coordinator"), or the professional
    themselves when their account is linked to them ("self"), except for the membership, which is
    the association's business."""
    if _coordinates(request, cpts):
        return "coordinator"
    link = ProfessionalAccount.objects.filter(user=request.user).values_list("professional_id", flat=True).first()
    return "self" if link == professional.pk else None


def _professional_context(request, cpts, professional, form=None):
    entry = DirectoryEntry.objects.filter(cpts=cpts, professional=professional).prefetch_related("skills").first()
    editor = _editor(request, cpts, professional)
    can_edit = editor is not None
    if can_edit and form is None:
        form = EntryForm(initial=EntryForm.initial_from(entry), version=versioning.version_of(entry))
    return {
        "own_entry": editor == "self",
        "cpts": cpts,
        "pro": professional,
        "activities": professional.activities.select_related("commune").order_by("-active", "id"),
        "entry": entry,
        # Which answers come from the offer and the slots (shown as such, not typed).
        "derived": answers.derived(cpts, professional) if entry else {},
        "skills": list(entry.skills.all()) if entry else [],
        "form": form if can_edit else None,
    }


def professional_page(request, slug, national_id):
    cpts = cpts_for(request, slug, Area.DIRECTORY)
    professional = get_object_or_404(Professional, national_id=national_id)
    return render(request, "directory/professional.html", _professional_context(request, cpts, professional))


@require_POST
def entry_edit(request, slug, national_id):
    cpts = cpts_for(request, slug, Area.DIRECTORY)
    professional = get_object_or_404(Professional, national_id=national_id)
    editor = _editor(request, cpts, professional)
    if editor is None:
        raise Http404
    form = EntryForm(request.POST)
    if not form.is_valid():
        context = _professional_context(request, cpts, professional, form)
        return render(request, "directory/professional.html", context, status=400)
    try:
        _, changes = actions.update_entry(
            cpts, professional, form.cleaned_data, request.user, expected_version=form.expected_version
        )
    except versioning.StaleEdit as exc:
        form.refuse(exc, EntryForm.initial_from(exc.current))
        context = _professional_context(request, cpts, professional, form)
        return render(request, "directory/professional.html", context, status=409)
    if changes:
        messages.success(request, f"La fiche {elide('de', str(professional.full_name))} a été mise à jour.")
    else:
        messages.info(request, "Aucune modification : la fiche était déjà à jour.")
    return redirect("www:directory_professional", slug=cpts.slug, national_id=professional.national_id)

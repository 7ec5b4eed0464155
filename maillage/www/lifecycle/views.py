"""The coordinator's timeline of the CPTS: phases, milestones, computed deadlines, documents.

Forms post with htmx where it helps (dating a milestone, moving the phase): the answer is the
refreshed timeline, refusals included (htmx swaps only 2xx answers); without JavaScript the same
forms reload the page (400 on a refusal).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from maillage.core.versioning import StaleEdit
from maillage.lifecycle import actions
from maillage.lifecycle.documents import media_type
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.models import Document
from maillage.www.htmx import is_htmx
from maillage.www.lifecycle import timeline as page
from maillage.www.lifecycle.forms import DocumentForm, MilestoneForm, PhaseForm
from maillage.www.lifecycle.scoping import timeline_cpts_for
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


def _render(request, cpts, *, can_write=True, errors=None, done="", status=200, typed=None):
    context = page.build(cpts, today=timezone.localdate(), can_write=can_write, errors=errors, typed=typed)
    context["done"] = done
    context["ars_link"] = may(request, Area.LIFECYCLE_ARS_DECISION, READ, cpts)
    if is_htmx(request):
        return render(request, "lifecycle/_timeline.html", context)
    return render(request, "lifecycle/timeline.html", context, status=status if errors else 200)


def timeline(request, slug):
    cpts, can_write = timeline_cpts_for(request, slug)
    return _render(request, cpts, can_write=can_write)


def _form_errors(form) -> list[str]:
    return [
        f"{form.fields[name].label if name in form.fields else ''} : {e}".lstrip(" :")
        for name, errs in form.errors.items()
        for e in errs
    ]


@require_POST
def milestone(request, slug, kind):
    cpts, _ = timeline_cpts_for(request, slug, write=True)
    if kind not in Kind.values:
        raise Http404
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        return _render(request, cpts, errors={kind: _form_errors(form)}, status=400)
    data = form.cleaned_data
    try:
        actions.date_milestone(
            cpts, kind, data["date"], actor=request.user, amount=data["amount"], note=data["note"],
            expected_version=form.expected_version,
        )  # fmt: skip
    except StaleEdit as exc:
        current = exc.current
        stale = form.refuse(
            exc, {"date": current.date, "amount": current.amount, "note": current.note} if current else None
        )
        typed = {kind: {"date": request.POST.get("date", ""), "amount": request.POST.get("amount", "")}}
        return _render(request, cpts, errors={kind: [stale.message, stale.advice]}, status=409, typed=typed)
    except actions.LifecycleError as exc:
        return _render(request, cpts, errors={kind: exc.messages}, status=400)
    return _done(request, cpts, f"« {Kind(kind).label} » daté du {data['date']:%d/%m/%Y}.")


@require_POST
def phase(request, slug):
    cpts, _ = timeline_cpts_for(request, slug, write=True)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        return _render(request, cpts, errors={"phase": _form_errors(form)}, status=400)
    try:
        moved = actions.move_phase(
            cpts, form.cleaned_data["target"], actor=request.user, note=form.cleaned_data["note"]
        )
    except actions.LifecycleError as exc:
        return _render(request, cpts, errors={"phase": exc.messages}, status=400)
    return _done(request, cpts, f"La CPTS est passée en phase « {moved.get_phase_display()} ».")


def _done(request, cpts, message: str):
    """After a write: htmx swaps the timeline with the message in it; a plain form is redirected."""
    if is_htmx(request):
        return _render(request, cpts, done=message)
    messages.success(request, message)
    return redirect("www:lifecycle_timeline", slug=cpts.slug)


@require_POST
def document_upload(request, slug):
    cpts = cpts_for(request, slug, Area.LIFECYCLE_DOCUMENTS, WRITE)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, cpts, errors={"document": _form_errors(form)}, status=400)
    try:
        document = actions.attach_document(
            cpts, form.cleaned_data["kind"], form.cleaned_data["file"], actor=request.user
        )
    except actions.LifecycleError as exc:
        return _render(request, cpts, errors={"document": exc.messages}, status=400)
    messages.success(request, f"Document « {document.name} » déposé.")
    return redirect("www:lifecycle_timeline", slug=cpts.slug)


def document(request, slug, pk):
    """Downloads go through here only (files are never public): the policy's `lifecycle_documents`
    readers, audited."""
    cpts = cpts_for(request, slug, Area.LIFECYCLE_DOCUMENTS)
    found = get_object_or_404(Document.objects.filter(cpts=cpts).select_related("milestone", "cpts"), pk=pk)
    try:
        handle = actions.open_document(found, actor=request.user)
    except FileNotFoundError as exc:
        raise Http404("Le fichier de ce document est introuvable sur le serveur.") from exc
    # Read at once (10 MB at most) so the file is closed whether or not the client reads it all.
    with handle:
        body = handle.read()
    response = HttpResponse(body, content_type=media_type(found.name))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=found.name)
    return response

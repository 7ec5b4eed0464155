"""The coordination's library of protocols: versions, states (draft → validated → in use →
retired), the file, the validation by the group, the reviews, a new version. Every write is an
action of maillage/quality/actions/protocols.py whose French refusal is shown as is."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from maillage.quality import library, reading
from maillage.quality.actions import QualityError
from maillage.quality.actions import protocols as actions
from maillage.quality.models import Protocol
from maillage.quality.states import MOVE_LABELS, PROTOCOL_TRANSITIONS, ProtocolStatus
from maillage.www.feedback import form_errors
from maillage.www.quality.forms import FileForm, ProtocolForm, ReviewForm, ValidateForm
from maillage.www.scoping import WRITE, Area, cpts_for


def protocols(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = Protocol.objects.filter(cpts=cpts).prefetch_related("authors").order_by("title", "-number", "pk")
    context = {
        "cpts": cpts,
        "protocols": found,
        "due": {p.pk for p in reading.due_for_review(cpts)},
        "statuses": ProtocolStatus.choices,
    }
    return render(request, "quality/protocols.html", context)


def _protocol(cpts, pk):
    return get_object_or_404(Protocol.objects.filter(cpts=cpts).select_related("cpts", "fiche"), pk=pk)


def _form_page(request, cpts, form, protocol=None, error=None, status=200):
    context = {"cpts": cpts, "form": form, "protocol": protocol, "error": error}
    return render(request, "quality/protocol_form.html", context, status=status)


def protocol_new(request, slug):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    form = ProtocolForm(request.POST if request.method == "POST" else None, cpts=cpts)
    if request.method != "POST":
        return _form_page(request, cpts, form)
    error = None
    if form.is_valid():
        try:
            protocol = actions.create_protocol(cpts, form.draft(), request.user)
        except QualityError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Protocole « {protocol.title} » créé en brouillon.")
            return redirect("www:quality_protocol", slug=cpts.slug, pk=protocol.pk)
    return _form_page(request, cpts, form, error=error, status=400)


def protocol_edit(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    protocol = _protocol(cpts, pk)
    if request.method != "POST":
        initial = {
            "title": protocol.title,
            "summary": protocol.summary,
            "professions": protocol.professions,
            "authors": list(protocol.authors.all()),
            "fiche": protocol.fiche,
        }
        return _form_page(request, cpts, ProtocolForm(initial=initial, cpts=cpts), protocol)
    form = ProtocolForm(request.POST, cpts=cpts)
    error = None
    if form.is_valid():
        try:
            actions.edit_protocol(protocol, form.draft(), request.user)
        except QualityError as exc:
            error = str(exc)
        else:
            messages.success(request, "Brouillon enregistré.")
            return redirect("www:quality_protocol", slug=cpts.slug, pk=protocol.pk)
    return _form_page(request, cpts, form, protocol, error, status=400)


def protocol(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY)
    found = _protocol(cpts, pk)
    moves = [(target, MOVE_LABELS[target]) for target in MOVE_LABELS if target in PROTOCOL_TRANSITIONS[found.status]]
    context = {
        "cpts": cpts,
        "protocol": found,
        "authors": found.authors.all(),
        "validators": found.validators.all(),
        "transitions": found.transitions.all(),
        "reviews": found.reviews.all(),
        "versions": Protocol.objects.filter(cpts=cpts, title=found.title).exclude(pk=found.pk).order_by("-number"),
        "newer": found.superseded_by.order_by("-number").first(),
        "moves": moves,
        "file_form": FileForm(),
        "validate_form": ValidateForm(cpts=cpts, initial={"group": found.validating_group}),
        "review_form": ReviewForm(),
        "S": ProtocolStatus,
    }
    return render(request, "quality/protocol.html", context)


def _back(protocol):
    return redirect("www:quality_protocol", slug=protocol.cpts.slug, pk=protocol.pk)


def _write(request, protocol, do, success: str):
    try:
        result = do()
    except QualityError as exc:
        messages.error(request, str(exc))
        return _back(protocol)
    messages.success(request, success.format(p=result))
    return redirect("www:quality_protocol", slug=protocol.cpts.slug, pk=result.pk)


@require_POST
def protocol_file(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _protocol(cpts, pk)
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
        return _back(found)
    upload = form.cleaned_data["file"]
    return _write(request, found, lambda: actions.attach_file(found, upload, request.user), "Fichier déposé.")


@require_POST
def protocol_validate(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _protocol(cpts, pk)
    form = ValidateForm(request.POST, cpts=cpts)
    if not form.is_valid():
        form_errors(request, form)
        return _back(found)
    data = form.cleaned_data

    def do():
        return actions.validate(
            found, validators=list(data["validators"]), validated_on=data["validated_on"],
            next_review_on=data["next_review_on"], group=data["group"], actor=request.user,
        )  # fmt: skip

    return _write(request, found, do, "Protocole validé le {p.validated_on:%d/%m/%Y}.")


@require_POST
def protocol_move(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _protocol(cpts, pk)
    target = request.POST.get("target", "")[:20]
    note = request.POST.get("note", "")[:255]
    return _write(
        request, found, lambda: actions.move(found, target, request.user, note=note), "Protocole : {p.status_label}."
    )


@require_POST
def protocol_review(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _protocol(cpts, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return _back(found)
    data = form.cleaned_data

    def do():
        return actions.review(
            found, reviewed_on=data["reviewed_on"], next_review_on=data["next_review_on"], note=data["note"],
            actor=request.user,
        )  # fmt: skip

    return _write(request, found, do, "Révision enregistrée : prochaine révision le {p.next_review_on:%d/%m/%Y}.")


@require_POST
def protocol_version(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY, WRITE)
    found = _protocol(cpts, pk)
    return _write(
        request, found, lambda: actions.new_version(found, request.user), "Version {p.number} créée en brouillon."
    )


def serve(protocol, actor) -> HttpResponse:
    try:
        body = actions.open_file(protocol, actor)
    except (FileNotFoundError, QualityError) as exc:
        raise Http404("Le fichier de ce protocole est introuvable.") from exc
    response = HttpResponse(body, content_type=library.media_type(protocol.file_name))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=protocol.file_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def protocol_download(request, slug, pk):
    cpts = cpts_for(request, slug, Area.QUALITY)
    return serve(_protocol(cpts, pk), request.user)

"""General assemblies and board meetings, the coordination's pages (Area.ASSOCIATION): the list,
an assembly's page with its agenda, resolutions, documents and results, its form, the
convocation, the attendance with proxies, the state (held or carence, closed, cancelled), the
room's votes on a resolution, the minutes as DOCX. Every write goes through
maillage/association/actions/assemblies.py or votes.py; a French refusal is shown as is."""

import re

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from maillage.association import assembly_minutes
from maillage.association.actions import AssociationError
from maillage.association.actions import assemblies as actions
from maillage.association.actions.votes import record_attendance, record_room_votes, room_voters
from maillage.association.models.assemblies import (
    AgendaItem,
    Assembly,
    AssemblyDocument,
    AssemblyKind,
    AssemblyStatus,
    Choice,
    Participation,
    Presence,
    Resolution,
)
from maillage.association.tally import attendance_figures, resolution_results
from maillage.core import bounds
from maillage.core.french import agree, plural
from maillage.core.versioning import StaleEdit, VersionedForm
from maillage.lifecycle.documents import ACCEPTED_LABEL, media_type
from maillage.www.scoping import READ, WRITE, Area, cpts_for

PROXY = re.compile(r"\(AD-0*(\d{1,18})\)\s*$")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MOMENT = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    "input_formats": ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
}
STALE = "Cette assemblée vient d'être modifiée par quelqu'un d'autre : rechargez la page pour voir son état."


class AssemblyForm(VersionedForm):
    kind = forms.ChoiceField(label="Type", choices=AssemblyKind.choices)
    title = forms.CharField(label="Intitulé", max_length=200, help_text="Par exemple « Assemblée générale 2027 ».")
    starts_at = forms.DateTimeField(label="Date et heure", **MOMENT)
    place = forms.CharField(label="Lieu", max_length=200)
    vote_opens_at = forms.DateTimeField(label="Ouverture du vote en ligne (facultatif)", required=False, **MOMENT)
    vote_closes_at = forms.DateTimeField(
        label="Clôture du vote en ligne (facultatif)",
        required=False,
        help_text="Au plus tard à l'ouverture de la séance. Indiquez les deux dates, ou aucune.",
        **MOMENT,
    )

    def clean(self):
        data = super().clean()
        for name in ("starts_at", "vote_opens_at", "vote_closes_at"):
            value = data.get(name)
            if value is not None and not bounds.MIN_YEAR <= value.year <= bounds.MAX_YEAR:
                self.add_error(name, f"La date doit être entre {bounds.MIN_YEAR} et {bounds.MAX_YEAR}.")
        return data

    def draft(self) -> actions.AssemblyDraft:
        data = self.cleaned_data
        return actions.AssemblyDraft(
            kind=data["kind"], title=data["title"], starts_at=data["starts_at"], place=data["place"],
            vote_opens_at=data.get("vote_opens_at"), vote_closes_at=data.get("vote_closes_at"),
        )  # fmt: skip


class AgendaForm(forms.Form):
    title = forms.CharField(label="Point de l'ordre du jour", max_length=200)
    description = forms.CharField(
        label="Précisions (facultatif)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolutionForm(forms.Form):
    title = forms.CharField(label="Intitulé de la résolution", max_length=200)
    text = forms.CharField(
        label="Texte soumis au vote (facultatif)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    secret = forms.BooleanField(label="Vote à bulletin secret", required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(label=f"Document ({ACCEPTED_LABEL}, 10 Mo au plus)")


def _assembly(request, slug, pk, action=READ):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, action)
    return cpts, get_object_or_404(Assembly.objects.filter(cpts=cpts).select_related("cpts"), pk=pk)


def _back(assembly, anchor=""):
    response = redirect("www:association_assembly", slug=assembly.cpts.slug, pk=assembly.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _version(request) -> int:
    text = request.POST.get("version", "")
    return int(text) if text.isdigit() and len(text) < 12 else -1


def assembly_list(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, READ)
    assemblies = list(Assembly.objects.filter(cpts=cpts).order_by("-starts_at", "-id")[:200])
    return render(request, "association/assemblies/list.html", {"cpts": cpts, "assemblies": assemblies})


def assembly_new(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = AssemblyForm(request.POST if request.method == "POST" else None, initial={"kind": AssemblyKind.ORDINARY})
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                assembly = actions.create_assembly(cpts, form.draft(), request.user)
            except AssociationError as exc:
                error = str(exc)
            else:
                messages.success(request, "Assemblée créée : complétez son ordre du jour, puis convoquez-la.")
                return _back(assembly)
        context = {"cpts": cpts, "form": form, "error": error, "assembly": None}
        return render(request, "association/assemblies/form.html", context, status=400)
    return render(request, "association/assemblies/form.html", {"cpts": cpts, "form": form, "assembly": None})


def assembly_edit(request, slug, pk):
    cpts, assembly = _assembly(request, slug, pk, WRITE)
    if assembly.status != AssemblyStatus.DRAFT:
        messages.error(request, "Une assemblée convoquée ne se modifie plus.")
        return _back(assembly)
    initial = {name: getattr(assembly, name) for name in ("kind", "title", "place")}
    for name in ("starts_at", "vote_opens_at", "vote_closes_at"):
        value = getattr(assembly, name)
        initial[name] = timezone.localtime(value) if value else None
    form = AssemblyForm(request.POST if request.method == "POST" else None, initial=initial, version=assembly.version)
    error = None
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.edit_assembly(assembly, form.draft(), request.user, expected_version=form.expected_version)
            except StaleEdit:
                error = STALE
            except AssociationError as exc:
                error = str(exc)
            else:
                messages.success(request, "Assemblée modifiée.")
                return _back(assembly)
        context = {"cpts": cpts, "form": form, "error": error, "assembly": assembly}
        return render(request, "association/assemblies/form.html", context, status=400)
    return render(request, "association/assemblies/form.html", {"cpts": cpts, "form": form, "assembly": assembly})


def assembly_detail(request, slug, pk):
    cpts, assembly = _assembly(request, slug, pk)
    shown = assembly.status in (AssemblyStatus.HELD, AssemblyStatus.CLOSED)
    context = {
        "cpts": cpts,
        "assembly": assembly,
        "agenda": list(assembly.agenda.order_by("order", "id")),
        "resolutions": list(assembly.resolutions.order_by("order", "id")),
        "documents": list(assembly.documents.all()),
        "figures": attendance_figures(assembly) if assembly.status != AssemblyStatus.DRAFT else None,
        "results": resolution_results(assembly) if shown else None,
        "draft": assembly.status == AssemblyStatus.DRAFT,
        "convened": assembly.status == AssemblyStatus.CONVENED,
        "held": assembly.status == AssemblyStatus.HELD,
        "open": assembly.status not in (AssemblyStatus.CLOSED, AssemblyStatus.CANCELLED),
        "agenda_form": AgendaForm(prefix="point"),
        "resolution_form": ResolutionForm(prefix="resolution"),
        "document_form": DocumentForm(),
        "transitions": list(assembly.transitions.all()),
    }
    return render(request, "association/assemblies/detail.html", context)


@require_POST
def assembly_items(request, slug, pk):
    """Adds a point of the agenda or a resolution, or removes one (before the convocation)."""
    _cpts, assembly = _assembly(request, slug, pk, WRITE)
    what = request.POST.get("quoi", "")
    try:
        if what == "point":
            form = AgendaForm(request.POST, prefix="point")
            if not form.is_valid():
                raise AssociationError("Indiquez le point de l'ordre du jour (200 caractères au plus).")
            actions.add_agenda_item(assembly, request.user, **form.cleaned_data)
            messages.success(request, "Point ajouté à l'ordre du jour.")
        elif what == "resolution":
            form = ResolutionForm(request.POST, prefix="resolution")
            if not form.is_valid():
                raise AssociationError("Indiquez l'intitulé de la résolution (200 caractères au plus).")
            actions.add_resolution(assembly, request.user, **form.cleaned_data)
            messages.success(request, "Résolution ajoutée.")
        elif what in ("retirer-point", "retirer-resolution"):
            model = AgendaItem if what == "retirer-point" else Resolution
            target = get_object_or_404(model.objects.filter(assembly=assembly), pk=bounds.pk(request.POST.get("id")))
            key = "agenda_item" if model is AgendaItem else "resolution"
            actions.remove_item(assembly, request.user, **{key: target})
            messages.success(request, "Retiré.")
        else:
            messages.error(request, "Action inconnue.")
    except AssociationError as exc:
        messages.error(request, str(exc))
    return _back(assembly, "ordre-du-jour")


@require_POST
def document_add(request, slug, pk):
    _cpts, assembly = _assembly(request, slug, pk, WRITE)
    form = DocumentForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise AssociationError("Choisissez un fichier à joindre.")
        document = actions.attach_document(assembly, request.user, form.cleaned_data["file"])
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Document « {document.file_name} » joint.")
    return _back(assembly, "documents")


def serve_document(document, user):
    try:
        handle = actions.open_document(document, user)
    except FileNotFoundError as exc:
        raise Http404("Ce document est introuvable sur le serveur.") from exc
    with handle:
        body = handle.read()
    response = HttpResponse(body, content_type=media_type(document.file_name))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=document.file_name)
    return response


def document(request, slug, pk, doc):
    _cpts, assembly = _assembly(request, slug, pk)
    return serve_document(get_object_or_404(AssemblyDocument.objects.filter(assembly=assembly), pk=doc), request.user)


@require_POST
def convene(request, slug, pk):
    _cpts, assembly = _assembly(request, slug, pk, WRITE)
    try:
        count = actions.convene(assembly, request.user, expected_version=_version(request))
    except StaleEdit:
        messages.error(request, STALE)
    except AssociationError as exc:
        messages.error(request, str(exc))
    else:
        noun = "administrateur convoqué" if assembly.is_board else "adhérent convoqué"
        plural_noun = "administrateurs convoqués" if assembly.is_board else "adhérents convoqués"
        messages.success(request, f"Assemblée convoquée : {count} {noun if count <= 1 else plural_noun}, "
                                  "les courriels partent dans quelques instants.")  # fmt: skip
    return _back(assembly)


def attendance(request, slug, pk):
    cpts, assembly = _assembly(request, slug, pk, WRITE)
    if assembly.status == AssemblyStatus.DRAFT:
        raise Http404
    rows = list(
        assembly.attendances.select_related("member", "college").order_by(
            "member__last_name", "member__name", "member__first_name"
        )
    )
    error = None
    editable = assembly.status == AssemblyStatus.CONVENED
    names = {row.member_id: row.member for row in rows}
    for row in rows:
        row.proxy_typed = proxy_label(names[row.proxy_id]) if row.proxy_id in names else ""
    if request.method == "POST":
        changes, unread = {}, []
        for row in rows:
            presence = request.POST.get(f"presence-{row.member_id}", row.presence)[:20]
            row.proxy_typed = request.POST.get(f"proxy-{row.member_id}", "").strip()[:300]
            proxy_id = _proxy_of(row.proxy_typed) if presence == Presence.REPRESENTED else None
            if presence == Presence.REPRESENTED and row.proxy_typed and proxy_id is None:
                unread.append(row.member.display_name)
            changes[row.member_id] = (presence, proxy_id)
            row.presence, row.proxy_id = changes[row.member_id]
        try:
            if unread:
                raise AssociationError(
                    f"Pouvoir de {unread[0]} : choisissez son détenteur dans la liste des convoqués "
                    "(« Nom (AD-000123) »)."
                )
            record_attendance(assembly, request.user, changes, expected_version=_version(request))
        except StaleEdit:
            error = STALE
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(request, "Présences et pouvoirs enregistrés.")
            return _back(assembly, "presences")
    context = {
        "cpts": cpts, "assembly": assembly, "rows": rows, "error": error, "editable": editable,
        "presences": [(p.value, p.label) for p in Presence if p != Presence.REMOTE],
        "figures": attendance_figures(assembly),
    }  # fmt: skip
    return render(request, "association/assemblies/attendance.html", context, status=400 if error else 200)


def proxy_label(member) -> str:
    """How a proxy's holder is typed in the attendance form: « Anne Leroy (AD-000012) »."""
    return f"{member.display_name} ({member.reference})"


def _proxy_of(typed: str) -> int | None:
    found = PROXY.search(typed)
    return int(found.group(1)) if found and bounds.is_pk(found.group(1)) else None


@require_POST
def state(request, slug, pk):
    """Opens the session (held, or carence when the quorum is not reached), closes it, or cancels."""
    _cpts, assembly = _assembly(request, slug, pk, WRITE)
    target = request.POST.get("etat", "")
    try:
        if target == "held":
            actions.hold(assembly, request.user, expected_version=_version(request))
            if assembly.status == AssemblyStatus.HELD:
                messages.success(request, "Séance ouverte : quorum atteint, les votes en séance peuvent être saisis.")
            else:
                messages.warning(request, "Quorum non atteint : l'assemblée est déclarée en carence.")
        elif target == "closed":
            actions.close(assembly, request.user, expected_version=_version(request))
            messages.success(request, "Assemblée close : le procès-verbal est définitif.")
        elif target == "cancelled":
            note = request.POST.get("motif", "")[:255]
            actions.cancel(assembly, request.user, note=note, expected_version=_version(request))
            messages.success(request, "Assemblée annulée.")
        else:
            messages.error(request, "Changement d'état inconnu.")
    except StaleEdit:
        messages.error(request, STALE)
    except AssociationError as exc:
        messages.error(request, str(exc))
    return _back(assembly)


def room_votes(request, slug, pk, resolution):
    cpts, assembly = _assembly(request, slug, pk, WRITE)
    resolution = get_object_or_404(Resolution.objects.filter(assembly=assembly), pk=resolution)
    if assembly.status not in (AssemblyStatus.HELD, AssemblyStatus.CLOSED):
        messages.error(request, "Les votes en séance se saisissent une fois la séance ouverte et le quorum atteint.")
        return _back(assembly)
    voters = room_voters(assembly)
    voted = set(Participation.objects.filter(resolution=resolution).values_list("member_id", flat=True))
    error, typed = None, {}
    if request.method == "POST":
        votes = {}
        for row in voters:
            value = request.POST.get(f"vote-{row.member_id}", "")[:10]
            typed[row.member_id] = value
            if value and row.member_id not in voted:
                votes[row.member_id] = value
        try:
            count = record_room_votes(resolution, request.user, votes)
        except AssociationError as exc:
            error = str(exc)
        else:
            recorded = agree(count, "enregistré")
            messages.success(request, f"Résolution {resolution.order} : {plural(count, 'vote')} {recorded}.")
            return _back(assembly, "resultats")
    for row in voters:
        row.voted = row.member_id in voted
        row.typed = typed.get(row.member_id, "")
    context = {
        "cpts": cpts, "assembly": assembly, "resolution": resolution, "voters": voters, "error": error,
        "choices": Choice.choices, "open": assembly.status == AssemblyStatus.HELD,
    }  # fmt: skip
    return render(request, "association/assemblies/votes.html", context, status=400 if error else 200)


def minutes(request, slug, pk):
    _cpts, assembly = _assembly(request, slug, pk)
    response = HttpResponse(assembly_minutes.docx_bytes(assembly), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{assembly_minutes.filename(assembly)}"'
    return response

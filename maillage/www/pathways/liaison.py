"""A pathway's liaison log (journal de liaison) and the person's « Mes alertes » list.

Who reads or writes the log is maillage/pathways/access.py's decision (`may_use_liaison`): a
pathway the user does not see answers 404; a coordinator without the patient's consent to sharing
with the coordination is told so. Opening the log marks it read; every read is audited."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from maillage.lifecycle.documents import ACCEPTED_LABEL, media_type
from maillage.pathways import access
from maillage.pathways.actions import NotVisible, PathwayError
from maillage.pathways.actions.liaison import TEXT_MAX, Draft, open_attachment, post_entry, read_alerts, read_log
from maillage.pathways.models import LiaisonEntry, LiaisonKind, Pathway
from maillage.pathways.states import PathwayStatus
from maillage.www.pathways.forms import DATE
from maillage.www.scoping import READ, WRITE, Area, cpts_for


class LiaisonForm(forms.Form):
    kind = forms.ChoiceField(label="Type", choices=LiaisonKind.choices, initial=LiaisonKind.CALL)
    occurred_on = forms.DateField(label="Date de l'échange", **DATE)
    text = forms.CharField(
        label="Message",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
    )
    file = forms.FileField(label=f"Pièce jointe (facultative : {ACCEPTED_LABEL}, 10 Mo au plus)", required=False)


def _pathway(request, slug, pk, action=READ):
    cpts = cpts_for(request, slug, Area.PATHWAYS, action)
    pathway = get_object_or_404(Pathway.objects.filter(cpts=cpts).select_related("cpts", "template"), pk=pk)
    if not access.sees(request.user, pathway):
        raise Http404
    return cpts, pathway


def liaison(request, slug, pk):
    """GET: the log (marked read). POST: a new entry (multipart), then back to the log."""
    cpts, pathway = _pathway(request, slug, pk, WRITE if request.method == "POST" else READ)
    form = LiaisonForm(request.POST or None, request.FILES or None, initial={"occurred_on": timezone.localdate()})
    error, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            draft = Draft(kind=data["kind"], occurred_on=data["occurred_on"], text=data["text"], upload=data["file"])
            try:
                post_entry(pathway, request.user, draft)
            except NotVisible:
                raise Http404 from None
            except PathwayError as exc:
                error = str(exc)
            else:
                messages.success(request, "Message ajouté au journal de liaison ; l'équipe de soins est prévenue.")
                return redirect("www:pathway_liaison", slug=cpts.slug, pk=pathway.pk)
        status = 400
    try:
        entries = read_log(request.user, pathway)
    except NotVisible:
        raise Http404 from None
    except PathwayError as exc:
        context = {"cpts": cpts, "pathway": pathway, "refused": str(exc)}
        return render(request, "pathways/liaison.html", context, status=403 if status == 200 else status)
    context = {
        "cpts": cpts,
        "pathway": pathway,
        "entries": entries,
        "form": form,
        "error": error,
        "open": pathway.status == PathwayStatus.ACTIVE,
    }
    return render(request, "pathways/liaison.html", context, status=status)


def liaison_file(request, slug, pk, entry):
    _cpts, pathway = _pathway(request, slug, pk)
    found = get_object_or_404(LiaisonEntry.objects.filter(pathway=pathway).exclude(file=""), pk=entry)
    try:
        handle = open_attachment(found, request.user)
    except (NotVisible, PathwayError):
        raise Http404 from None
    except FileNotFoundError as exc:
        raise Http404("Le fichier de ce message est introuvable sur le serveur.") from exc
    with handle:
        body = handle.read()
    response = HttpResponse(body, content_type=media_type(found.file_name))
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=found.file_name)
    return response


def my_alerts(request, slug):
    """« Mes alertes »: the open rupture alerts of the pathways the person follows (all of the
    CPTS's for its coordinator) and the liaison messages they have not read yet."""
    cpts = cpts_for(request, slug, Area.PATHWAYS, READ)
    mine = read_alerts(request.user, cpts)
    context = {"cpts": cpts, "alerts": mine.alerts, "unread": mine.unread, "handovers": mine.handovers}
    return render(request, "pathways/alerts.html", context)


def liaison_summary(user, pathway) -> dict:
    """What the pathway page says of the log: whether the user reads it, its size, their unread."""
    from maillage.pathways.actions.liaison import unread_count

    if not access.may_use_liaison(user, pathway):
        return {"readable": False}
    return {"readable": True, "count": pathway.liaison_entries.count(), "unread": unread_count(user, pathway)}

"""Pages of the territorial diagnostic and the projet de santé.

The access policy's `projet` area: the CPTS's coordinators, members and regulators, the platform
admins and the région's viewers read them (no personal data in them; a regional viewer's mission
figures hide small numbers); only the coordinators write. Another CPTS's answers 404.
"""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.accounts import policy
from maillage.core.versioning import StaleEdit
from maillage.indicators.registry import Mission
from maillage.projet import actions, diagnostic, document, states, workbook
from maillage.projet.models import FicheAction, ProjetSante
from maillage.territory.models import Cpts
from maillage.www.projet.forms import FicheForm, TextsForm, indicator_formset, indicator_rows, registry_codes
from maillage.www.scoping import WRITE, Area, cpts_for, may

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
YEARS_BACK = 5  # the mission figures of the last five years (the ACI's contract runs five years)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _readable(request, slug) -> Cpts:
    return cpts_for(request, slug, Area.PROJET)


def _can_edit(request, cpts) -> bool:
    return may(request, Area.PROJET, WRITE, cpts)


def _diagnostic(request, cpts, **kwargs):
    """The diagnostic as this reader may see it: a regional viewer's hides small numbers."""
    return diagnostic.compute(cpts, regional=policy.reads_as_region(request.user, Area.PROJET, cpts), **kwargs)


def _attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _year(request) -> tuple[int, str]:
    """The year of the mission figures asked in `?annee=` (default: this year), and the French error."""
    this_year = timezone.localdate().year
    asked = request.GET.get("annee", "").strip()
    if not asked:
        return this_year, ""
    if (
        not (len(asked) == 4 and asked.isascii() and asked.isdigit())
        or not this_year - YEARS_BACK <= int(asked) <= this_year
    ):
        return (
            this_year,
            f"Année « {asked[:10]} » non disponible : choisissez entre {this_year - YEARS_BACK} et {this_year}.",
        )
    return int(asked), ""


def diagnostic_page(request, slug):
    cpts = _readable(request, slug)
    year, error = _year(request)
    this_year = timezone.localdate().year
    context = {
        "cpts": cpts,
        "diagnostic": _diagnostic(request, cpts, year=year),
        "years": range(this_year, this_year - YEARS_BACK - 1, -1),
        "error": error,
    }
    return render(request, "projet/diagnostic.html", context, status=400 if error else 200)


def diagnostic_xlsx(request, slug):
    cpts = _readable(request, slug)
    year, error = _year(request)
    if error:
        return diagnostic_page(request, slug)
    content = workbook.build(_diagnostic(request, cpts, year=year))
    return _attachment(content, XLSX, f"diagnostic-{cpts.slug}-{timezone.localdate():%Y-%m-%d}.xlsx")


def projet_home(request, slug):
    cpts = _readable(request, slug)
    projet = actions.current(cpts)
    fiches = list(projet.fiches.prefetch_related("indicators")) if projet else []
    missions = [(code, label, [f for f in fiches if f.mission == code]) for code, label in Mission.choices]
    context = {
        "cpts": cpts,
        "projet": projet,
        "missions": missions,
        "fiche_count": len(fiches),
        "can_edit": _can_edit(request, cpts),
        "editable": projet is None or states.editable(projet.status),
        "moves": [
            (target, states.VERBS[target])
            for target in sorted(states.TRANSITIONS[projet.status] & states.COORDINATOR_MOVES)
        ]
        if projet
        else [],
        "transitions": projet.transitions.all() if projet else [],
        **_ars_answer(cpts, projet),
    }
    return render(request, "projet/home.html", context)


def _ars_answer(cpts, projet) -> dict:
    """What the coordinator reads of the ARS: the answer to this version (an objection's reasons),
    or while it is filed, the day the ARS's silence validates it."""
    from maillage.lifecycle import ars

    if projet is None:
        return {}
    decision = projet.ars_decisions.order_by("-decided_on", "-id").first()
    waiting = ars.pending(cpts, projet)
    return {
        "ars_decision": decision,
        "ars_pending": waiting,
        "ars_tacit": waiting is not None and waiting.tacit(timezone.localdate()),
    }


def projet_docx(request, slug):
    cpts = _readable(request, slug)
    # Before the first edit, the skeleton with the diagnostic's tables: a start for the coordinator.
    projet = actions.current(cpts) or ProjetSante(cpts=cpts)
    content = document.build(cpts, projet, _diagnostic(request, cpts))
    return _attachment(content, DOCX, f"projet-de-sante-{cpts.slug}-v{projet.version}.docx")


def texts_edit(request, slug):
    cpts = cpts_for(request, slug, Area.PROJET, WRITE)
    projet = actions.current(cpts) or ProjetSante(cpts=cpts)
    form = TextsForm(request.POST or None, instance=projet)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_texts(cpts, form.cleaned_data, request.user, expected_version=form.expected_version)
        except StaleEdit as exc:
            form.refuse(exc)
            status = 409
        except actions.ProjetError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Textes du projet de santé enregistrés.")
            return redirect("www:projet_home", slug=cpts.slug)
    return render(request, "projet/texts_form.html", {"cpts": cpts, "form": form}, status=status)


def _fiche_page(request, cpts, fiche):
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        form = FicheForm(request.POST)
        indicators = indicator_formset(request.POST, fiche)
        if form.is_valid() and indicators.is_valid():
            try:
                rows = indicator_rows(indicators)
                saved = actions.save_fiche(
                    cpts, form.cleaned_data, rows, request.user, fiche=fiche, expected_version=form.expected_version
                )
            except StaleEdit as exc:
                form.refuse(exc, FicheForm.initial_of(exc.current) if exc.current else None)
                status = 409
            except actions.ProjetError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"Fiche-action « {saved.title} » enregistrée.")
                return redirect("www:projet_home", slug=cpts.slug)
    else:
        form = FicheForm.for_fiche(fiche) if fiche else FicheForm()
        indicators = indicator_formset(None, fiche)
    projet = actions.current(cpts)
    context = {
        "cpts": cpts,
        "fiche": fiche,
        "form": form,
        "indicators": indicators,
        "codes": registry_codes(),
        "projet": projet,
        "editable": projet is None or states.editable(projet.status),
    }
    return render(request, "projet/fiche_form.html", context, status=status)


def _fiche_of(cpts, pk) -> FicheAction:
    return get_object_or_404(FicheAction.objects.select_related("projet"), pk=pk, projet__cpts=cpts)


def fiche_new(request, slug):
    return _fiche_page(request, cpts_for(request, slug, Area.PROJET, WRITE), None)


def fiche_edit(request, slug, pk):
    cpts = cpts_for(request, slug, Area.PROJET, WRITE)
    return _fiche_page(request, cpts, _fiche_of(cpts, pk))


@require_POST
def fiche_delete(request, slug, pk):
    cpts = cpts_for(request, slug, Area.PROJET, WRITE)
    fiche = _fiche_of(cpts, pk)
    try:
        actions.delete_fiche(cpts, fiche, request.user)
    except actions.ProjetError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Fiche-action « {fiche.title} » supprimée.")
    return redirect("www:projet_home", slug=cpts.slug)


@require_POST
def projet_move(request, slug):
    cpts = cpts_for(request, slug, Area.PROJET, WRITE)
    try:
        projet = actions.move(cpts, request.POST.get("etat", ""), request.user)
    except actions.ProjetError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Projet de santé : {projet.get_status_display()}.")
    return redirect("www:projet_home", slug=cpts.slug)


@require_POST
def projet_start(request, slug):
    cpts = cpts_for(request, slug, Area.PROJET, WRITE)
    try:
        projet = actions.start(cpts, request.user, diagnostic.compute(cpts))
    except actions.ProjetError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"Brouillon pré-rempli : {projet.fiches.count()} fiches-actions, une par mission. Relisez chaque "
            "texte et fixez les cibles des indicateurs.",
        )
    return redirect("www:projet_home", slug=cpts.slug)


@require_POST
def projet_new_version(request, slug):
    cpts = cpts_for(request, slug, Area.PROJET, WRITE)
    try:
        projet = actions.new_version(cpts, request.user)
    except actions.ProjetError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Version {projet.version} créée en brouillon à partir de la version validée.")
    return redirect("www:projet_home", slug=cpts.slug)

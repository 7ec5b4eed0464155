from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from maillage.core.models import AuditEntry
from maillage.core.versioning import StaleEdit
from maillage.territory import actions
from maillage.territory.models import Cpts
from maillage.territory.search import search_units
from maillage.www.coordination.forms import AuditFilterForm, ContactsForm
from maillage.www.dashboard import guide, todo
from maillage.www.htmx import is_htmx
from maillage.www.scoping import WRITE, Area, cpts_for


def dashboard(request, slug):
    cpts = cpts_for(request, slug, Area.COORDINATION)
    cpts = Cpts.objects.with_population().get(pk=cpts.pk)
    return render(
        request,
        "coordination/dashboard.html",
        {
            "cpts": cpts,
            "overlaps": cpts.overlaps(),
            "steps": guide.steps(cpts),
            "todo": todo.coordinator(cpts),
            "recent": AuditEntry.objects.filter(cpts=cpts)[:8],
            "team": cpts.roles.select_related("user").order_by("kind", "user__last_name"),
        },
    )


def _contacts_form(cpts):
    return ContactsForm(initial={"contact_email": cpts.contact_email, "phone": cpts.phone}, version=cpts.version)


def _territory_context(cpts, *, error=None, done=None, done_action="", contacts_form=None):
    cpts = Cpts.objects.with_population().get(pk=cpts.pk)
    return {
        "contacts_form": contacts_form or _contacts_form(cpts),
        "cpts": cpts,
        "communes": cpts.communes().order_by("name"),
        "overlaps": cpts.overlaps(),
        "error": error,
        "done": done,
        "done_action": done_action,
        "query": "",
    }


def territory_edit(request, slug):
    cpts = cpts_for(request, slug, Area.TERRITORY)
    return render(request, "coordination/territory.html", _territory_context(cpts))


def territory_search(request, slug):
    cpts = cpts_for(request, slug, Area.TERRITORY, WRITE)
    query = request.GET.get("q", "")
    results = {
        "query": query,
        "results": list(search_units(query, limit=15)),
        "already": set(cpts.territory.values_list("commune_id", flat=True)),
    }
    if is_htmx(request):
        # The fragment carries no version: each add form takes the panel's (hx-include), so an
        # edit made by someone else since the panel was drawn is still detected.
        return render(request, "coordination/_search_results.html", {"cpts": cpts, **results})
    # Without JavaScript the search reloads the whole page, whose forms carry the version.
    return render(request, "coordination/territory.html", {**_territory_context(cpts), **results, "full_page": True})


def _edit(request, slug, action):
    cpts = cpts_for(request, slug, Area.TERRITORY, WRITE)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    error = done = error_obj = None
    try:
        done = action(cpts, request.POST.get("code", ""), actor=request.user, expected_version=version)
    except actions.TerritoryError as exc:
        error, error_obj = str(exc), exc
    context = _territory_context(cpts, error=error, done=done, done_action=action.__name__)
    if is_htmx(request):
        # htmx swaps only 2xx answers: the refusal is shown inside the refreshed panel.
        return render(request, "coordination/_territory_panel.html", context)
    status = 200 if error is None else (409 if isinstance(error_obj, actions.StaleTerritoryError) else 400)
    return render(request, "coordination/territory.html", context, status=status)


@require_POST
def territory_add(request, slug):
    return _edit(request, slug, actions.add_commune)


@require_POST
def territory_remove(request, slug):
    return _edit(request, slug, actions.remove_commune)


@require_POST
def territory_contacts(request, slug):
    """The CPTS's public contacts, on the territory page: what a visitor of its public page reads."""
    cpts = cpts_for(request, slug, Area.TERRITORY, WRITE)
    form = ContactsForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            changed = actions.update_contacts(
                cpts,
                **{k: form.cleaned_data[k] for k in actions.CONTACT_FIELDS},
                actor=request.user,
                expected_version=form.expected_version,
            )
        except StaleEdit as exc:
            current = exc.current
            form.refuse(exc, {k: getattr(current, k) for k in actions.CONTACT_FIELDS} if current else None)
            status = 409
        else:
            if changed:
                messages.success(request, "Les contacts de la CPTS sont enregistrés ; sa page publique les affiche.")
            return redirect("www:territory_edit", slug=cpts.slug)
    return render(request, "coordination/territory.html", _territory_context(cpts, contacts_form=form), status=status)


def audit_log(request, slug):
    cpts = cpts_for(request, slug, Area.AUDIT)
    entries = AuditEntry.objects.filter(cpts=cpts).select_related("actor")
    form = AuditFilterForm(request.GET or None, cpts=cpts)
    if form.is_valid():
        entries = form.filter(entries)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "coordination/audit_log.html", {"cpts": cpts, "form": form, "page": page})

"""Issue 17 — the crisis's stock ledger: items with their stock (the sum of their movements), the
movements, a form to add an item and one to record a movement. Writes are
maillage/crisis/response_supplies.py's; their French refusals are shown as they are."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from maillage.crisis import response_supplies as supplies
from maillage.crisis.models import SupplyItem, SupplyMovement
from maillage.crisis.response_centres import ResponseError
from maillage.directory.models import Professional
from maillage.www.crisis.forms_response import ItemForm, MovementForm
from maillage.www.crisis.response import crisis_of
from maillage.www.scoping import READ, WRITE, Area, cpts_for, may


def _professionals(cpts):
    """The professionals a distribution may name: those of the CPTS's team (a short list)."""
    return Professional.objects.filter(accounts__user__roles__cpts=cpts).distinct().order_by("last_name", "first_name")


def _page(request, cpts, crisis, *, item_form=None, movement_form=None, error=None, status=200):
    manage = may(request, Area.CRISIS_RESPONSE, WRITE, cpts)
    items, today = list(supplies.with_stock(crisis.supply_items.all())), timezone.localdate()
    context = {
        "cpts": cpts, "crisis": crisis, "items": items, "manage": manage, "error": error,
        "movements": SupplyMovement.objects.filter(item__crisis=crisis).select_related("item", "professional")[:200],
        "item_form": item_form or ItemForm(),
        "movement_form": movement_form
        or MovementForm(items=items, professionals=_professionals(cpts) if manage else (), initial={"on": today}),
        "standard": [name for name in supplies.STANDARD_ITEMS if name not in {i.name for i in items}],
    }  # fmt: skip
    return render(request, "crisis/stock_ledger.html", context, status=status)


def stock(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, READ)
    return _page(request, cpts, crisis_of(cpts, crisis))


@require_POST
def stock_item_new(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    crisis = crisis_of(cpts, crisis)
    form, error = ItemForm(request.POST), None
    if form.is_valid():
        try:
            item = supplies.add_item(crisis, request.user, **form.cleaned_data)
        except ResponseError as exc:
            error = str(exc)
        else:
            messages.success(request, f"Article « {item.name} » ajouté au stock.")
            return redirect("www:crisis_stock", slug=cpts.slug, crisis=crisis.pk)
    return _page(request, cpts, crisis, item_form=form, error=error, status=400)


@require_POST
def stock_movement(request, slug, crisis):
    cpts = cpts_for(request, slug, Area.CRISIS_RESPONSE, WRITE)
    crisis = crisis_of(cpts, crisis)
    items = SupplyItem.objects.filter(crisis=crisis)
    form, error = MovementForm(request.POST, items=items, professionals=_professionals(cpts)), None
    if form.is_valid():
        item = form.chosen_item()
        try:
            movement = supplies.move(item, form.draft(), request.user)
        except ResponseError as exc:
            error = str(exc)
        else:
            messages.success(request, f"{movement.get_kind_display().capitalize()} de « {item.name} » enregistrée.")
            return redirect("www:crisis_stock", slug=cpts.slug, crisis=crisis.pk)
    return _page(request, cpts, crisis, movement_form=form, error=error, status=400)

"""Issue 17 — the offers of a member or of a commune's representative (Area.SUPPORT_OFFERS): they
post an installation offer (the coordination validates it before it is public), follow its state
and mark it filled or withdraw it. Their own offers only: those they posted, or posted for the
member of the association they act for (maillage/association/access.py `member_of`); any other
answers 404."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.association.access import member_of
from maillage.support import SupportError, offers
from maillage.support.models import Offer, OfferStatus
from maillage.www.feedback import form_errors
from maillage.www.scoping import READ, WRITE, Area, cpts_for
from maillage.www.support.forms import OfferForm, OfferMoveForm

OWN_MOVES = (OfferStatus.FILLED, OfferStatus.WITHDRAWN)


def _mine(request, slug, action=READ):
    cpts = cpts_for(request, slug, Area.SUPPORT_OFFERS, action)
    member = member_of(request.user, cpts)
    condition = Q(posted_by=request.user)
    if member is not None:
        condition |= Q(on_behalf_of=member)
    return cpts, member, Offer.objects.filter(cpts=cpts).filter(condition)


def my_offers(request, slug):
    cpts, member, mine = _mine(request, slug)
    rows = mine.select_related("commune").order_by("-created_at")[:200]
    return render(request, "support/my_offers.html", {"cpts": cpts, "member": member, "offers": rows})


def my_offer_new(request, slug):
    cpts, member, _ = _mine(request, slug, WRITE)
    form = OfferForm(request.POST or None, cpts=cpts)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            offer = offers.post_offer(cpts, form.draft(), request.user, on_behalf_of=member)
        except SupportError as exc:
            error = str(exc)
        else:
            messages.success(
                request, f"Annonce « {offer.title} » envoyée : la coordination de la CPTS la publiera après relecture."
            )
            return redirect("www:support_my_offers", slug=cpts.slug)
    status = 400 if request.method == "POST" else 200
    context = {"cpts": cpts, "form": form, "error": error, "coordination": False}
    return render(request, "support/offer_form.html", context, status=status)


@require_POST
def my_offer_move(request, slug, pk):
    cpts, _, mine = _mine(request, slug, WRITE)
    offer = get_object_or_404(mine, pk=pk)
    form = OfferMoveForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    elif form.cleaned_data["target"] not in OWN_MOVES:
        messages.error(request, "Seule la coordination publie ou refuse une annonce.")
    else:
        try:
            offer = offers.move(
                offer, form.cleaned_data["target"], request.user, version=form.cleaned_data.get("version")
            )
        except SupportError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Annonce « {offer.title} » désormais « {offer.get_status_display()} ».")
    return redirect("www:support_my_offers", slug=cpts.slug)

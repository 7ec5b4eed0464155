"""Issue 16 — the board: the coordinator's page of the mandates (conseil d'administration and
bureau), a new mandate, a mandate ended before its term. Writes are maillage/association/actions/
board.py's; their French refusals are shown as they are."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from maillage.association import board
from maillage.association.actions import AssociationError
from maillage.association.actions.board import MandateDraft, create_mandate, end_mandate
from maillage.association.models import Mandate, Member
from maillage.association.models.board import BoardRole, Body
from maillage.core import bounds
from maillage.core.french import elide
from maillage.core.versioning import StaleEdit, VersionedForm
from maillage.www.scoping import READ, WRITE, Area, cpts_for

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, member):
        return f"{member.display_name} — {member.college.name}"


class MandateForm(forms.Form):
    member = MemberChoice(
        label="Adhérent",
        queryset=Member.objects.none(),
        empty_label="Choisissez l'adhérent",
        error_messages={"invalid_choice": "Choisissez un adhérent de la CPTS.", "required": "Choisissez l'adhérent."},
    )
    body = forms.ChoiceField(label="Instance", choices=Body.choices)
    role = forms.ChoiceField(label="Fonction", choices=BoardRole.choices, initial=BoardRole.DIRECTOR)
    start_on = forms.DateField(label="Début du mandat", **DATE)
    end_on = forms.DateField(label="Fin du mandat", **DATE)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        # Every member of the CPTS is offered: the action says why one who is not à jour is refused.
        self.fields["member"].queryset = (
            Member.objects.of_cpts(cpts).select_related("college").order_by("last_name", "first_name", "name", "pk")
        )

    def draft(self) -> MandateDraft:
        data = self.cleaned_data
        return MandateDraft(data["member"], data["body"], data["role"], data["start_on"], data["end_on"])


class EndForm(VersionedForm):
    on = forms.DateField(label="Dernier jour du mandat", **DATE)
    note = forms.CharField(label="Motif (démission, fin d'adhésion…)", max_length=255, required=False)


def _page(request, cpts, form, error=None, status=200):
    today = timezone.localdate()
    held = board.sorted_mandates(board.mandates_on(cpts, today).select_related("member__college"))
    for mandate in held:
        mandate.renewal = board.renewal_due(mandate, today)
    coming = Mandate.objects.filter(cpts=cpts, start_on__gt=today).select_related("member").order_by("start_on")
    past = Mandate.objects.filter(cpts=cpts, end_on__lt=today).select_related("member").order_by("-end_on", "pk")
    context = {
        "cpts": cpts, "form": form, "error": error, "held": held, "coming": list(coming), "past": list(past),
        "renewals": sum(1 for m in held if m.renewal), "notice_days": board.RENEWAL_NOTICE_DAYS,
    }  # fmt: skip
    return render(request, "association/board/page.html", context, status=status)


def board_page(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, READ)
    return _page(request, cpts, MandateForm(cpts=cpts))


def mandate_new(request, slug):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    form = MandateForm(request.POST if request.method == "POST" else None, cpts=cpts)
    if request.method != "POST":
        return _page(request, cpts, form)
    error = None
    if form.is_valid():
        try:
            mandate = create_mandate(cpts, form.draft(), request.user)
        except AssociationError as exc:
            error = str(exc)
        else:
            messages.success(
                request, f"Mandat enregistré : {mandate.member.display_name}, {mandate.get_role_display()}."
            )
            return redirect("www:association_board", slug=cpts.slug)
    return _page(request, cpts, form, error, status=400)


def mandate_end(request, slug, pk):
    cpts = cpts_for(request, slug, Area.ASSOCIATION, WRITE)
    mandate = get_object_or_404(Mandate.objects.filter(cpts=cpts).select_related("member"), pk=pk)
    form = EndForm(
        request.POST if request.method == "POST" else None,
        initial={"on": min(timezone.localdate(), mandate.end_on)},
        version=mandate.version,
    )
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            end_mandate(mandate, request.user, on=data["on"], note=data["note"], expected_version=form.expected_version)
        except StaleEdit:
            error = "Ce mandat vient d'être modifié par quelqu'un d'autre : rechargez la page pour voir son état."
        except AssociationError as exc:
            error = str(exc)
        else:
            whose = elide("de", mandate.member.display_name)
            messages.success(request, f"Mandat {whose} terminé le {data['on']:%d/%m/%Y}.")
            return redirect("www:association_board", slug=cpts.slug)
    status = 400 if request.method == "POST" else 200
    context = {"cpts": cpts, "mandate": mandate, "form": form, "error": error}
    return render(request, "association/board/end.html", context, status=status)

"""Partners of a CPTS that are in neither national file: town halls, CCAS, DAC, associations.

The team of the CPTS reads the list; its coordinators add and correct partners.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.french import elide
from maillage.core.identifiers import is_valid_siren
from maillage.core.versioning import StaleEdit, VersionedForm
from maillage.directory import actions
from maillage.directory.models import Partner
from maillage.territory.models import Commune
from maillage.www.scoping import WRITE, Area, cpts_for, may


class PartnerForm(VersionedForm, forms.ModelForm):
    commune = forms.CharField(
        label="Commune (code INSEE)", required=False, help_text="Par exemple 92046 pour Malakoff."
    )
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")
    # Longer than 9: people type SIREN numbers with spaces ("219 200 466"), removed below.
    siren = forms.CharField(
        label="SIREN", required=False, max_length=20, help_text="9 chiffres, s'il y en a un (mairies, associations…)."
    )

    class Meta:
        model = Partner
        fields = ["kind", "name", "siren", "address", "postal_code", "commune", "phone", "email", "website", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.commune_id:
            self.initial["commune"] = self.instance.commune_id

    def clean_siren(self):
        siren = "".join(self.cleaned_data.get("siren", "").split())
        if siren and not is_valid_siren(siren):
            raise forms.ValidationError("Ce numéro SIREN n'est pas valide (9 chiffres, clé de contrôle).")
        return siren

    def clean_commune(self):
        code = self.cleaned_data.get("commune", "").strip().upper()
        if not code:
            return None
        commune = Commune.objects.units().filter(code=code).first()
        if commune is None:
            raise forms.ValidationError(f"Commune inconnue : « {code} ». Indiquez son code INSEE à 5 caractères.")
        return commune


def _coordinates(request, cpts) -> bool:
    return may(request, Area.DIRECTORY, WRITE, cpts)


def partner_list(request, slug):
    cpts = cpts_for(request, slug, Area.DIRECTORY)
    can_edit = _coordinates(request, cpts)
    form = PartnerForm(request.POST or None) if can_edit else None
    status = 200
    if request.method == "POST":
        if not can_edit:
            return render(request, "errors/404.html", status=404)
        if form.is_valid():
            partner, _ = actions.save_partner(cpts, form.cleaned_data, request.user)
            messages.success(request, f"{partner.name} a été ajouté aux partenaires.")
            return redirect("www:directory_partners", slug=cpts.slug)
        status = 400
    partners = Partner.objects.of_cpts(cpts).select_related("commune").order_by("kind", "name")
    return render(
        request,
        "directory/partners.html",
        {"cpts": cpts, "partners": partners, "form": form, "can_edit": can_edit},
        status=status,
    )


def partner_edit(request, slug, pk):
    cpts = cpts_for(request, slug, Area.DIRECTORY, WRITE)
    partner = get_object_or_404(Partner.objects.of_cpts(cpts), pk=pk)
    form = PartnerForm(request.POST or None, instance=Partner.objects.get(pk=partner.pk))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            _, changed = actions.save_partner(
                cpts, form.cleaned_data, request.user, partner=partner, expected_version=form.expected_version
            )
        except StaleEdit as exc:
            form.refuse(exc)
            status = 409
        else:
            if changed:
                messages.success(request, f"La fiche {elide('de', str(partner.name))} a été mise à jour.")
            return redirect("www:directory_partners", slug=cpts.slug)
    return render(
        request, "directory/partner_edit.html", {"cpts": cpts, "partner": partner, "form": form}, status=status
    )

"""Forms of the care requests (issue 15 item 5): they read what was typed; the rules are the
actions' (maillage/pathways/actions/requests.py), whose French refusals the views show as is."""

from django import forms

from maillage.core import bounds
from maillage.directory.models import Skill
from maillage.pathways.reach import MAX_RADIUS_KM
from maillage.pathways.states import Profession
from maillage.territory.models import Commune
from maillage.www.doctor_access.forms import CommuneChoiceField
from maillage.www.pathways.forms import directory_people, person_from

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}
PROFESSIONS = [("", "Choisissez la profession"), *Profession.choices]
RADIUS = {
    "min_value": 1,
    "max_value": MAX_RADIUS_KM,
    "error_messages": {
        "min_value": f"Le rayon de recherche doit être entre 1 et {MAX_RADIUS_KM} km.",
        "max_value": f"Le rayon de recherche doit être entre 1 et {MAX_RADIUS_KM} km.",
        "invalid": "Indiquez le rayon en kilomètres (un nombre entier).",
    },
}


class CareRequestForm(forms.Form):
    profession_code = forms.ChoiceField(label="Profession recherchée", choices=PROFESSIONS)
    skill = forms.ModelChoiceField(
        queryset=Skill.objects.order_by("label"),
        required=False,
        label="Compétence particulière (facultatif)",
        empty_label="Aucune en particulier",
    )
    need = forms.CharField(
        label="Besoin",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Les soins et leur fréquence, sans le nom du patient : ce texte est montré à tous les "
        "professionnels sollicités (par exemple « pansement complexe à domicile, 3 fois par semaine »).",
    )
    start_on = forms.DateField(label="À partir du", **DATE)
    commune = CommuneChoiceField(
        queryset=None,
        required=False,
        label="Commune du patient",
        empty_label="Choisissez la commune",
        error_messages={"invalid_choice": "Commune inconnue : choisissez dans la liste."},
    )
    commune_code = forms.CharField(label="ou code INSEE d'une commune hors du territoire", max_length=5, required=False)
    radius_km = forms.IntegerField(label="Rayon de recherche (km)", initial=10, **RADIUS)
    usual_professional = forms.ChoiceField(
        label="Professionnel habituel du patient (facultatif)",
        required=False,
        help_text="Il reçoit la demande seul pendant quelques heures, avant les autres professionnels.",
    )
    patient_name = forms.CharField(
        label="Nom et prénom du patient",
        max_length=200,
        required=False,
        help_text="Montrés seulement au professionnel qui accepte la demande.",
    )
    patient_phone = forms.CharField(label="Téléphone du patient", max_length=30, required=False)
    patient_address = forms.CharField(label="Adresse du patient", max_length=250, required=False)

    def __init__(self, *args, cpts, pathway=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pathway = pathway
        self.fields["commune"].queryset = cpts.communes().order_by("name")
        professionals = directory_people(cpts)[0]
        self.fields["usual_professional"].choices = [("", "Aucun"), professionals]
        if pathway is not None:
            # The pathway gives the patient's identity and commune; its team gives the usual professional.
            for name in ("patient_name", "patient_phone", "commune", "commune_code", "usual_professional"):
                del self.fields[name]

    def clean_commune_code(self):
        code = (self.cleaned_data.get("commune_code") or "").strip().upper()
        if code and not Commune.objects.filter(code=code).exists():
            raise forms.ValidationError(f"Aucune commune n'a le code INSEE « {code} ».")
        return code

    def clean(self):
        data = super().clean()
        if self.pathway is None:
            if data.get("commune") is None and not data.get("commune_code") and "commune_code" not in self.errors:
                self.add_error("commune", "Indiquez la commune du patient : dans la liste, ou par son code INSEE.")
            elif data.get("commune") is None and data.get("commune_code"):
                data["commune"] = Commune.objects.get(code=data["commune_code"])
            if not (data.get("patient_name") or "").strip():
                self.add_error("patient_name", "Indiquez le nom du patient.")
            data["usual"] = person_from(data.get("usual_professional"))
        return data


class WidenForm(forms.Form):
    radius_km = forms.IntegerField(label="Nouveau rayon (km)", **RADIUS)
    profession_code = forms.ChoiceField(label="Profession recherchée", choices=Profession.choices)

"""Forms of the waiting list. Messages are French and say what to do."""

from datetime import date

from django import forms
from django.utils import timezone

from maillage.core import bounds
from maillage.core.bounds import plausible_date
from maillage.core.identifiers import is_valid_nir
from maillage.core.versioning import VersionedForm
from maillage.doctor_access.consent import CONSENT_TEXT
from maillage.doctor_access.models import AccessSettings, DoctorOffer, DoctorRequest, Proposal
from maillage.doctor_access.priority import Criterion
from maillage.doctor_access.states import MANUAL, CloseReason, Status
from maillage.www.spam import HumanCheck

SITUATION_FIELDS = [
    "ald", "c2s_ame", "precarity", "isolation", "pregnancy", "chronic_disease", "disability", "hospital_discharge",
]  # fmt: skip


class CommuneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        postal = obj.postal_codes[0] if obj.postal_codes else ""
        return f"{obj.name} ({postal})" if postal else obj.name


class IntakeForm(forms.ModelForm):
    commune = CommuneChoiceField(
        queryset=None,
        label="Commune de résidence",
        empty_label="Choisissez la commune",
        error_messages={
            "invalid_choice": "Commune inconnue ou hors du territoire de la CPTS : choisissez dans la liste."
        },
    )
    nir = forms.CharField(
        label="Numéro de sécurité sociale (facultatif)",
        required=False,
        max_length=25,
        help_text="15 chiffres, clé comprise (les espaces sont acceptés).",
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        error_messages={"required": "Sans votre accord, la CPTS ne peut pas enregistrer la demande."},
    )

    class Meta:
        formfield_callback = bounds.formfield
        model = DoctorRequest
        fields = ["last_name", "first_name", "birth_date", "phone", "email", "address", "nir", "commune",
                  *SITUATION_FIELDS]  # fmt: skip
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"address": "Adresse (facultative)", "email": "Adresse électronique"}

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = cpts.communes().order_by("name")
        self.fields["birth_date"].required = True
        self.fields["birth_date"].error_messages["invalid"] = "Date de naissance invalide (jj/mm/aaaa)."
        for name in ("last_name", "first_name", "phone", "email"):
            self.fields[name].widget.attrs["autocomplete"] = {
                "last_name": "family-name", "first_name": "given-name", "phone": "tel", "email": "email",
            }[name]  # fmt: skip

    def clean_birth_date(self):
        born = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if born > today:
            raise forms.ValidationError("La date de naissance est dans le futur.")
        if born < date(today.year - 120, 1, 1):
            raise forms.ValidationError("La date de naissance est trop ancienne : vérifiez l'année.")
        return born

    def clean_nir(self):
        nir = "".join(self.cleaned_data.get("nir", "").split()).upper()
        if nir and not is_valid_nir(nir):
            raise forms.ValidationError(
                "Ce numéro de sécurité sociale n'est pas valide (15 caractères, clé de contrôle)."
            )
        return nir

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError("Indiquez un téléphone ou une adresse électronique pour être recontacté.")
        return data


class PublicIntakeForm(HumanCheck, IntakeForm):
    """The form patients fill (maillage/www/spam.py keeps robots off it)."""


class ReferralForm(IntakeForm):
    referrer_label = forms.CharField(
        label="Orienté par",
        max_length=200,
        help_text="Votre profession et votre structure, par exemple « pharmacie du centre ».",
    )


class QualifyForm(VersionedForm, forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = DoctorRequest
        fields = [*SITUATION_FIELDS, "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}


class TransitionForm(forms.Form):
    target = forms.ChoiceField(label="Nouvel état", choices=Status.choices)
    close_reason = forms.ChoiceField(
        label="Motif de clôture", choices=[("", "—"), *CloseReason.choices], required=False
    )
    note = forms.CharField(label="Commentaire", max_length=255, required=False)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = MANUAL.get(request.status, ())
        self.fields["target"].choices = [(s.value, s.label) for s in allowed]

    def clean(self):
        data = super().clean()
        if data.get("target") == Status.CLOSED and not data.get("close_reason"):
            self.add_error("close_reason", "Indiquez le motif de clôture.")
        return data


class WeightsForm(forms.Form):
    """One weight and one rank per criterion; the list is ordered by rank, then by weight."""

    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
        for position, weight in enumerate(weights):
            label = Criterion(weight.criterion).label
            self.fields[f"poids_{weight.criterion}"] = forms.IntegerField(
                label=f"Poids — {label}", min_value=0, max_value=100, initial=weight.weight
            )
            self.fields[f"ordre_{weight.criterion}"] = forms.IntegerField(
                label=f"Rang — {label}", min_value=1, max_value=len(weights), initial=position + 1
            )
        self.criteria = [w.criterion for w in weights]

    def ordered(self) -> list[tuple[str, int]]:
        data = self.cleaned_data
        ranked = sorted(self.criteria, key=lambda c: (data[f"ordre_{c}"], -data[f"poids_{c}"], self.criteria.index(c)))
        return [(criterion, data[f"poids_{criterion}"]) for criterion in ranked]

    def rows(self):
        return [(Criterion(c).label, self[f"poids_{c}"], self[f"ordre_{c}"]) for c in self.criteria]


class SettingsForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = AccessSettings
        fields = ["proposal_days", "reach_km", "purge_months"]


class OfferForm(VersionedForm, forms.ModelForm):
    commune = CommuneChoiceField(queryset=None, label="Commune du cabinet", empty_label=None)
    communes = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        label="Communes desservies (aucune cochée : toutes)",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        formfield_callback = bounds.formfield
        model = DoctorOffer
        fields = ["capacity", "mode", "priority_only", "max_distance_km", "commune", "communes", "paused"]
        help_texts = {"max_distance_km": "Laissez vide pour la distance par défaut de la CPTS."}

    def __init__(self, *args, cpts, practice_communes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = practice_communes
        self.fields["communes"].queryset = cpts.communes().order_by("name")


class DeclineForm(forms.Form):
    # No reason preselected: the doctor chooses one, or the refusal is sent back with a message.
    reason = forms.ChoiceField(
        label="Motif du refus",
        choices=[("", "— choisissez un motif —"), *Proposal.DeclineReason.choices],
        error_messages={"required": "Indiquez le motif du refus."},
    )
    note = forms.CharField(label="Précision (facultative)", max_length=255, required=False)


class DeclareForm(forms.Form):
    declared_on = forms.DateField(
        label="Déclaré le",
        validators=[plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": "Indiquez la date de la déclaration de médecin traitant.",
            "invalid": "Date de déclaration non reconnue : utilisez le format jj/mm/aaaa.",
        },
    )

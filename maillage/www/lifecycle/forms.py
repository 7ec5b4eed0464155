from django import forms

from maillage.core import bounds
from maillage.core.versioning import VersionedForm
from maillage.lifecycle.milestones import Kind
from maillage.lifecycle.phases import Phase


class MilestoneForm(VersionedForm, forms.Form):
    date = forms.DateField(
        label="Date",
        validators=[bounds.plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # Parsed by the action (it accepts "12 500,50"), which also refuses a negative amount.
    amount = forms.CharField(label="Montant (€)", required=False, max_length=20)
    note = forms.CharField(label="Précision", required=False, max_length=255)


class PhaseForm(forms.Form):
    target = forms.ChoiceField(label="Nouvelle phase", choices=Phase.choices)
    note = forms.CharField(label="Motif", required=False, max_length=255)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Jalon", choices=Kind.choices)
    file = forms.FileField(label="Fichier")

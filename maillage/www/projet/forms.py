"""Forms of the projet de santé. The rules live in maillage/projet/fiches.py, shared with the actions."""

from django import forms
from django.core.exceptions import ValidationError

from maillage.core import bounds
from maillage.core.versioning import VersionedForm
from maillage.indicators import registry
from maillage.indicators.registry import Mission
from maillage.projet import fiches as rules
from maillage.projet.models import FicheAction, ProjetSante

TEXTAREA = {"rows": 4}


class TextsForm(VersionedForm, forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = ProjetSante
        fields = ["presentation", "governance", "diagnostic_comment"]
        labels = {
            "presentation": "Présentation de la CPTS (histoire, association, professionnels engagés)",
            "governance": "Gouvernance (bureau, collèges, instances, fonctionnement)",
            "diagnostic_comment": "Analyse du diagnostic territorial (besoins prioritaires)",
        }
        help_texts = {"presentation": "Une ligne commençant par « - » devient une puce dans le document Word."}
        widgets = {name: forms.Textarea(attrs={"rows": 8}) for name in fields}


class FicheForm(VersionedForm, forms.Form):
    """Every field optional here: `rules.clean_fiche` says what is missing, in the same words the
    actions use."""

    mission = forms.ChoiceField(
        label="Mission", choices=[("", "Choisissez la mission"), *Mission.choices], required=False
    )
    title = forms.CharField(label="Intitulé", required=False, max_length=200)
    objective = forms.CharField(
        label="Objectif", required=False, max_length=bounds.MAX_TEXT, widget=forms.Textarea(attrs=TEXTAREA)
    )
    needs = forms.CharField(
        label="Besoins identifiés", required=False, max_length=bounds.MAX_TEXT, widget=forms.Textarea(attrs=TEXTAREA)
    )
    actions = forms.CharField(
        label="Actions", required=False, max_length=bounds.MAX_TEXT, widget=forms.Textarea(attrs=TEXTAREA)
    )
    lead = forms.CharField(label="Pilote", required=False, max_length=200)
    partners = forms.CharField(
        label="Partenaires", required=False, max_length=bounds.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    means = forms.CharField(
        label="Moyens", required=False, max_length=bounds.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )
    calendar = forms.CharField(
        label="Calendrier", required=False, max_length=bounds.MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("title", "lead"):
            self.fields[name].error_messages["max_length"] = "Ce texte dépasse %(limit_value)d caractères."

    @classmethod
    def for_fiche(cls, fiche: FicheAction):
        return cls(initial=cls.initial_of(fiche), version=fiche.version)

    @staticmethod
    def initial_of(fiche: FicheAction) -> dict:
        return {name: getattr(fiche, name) for name in ["mission", *rules.FICHE_TEXTS]}

    def clean(self):
        try:
            return rules.clean_fiche(super().clean())
        except ValidationError as exc:
            self.add_error(None, exc)
        return self.cleaned_data


class IndicatorForm(forms.Form):
    code = forms.CharField(label="Code du registre (facultatif)", required=False, max_length=120)
    label = forms.CharField(label="Indicateur", required=False, max_length=300)
    unit = forms.CharField(label="Unité (% pour un pourcentage)", required=False, max_length=60)
    baseline = forms.CharField(label="Valeur initiale", required=False, max_length=30)
    intermediate = forms.CharField(label="Valeur intermédiaire", required=False, max_length=30)
    target = forms.CharField(label="Cible", required=False, max_length=30)

    def clean(self):
        data = super().clean()
        if not any((value or "").strip() for value in data.values()):
            return {}  # an empty row (or a row cleared to remove the indicator)
        try:
            return rules.clean_indicator(data)
        except ValidationError as exc:
            self.add_error(None, exc)
        return self.cleaned_data


# absolute_max: Django's default (max_num + 1000) would build a thousand rows before refusing them.
IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2, max_num=20, validate_max=True, absolute_max=20)


def indicator_formset(data=None, fiche: FicheAction | None = None):
    initial = []
    if fiche is not None:
        for i in fiche.indicators.all():
            initial.append(
                {
                    "code": i.code,
                    "label": i.label,
                    "unit": i.unit,
                    **{name: _plain(getattr(i, name)) for name in rules.VALUE_FIELDS},
                }
            )
    formset = IndicatorFormSet(data, initial=initial, prefix="indicateurs")
    return formset


def _plain(value) -> str:
    """A stored value as the coordinator would type it: 12,5 rather than 12.50."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text.replace(".", ",")


def indicator_rows(formset) -> list[dict]:
    return [form.cleaned_data for form in formset.forms if form.cleaned_data]


def registry_codes() -> list[tuple[str, str]]:
    """The registered indicators, offered as suggestions next to the code field."""
    return sorted((code, indicator.label) for code, indicator in registry.REGISTRY.items())

"""The form a coordinator enters an external indicator's value with. The checks themselves are
the action's (`maillage.indicators.entry`): the form only puts each message beside its field."""

from django import forms

from maillage.indicators import entry, registry

# entry's field names → the form's
FIELDS = {
    "code": "code",
    "period": "periode",
    "value": "valeur",
    "numerator": "numerateur",
    "denominator": "denominateur",
    "source": "source",
    "source_date": "date_source",
}


class ValueForm(forms.Form):
    code = forms.ChoiceField(
        label="Indicateur",
        choices=(),
        error_messages={"invalid_choice": "Indicateur inconnu ou qui ne se saisit pas : choisissez dans la liste."},
    )
    periode = forms.CharField(
        label="Période",
        required=False,
        max_length=10,
        help_text="2025 (année), 2025-T4 (trimestre) ou 2025-11 (mois).",
    )
    valeur = forms.CharField(label="Valeur", required=False, max_length=30)
    numerateur = forms.CharField(label="Numérateur (pour un ratio)", required=False, max_length=30)
    denominateur = forms.CharField(label="Dénominateur (pour un ratio)", required=False, max_length=30)
    source = forms.CharField(
        label="Source", required=False, max_length=200, help_text=f"Par exemple « {entry.EXAMPLE_SOURCE} »."
    )
    date_source = forms.CharField(
        label="Date de la source",
        required=False,
        max_length=20,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="jj/mm/aaaa",
    )

    def __init__(self, *args, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(i.code, i.label) for i in registry.external()]
        self.fields["code"].error_messages["required"] = "Choisissez l'indicateur."
        if indicator is not None:
            # On an indicator's own page the indicator is given, and only its fields are asked.
            self.fields["code"].widget = forms.HiddenInput()
            self.initial["code"] = indicator.code
            unused = ("valeur",) if indicator.kind == registry.Kind.RATIO else ("numerateur", "denominateur")
            for name in unused:
                del self.fields[name]
            if indicator.kind == registry.Kind.RATIO:
                self.fields["numerateur"].label = f"Numérateur : {indicator.numerator}"
                self.fields["denominateur"].label = f"Dénominateur : {indicator.denominator}"
            else:
                self.fields["valeur"].label = f"Valeur ({indicator.unit})"

    def clean(self):
        # Every field is optional for Django: the entry's own checks say what is missing, in the
        # same words as everywhere else.
        data = super().clean()
        if "code" in self.errors:
            return data
        try:
            entry.check(**self.action_arguments())
        except entry.EntryError as exc:
            for field, message in exc.errors.items():
                name = FIELDS[field]
                if name in self.errors:
                    continue  # already told (e.g. too long)
                visible = name in self.fields and not self.fields[name].widget.is_hidden
                self.add_error(name if visible else None, message)
        return data

    def action_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "code": data.get("code"),
            "period": data.get("periode", ""),
            "value": data.get("valeur"),
            "numerator": data.get("numerateur"),
            "denominator": data.get("denominateur"),
            "source": data.get("source", ""),
            "source_date": data.get("date_source"),
        }

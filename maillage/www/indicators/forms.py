"""The form a coordinator enters an external indicator's value with. The checks themselves are
the action's (`maillage.indicators.entry`): the form only puts each message beside its field."""

from django import forms

from maillage.core import versioning
from maillage.indicators import entry, registry
from maillage.indicators.models import IndicatorValue
from maillage.indicators.periods import Period, PeriodError

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

    # The versions of the CPTS's entered values when the form was read ("code@period=version;…"):
    # the one of the value posted is checked by the action, so that a value someone else entered
    # or corrected meanwhile is not silently replaced (ADR 0017).
    # Every entered value of the CPTS as « code@period=version; »: a few thousand at the very most.
    versions = forms.CharField(widget=versioning.VersionInput, required=False, max_length=100_000)
    stale = None  # the Conflict after a refused save

    def __init__(self, *args, cpts, indicator=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cpts, self.indicator = cpts, indicator
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
        self.fields["versions"].initial = self.read_versions()

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

    def read_versions(self) -> str:
        rows = IndicatorValue.objects.filter(cpts=self.cpts, code__in=[c for c, _ in self.fields["code"].choices])
        if self.indicator is not None:
            rows = rows.filter(code=self.indicator.code)
        return ";".join(
            f"{code}@{period}={version}" for code, period, version in rows.values_list("code", "period", "version")
        )

    @property
    def expected_version(self) -> int:
        """The posted version of the value being entered: 0 if there was none, -1 if unreadable."""
        posted = self.data.get("versions")
        try:
            seen = dict(part.rsplit("=", 1) for part in posted.split(";") if part)
            key = f"{self.cleaned_data.get('code')}@{Period.parse(self.cleaned_data.get('periode', '')).code}"
            return int(seen.get(key, 0))
        except (AttributeError, ValueError, PeriodError):
            return -1

    def refuse(self, exc: versioning.StaleEdit) -> versioning.Conflict:
        """As `VersionedForm.refuse`: the input kept, the versions read again, the other change described."""
        current = exc.current
        saved = {} if current is None else {
            "valeur": current.value, "numerateur": current.numerator, "denominateur": current.denominator,
            "source": current.source, "date_source": current.source_date,
        }  # fmt: skip
        data = self.data.copy()
        data["versions"] = self.read_versions()
        self.data = data
        self.stale = versioning.conflict(current, versioning.differences(self, saved))
        return self.stale

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

"""Forms of the fees: they read what was typed (amounts in euros the French way); the rules are the
actions' (maillage/association/actions/fees.py)."""

from django import forms
from django.utils import timezone

from maillage.association.actions.fees import REFERENCE_MAX, PaymentDraft, year_label
from maillage.association.models.fees import FeeSettings, PaymentMethod
from maillage.association.money import figures, parse_cents
from maillage.core import bounds
from maillage.core.versioning import VersionedForm

AMOUNT_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "class": "amount"}


class AmountField(forms.CharField):
    """An amount in euros (« 50 », « 1 234,50 ») → cents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", bounds.MAX_NUMBER_TEXT)
        kwargs.setdefault("widget", forms.TextInput(attrs=AMOUNT_ATTRS))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)  # the length is checked on the text
        if text in self.empty_values:
            return None
        try:
            return parse_cents(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class RatesForm(forms.Form):
    """One amount per collège for a year: empty = no fee set (nothing due), 0 = free."""

    def __init__(self, *args, colleges, rates, **kwargs):
        super().__init__(*args, **kwargs)
        self.colleges = list(colleges)
        for college in self.colleges:
            cents = rates.get(college.pk)
            self.fields[f"c{college.pk}"] = AmountField(
                label=college.name,
                required=False,
                initial=figures(cents) if cents is not None else "",
                help_text="En euros ; 0 : gratuite ; vide : aucune cotisation fixée.",
            )

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if value is not None and value < 0:
                self.add_error(name, "Une cotisation n'est pas négative (0 : gratuite).")
        return cleaned

    def amounts(self) -> dict:
        return {college.pk: self.cleaned_data.get(f"c{college.pk}") for college in self.colleges}


class FeeSettingsForm(VersionedForm, forms.ModelForm):
    payment_url = forms.URLField(
        label=FeeSettings._meta.get_field("payment_url").verbose_name.capitalize(),
        help_text=FeeSettings._meta.get_field("payment_url").help_text,
        max_length=500,
        required=False,
        assume_scheme="https",
        # A text box (styled full width like the others), with the phone keyboard for addresses.
        widget=forms.TextInput(
            attrs={"inputmode": "url", "autocomplete": "url", "placeholder": "https://www.helloasso.com/associations/…"}
        ),
    )

    class Meta:
        model = FeeSettings
        fields = ["payment_url", "reminder_days"]
        widgets = {
            "reminder_days": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1, "max": 180}),
        }
        formfield_callback = bounds.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reminder_days"].min_value = 1


class PaymentForm(forms.Form):
    year = forms.TypedChoiceField(label="Année d'adhésion réglée", coerce=int, choices=())
    amount = AmountField(label="Montant (€)")
    paid_on = forms.DateField(
        label="Date du paiement",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[bounds.plausible_date],
    )
    method = forms.ChoiceField(label="Mode de paiement", choices=PaymentMethod.choices)
    reference = forms.CharField(
        label="Référence",
        max_length=REFERENCE_MAX,
        required=False,
        help_text="Numéro du chèque et banque, libellé du virement ou numéro de la transaction en ligne.",
    )

    def __init__(self, *args, statutes, current: int, suggested_year: int, suggested_cents, **kwargs):
        super().__init__(*args, **kwargs)
        years = [current - 1, current, current + 1]
        self.fields["year"].choices = [(y, year_label(statutes, y)) for y in years]
        self.fields["year"].initial = suggested_year
        self.fields["amount"].initial = figures(suggested_cents) if suggested_cents else ""
        self.fields["paid_on"].initial = timezone.localdate()
        self.fields["method"].initial = PaymentMethod.CHEQUE

    def draft(self) -> PaymentDraft:
        data = self.cleaned_data
        return PaymentDraft(
            year=data["year"], amount_cents=data["amount"], paid_on=data["paid_on"], method=data["method"],
            reference=data["reference"],
        )  # fmt: skip

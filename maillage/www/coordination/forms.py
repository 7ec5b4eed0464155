from datetime import datetime, time

from django import forms
from django.utils import timezone

from maillage.core import bounds
from maillage.core.audit_labels import label
from maillage.core.models import AuditEntry
from maillage.core.versioning import VersionedForm


class AuditFilterForm(forms.Form):
    actor = forms.ChoiceField(label="Auteur", required=False)
    action = forms.ChoiceField(label="Action", required=False)
    since = forms.DateField(
        label="Du", required=False, validators=[bounds.plausible_date], widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Au", required=False, validators=[bounds.plausible_date], widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        entries = AuditEntry.objects.filter(cpts=cpts).order_by()
        actors = sorted(set(entries.values_list("actor_label", flat=True)))
        codes = sorted(set(entries.values_list("action", flat=True)))
        self.fields["actor"].choices = [("", "Tous")] + [(a, a) for a in actors]
        labelled = sorted(((c, label(c)) for c in codes), key=lambda c: c[1])
        self.fields["action"].choices = [("", "Toutes"), *labelled]

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("La date de début doit précéder la date de fin.")
        return data

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(actor_label=data["actor"])
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        tz = timezone.get_current_timezone()
        if data.get("since"):
            entries = entries.filter(at__gte=datetime.combine(data["since"], time.min, tzinfo=tz))
        if data.get("until"):
            entries = entries.filter(at__lte=datetime.combine(data["until"], time.max, tzinfo=tz))
        return entries


PHONE_CHARACTERS = set("0123456789 +.-()")


class ContactsForm(VersionedForm):
    """The public contacts of a CPTS, shown on its public page and to the patients who ask it for a
    médecin traitant."""

    contact_email = forms.EmailField(label="Adresse de contact", required=False, max_length=254)
    phone = forms.CharField(
        label="Numéro unique (téléphone)",
        required=False,
        max_length=20,
        help_text="Le numéro que les patients appellent pour un rendez-vous le jour même.",
    )

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = sum(c.isdigit() for c in phone)
        if phone and (not set(phone) <= PHONE_CHARACTERS or not 3 <= digits <= 15):
            raise forms.ValidationError("Saisissez un numéro de téléphone, par exemple 01 23 45 67 89.")
        return phone

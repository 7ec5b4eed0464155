from datetime import datetime, time

from django import forms
from django.utils import timezone

from maillage.core import bounds
from maillage.core.audit_labels import label
from maillage.core.models import AuditEntry


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

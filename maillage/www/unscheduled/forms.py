"""Forms of unscheduled care; messages in French."""

from datetime import datetime

from django import forms
from django.utils import timezone

from maillage.core import bounds
from maillage.core.versioning import VersionedForm
from maillage.territory.models import Commune
from maillage.unscheduled.enums import Kind, SlotType, UnmetReason, Urgency
from maillage.unscheduled.models import Alternative, CareRequest, SlotTemplate
from maillage.www.coordination.forms import PHONE_CHARACTERS
from maillage.www.doctor_access.forms import CommuneChoiceField

PROFESSIONS = [
    ("10", "Médecin"), ("60", "Infirmier"), ("70", "Masseur-kinésithérapeute"), ("50", "Sage-femme"),
    ("40", "Chirurgien-dentiste"), ("21", "Pharmacien"),
]  # fmt: skip


class TypesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            choices=SlotType.choices,
            label="Réservable par",
            error_messages={"required": "Indiquez qui peut réserver ce créneau (au moins un type)."},
            **kwargs,
        )


class SlotForm(forms.Form):
    day = forms.DateField(
        label="Jour",
        validators=[bounds.plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_time = forms.TimeField(label="Début", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label="Fin", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    kind = forms.ChoiceField(label="Type de consultation", choices=Kind.choices)
    types = TypesField(initial=[SlotType.CPTS, SlotType.SNP])

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("start_time") and data.get("end_time"):
            data["start"] = timezone.make_aware(datetime.combine(data["day"], data["start_time"]))
            data["end"] = timezone.make_aware(datetime.combine(data["day"], data["end_time"]))
        return data

    @classmethod
    def initial_for(cls, slot):
        start, end = timezone.localtime(slot.start), timezone.localtime(slot.end)
        return {"day": start.date(), "start_time": start.time(), "end_time": end.time(), "kind": slot.kind,
                "types": slot.types}  # fmt: skip


class SlotEditForm(VersionedForm, SlotForm):
    """Editing an open slot: it carries the version it was read at."""


class TemplateForm(forms.ModelForm):
    types = TypesField(initial=[SlotType.CPTS, SlotType.SNP])
    weeks = forms.IntegerField(label="Ouvrir pour les semaines à venir", min_value=1, max_value=12, initial=4)

    class Meta:
        formfield_callback = bounds.formfield
        model = SlotTemplate
        fields = ["weekday", "start_time", "end_time", "length", "kind"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class CareRequestForm(forms.ModelForm):
    commune = CommuneChoiceField(
        queryset=None,
        label="Commune du patient",
        empty_label="Choisissez la commune",
        error_messages={
            "invalid_choice": "Commune inconnue ou hors du territoire de la CPTS : choisissez dans la liste."
        },
    )
    profession_code = forms.ChoiceField(label="Professionnel recherché", choices=PROFESSIONS, initial="10")

    class Meta:
        formfield_callback = bounds.formfield
        model = CareRequest
        fields = ["last_name", "first_name", "birth_date", "phone", "email", "commune", "reason", "urgency",
                  "cannot_travel", "profession_code", "notes"]  # fmt: skip
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"birth_date": "Date de naissance (facultative)", "email": "Adresse électronique (facultative)"}

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].queryset = cpts.communes().order_by("name")
        if "urgency" in self.fields:
            self.fields["urgency"].initial = Urgency.DAY

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise forms.ValidationError("La date de naissance est dans le futur.")
        return born

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email"):
            raise forms.ValidationError("Indiquez un téléphone pour confirmer le rendez-vous au patient.")
        return data


class SasBookingForm(CareRequestForm):
    """Issue 18 — what a regulator of the SAS enters to book a slot: the patient's identity and
    phone (the practice calls them back), the commune, and an optional reason without detail."""

    profession_code = None  # the slot's own profession (maillage/unscheduled/actions/sas_booking.py)

    class Meta(CareRequestForm.Meta):
        fields = ["last_name", "first_name", "birth_date", "phone", "commune", "reason"]
        labels = {"birth_date": "Date de naissance", "phone": "Téléphone du patient",
                  "reason": "Motif (facultatif, sans détail médical)"}  # fmt: skip
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, cpts=cpts, **kwargs)
        # The patient may live outside the CPTS's territory: any commune of its départements.
        departements = cpts.communes().values("departement_id")
        self.fields["commune"].queryset = Commune.objects.units().filter(departement__in=departements).order_by("name")
        self.fields["commune"].error_messages["invalid_choice"] = "Commune inconnue : choisissez dans la liste."
        self.fields["commune"].label = "Commune du patient"
        for name in ("birth_date", "phone"):
            self.fields[name].required = True
        self.fields["reason"].required = False

    def clean_phone(self):
        phone = " ".join(self.cleaned_data["phone"].split())
        digits = sum(c.isdigit() for c in phone)
        if not set(phone) <= PHONE_CHARACTERS or not 10 <= digits <= 15:
            raise forms.ValidationError("Saisissez le téléphone du patient, par exemple 06 12 34 56 78.")
        return phone

    def clean(self):
        # The desk's « a phone or an email » rule: the phone is required here.
        return forms.ModelForm.clean(self)


class UnmetForm(forms.Form):
    reason = forms.ChoiceField(label="Motif", choices=UnmetReason.choices)
    note = forms.CharField(label="Précision (facultative)", max_length=255, required=False)


HORIZONS = {"24h": 24, "72h": 72, "7j": 7 * 24}


def horizon_hours(value: str) -> int:
    return HORIZONS.get(value, 24)


class AlternativeForm(forms.ModelForm):
    class Meta:
        formfield_callback = bounds.formfield
        model = Alternative
        fields = ["kind", "name", "phone", "hours", "order"]


class AlternativeEditForm(VersionedForm, AlternativeForm):
    """Editing an alternative: it carries the version it was read at."""

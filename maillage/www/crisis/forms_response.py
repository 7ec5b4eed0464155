"""Issue 17 — the forms of the crisis response: centres, shifts, sign-ups, stock, case counts.
Every field is bounded; what a value may be beyond that is the actions' to say (in French)."""

from datetime import datetime

from django import forms
from django.utils import timezone

from maillage.core import bounds
from maillage.crisis.models.response import MAX_CAPACITY, MAX_CASES, MAX_QUANTITY, CentreKind, MovementKind, ShiftRole
from maillage.crisis.response_centres import CentreDraft, display_name, volunteers
from maillage.crisis.response_supplies import MovementDraft

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}
TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}
NUMBER = {"widget": forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"})}


class CentreForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=CentreKind.choices)
    name = forms.CharField(label="Nom du centre", max_length=150)
    address = forms.CharField(label="Adresse", max_length=250)
    commune = forms.ChoiceField(label="Commune", required=False)
    opening_hours = forms.CharField(
        label="Horaires d'ouverture",
        max_length=250,
        required=False,
        help_text="Par exemple : du lundi au samedi, 8 h – 18 h.",
    )
    opened_on = forms.DateField(label="Ouvert le", **DATE)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.communes = {c.code: c for c in cpts.communes().order_by("name")}
        self.fields["commune"].choices = [("", "—")] + [(code, c.name) for code, c in self.communes.items()]

    def draft(self) -> CentreDraft:
        data = self.cleaned_data
        return CentreDraft(data["kind"], data["name"], data["address"], data["opened_on"],
                           self.communes.get(data["commune"]), data["opening_hours"])  # fmt: skip


class ShiftForm(forms.Form):
    day = forms.DateField(label="Jour", **DATE)
    start = forms.TimeField(label="De", **TIME)
    end = forms.TimeField(label="À", **TIME)
    capacity = forms.IntegerField(label="Places", min_value=1, max_value=MAX_CAPACITY, **NUMBER)
    role = forms.ChoiceField(label="Rôle attendu", choices=ShiftRole.choices)

    def times(self) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        zone = timezone.get_current_timezone()
        start = timezone.make_aware(datetime.combine(data["day"], data["start"]), zone)
        return start, timezone.make_aware(datetime.combine(data["day"], data["end"]), zone)


class EnrolForm(forms.Form):
    volunteer = forms.ChoiceField(label="Bénévole")

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(user.pk): user for user in volunteers(cpts)}
        self.fields["volunteer"].choices = [("", "Choisissez un membre de la CPTS")] + [
            (pk, display_name(user)) for pk, user in self.people.items()
        ]
        self.fields["volunteer"].error_messages["invalid_choice"] = "Choisissez un membre de la CPTS."

    def person(self):
        return self.people[self.cleaned_data["volunteer"]]


class ItemForm(forms.Form):
    name = forms.CharField(label="Article", max_length=100)
    threshold = forms.IntegerField(label="Seuil d'alerte", min_value=0, max_value=MAX_QUANTITY, initial=0, **NUMBER)


class MovementForm(forms.Form):
    item = forms.ChoiceField(label="Article")
    kind = forms.ChoiceField(label="Mouvement", choices=MovementKind.choices)
    quantity = forms.IntegerField(
        label="Quantité", min_value=-MAX_QUANTITY, max_value=MAX_QUANTITY,
        help_text="Un ajustement d'inventaire peut être négatif.", **NUMBER,
    )  # fmt: skip
    on = forms.DateField(label="Date", **DATE)
    professional = forms.ChoiceField(label="Professionnel de l'annuaire", required=False)
    recipient = forms.CharField(label="Ou destinataire (structure, personne)", max_length=150, required=False)
    note = forms.CharField(label="Note", max_length=250, required=False)

    def __init__(self, *args, items=(), professionals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in items}
        self.fields["item"].choices = [(pk, item.name) for pk, item in self.items.items()]
        self.fields["item"].error_messages["invalid_choice"] = "Choisissez un article du stock de cette crise."
        self.professionals = {str(p.pk): p for p in professionals}
        self.fields["professional"].choices = [("", "—")] + [(pk, str(p)) for pk, p in self.professionals.items()]

    def chosen_item(self):
        return self.items[self.cleaned_data["item"]]

    def draft(self) -> MovementDraft:
        data = self.cleaned_data
        return MovementDraft(data["kind"], data["quantity"], data["on"], self.professionals.get(data["professional"]),
                             data["recipient"], data["note"])  # fmt: skip


class CaseForm(forms.Form):
    commune = forms.ChoiceField(label="Commune")
    week = forms.DateField(label="Semaine (un jour de la semaine)", **DATE)
    count = forms.IntegerField(label="Nombre de cas", min_value=-MAX_CASES, max_value=MAX_CASES, **NUMBER)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "Choisissez la commune")] + [
            (c.code, c.name) for c in cpts.communes().order_by("name")
        ]


class CaseImportForm(forms.Form):
    file = forms.FileField(label="Fichier CSV (code_insee ; semaine ; cas), 2 Mo au plus")
    apply = forms.BooleanField(
        label="Enregistrer (sans cette case : simulation, rien n'est enregistré)", required=False
    )

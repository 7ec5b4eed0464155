"""Forms of the prevention mission: they read what was typed; the rules (period, fiche-action,
partners, counts) are the actions' (maillage/prevention/actions.py), whose French refusals the views
show as they are."""

from decimal import Decimal

from django import forms

from maillage.core import bounds
from maillage.core.versioning import VersionedForm
from maillage.directory.models import Partner, Structure
from maillage.prevention import actions
from maillage.prevention.models import Campaign, EventKind, Theme
from maillage.projet.models import FicheAction
from maillage.www.choices import ModelChoice, ModelChoices

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}
TIME = {"widget": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), "required": False}
NUMBER = {"inputmode": "numeric"}
PARTICIPANT_ROWS = actions.PARTICIPANTS_MAX
STRUCTURES_SHOWN = 300  # établissements offered as partners (the territory's, by name)


def _decimal(text: str, what: str, *, max_digits: int) -> Decimal | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return bounds.decimal(text, max_digits=max_digits, decimal_places=2)
    except ValueError as exc:
        raise forms.ValidationError(f"{what} : {exc}") from None


class CampaignForm(VersionedForm, forms.Form):
    theme = forms.ChoiceField(label="Thème", choices=[("", "Choisissez le thème"), *Theme.choices])
    title = forms.CharField(label="Intitulé", max_length=actions.TITLE_MAX)
    objective = forms.CharField(
        label="Objectif", max_length=actions.OBJECTIVE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label="Début de la campagne", **DATE)
    ends_on = forms.DateField(label="Fin de la campagne", **DATE)
    target = forms.CharField(
        label="Population cible",
        max_length=actions.TARGET_MAX,
        required=False,
        help_text="Par exemple « femmes de 50 à 74 ans ». Laissez vide pour toute la population du territoire.",
    )
    target_size = forms.IntegerField(
        label="Taille de la population cible",
        required=False,
        min_value=1,
        max_value=actions.TARGET_SIZE_MAX,
        widget=forms.NumberInput(attrs=NUMBER),
        help_text="Laissez vide : la population des communes du territoire.",
    )
    target_note = forms.CharField(
        label="Source de cette taille",
        max_length=actions.NOTE_MAX,
        required=False,
        help_text="Obligatoire si vous indiquez une taille (par exemple « Insee 2021, femmes de 50 à 74 ans »).",
    )
    fiche = ModelChoice(
        label="Fiche-action du projet de santé",
        queryset=FicheAction.objects.none(),
        required=False,
        empty_label="Aucune",
        error_messages={"invalid_choice": "Choisissez une fiche-action de la mission prévention de votre projet."},
    )
    partners = ModelChoices(
        label="Partenaires de la CPTS",
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choisissez les partenaires parmi ceux de votre CPTS."},
    )
    structures = ModelChoices(
        label="Établissements partenaires",
        queryset=Structure.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Les établissements du territoire (FINESS). Ctrl ou Cmd pour en choisir plusieurs.",
        error_messages={"invalid_choice": "Choisissez les établissements parmi ceux du territoire."},
    )
    budget = forms.CharField(
        label="Budget (€)",
        required=False,
        max_length=bounds.MAX_NUMBER_TEXT,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text="Par exemple 2 500 ou 2 500,50.",
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiche"].queryset = FicheAction.objects.filter(projet__cpts=cpts, mission="prevention")
        self.fields["partners"].queryset = Partner.objects.filter(cpts=cpts).order_by("name")
        territory = Structure.objects.filter(commune__cpts_links__cpts=cpts, active=True).order_by("short_name", "pk")
        self.fields["structures"].queryset = territory
        self.fields["structures"].label_from_instance = lambda s: s.long_name or s.short_name or s.finess_et

    def clean_budget(self):
        return _decimal(self.cleaned_data.get("budget"), "Budget", max_digits=10)

    def draft(self) -> actions.CampaignDraft:
        data = self.cleaned_data
        return actions.CampaignDraft(
            theme=data["theme"],
            title=data["title"],
            objective=data["objective"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            target=data.get("target") or "",
            target_size=data.get("target_size"),
            target_note=data.get("target_note") or "",
            fiche=data.get("fiche"),
            partners=list(data.get("partners") or []),
            structures=list(data.get("structures") or []),
            budget=data.get("budget"),
        )

    @staticmethod
    def initial_of(campaign: Campaign) -> dict:
        names = ["theme", "title", "objective", "starts_on", "ends_on", "target", "target_size", "target_note"]
        initial = {name: getattr(campaign, name) for name in names}
        initial["fiche"] = campaign.fiche_id
        initial["partners"] = list(campaign.partners.values_list("pk", flat=True))
        initial["structures"] = list(campaign.structures.values_list("pk", flat=True))
        initial["budget"] = "" if campaign.budget is None else f"{campaign.budget}".replace(".", ",")
        return initial


class EventForm(forms.Form):
    stale = None  # no version: an action is created, not edited (the errors' template reads it)
    kind = forms.ChoiceField(label="Type d'action", choices=[("", "Choisissez le type"), *EventKind.choices])
    day = forms.DateField(label="Date", **DATE)
    starts_at = forms.TimeField(label="Début (facultatif)", **TIME)
    ends_at = forms.TimeField(label="Fin (facultatif)", **TIME)
    place = forms.CharField(label="Lieu", max_length=actions.PLACE_MAX)
    description = forms.CharField(
        label="Présentation", required=False, max_length=actions.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.BooleanField(label="Annoncer l'action dans l'agenda public de la CPTS", required=False, initial=True)

    def draft(self) -> actions.EventDraft:
        data = self.cleaned_data
        return actions.EventDraft(
            kind=data["kind"],
            day=data["day"],
            place=data["place"],
            starts_at=data.get("starts_at"),
            ends_at=data.get("ends_at"),
            description=data.get("description") or "",
            public=data.get("public", False),
        )


COUNT = {"min_value": 0, "max_value": actions.COUNT_MAX, "widget": forms.NumberInput(attrs=NUMBER)}


class ResultsForm(VersionedForm, forms.Form):
    """The counts of an action and who took part (up to `PARTICIPANT_ROWS` professionals)."""

    people_reached = forms.IntegerField(label="Personnes touchées", **COUNT)
    tests_distributed = forms.IntegerField(label="Tests de dépistage remis", initial=0, **COUNT)
    vaccinations = forms.IntegerField(label="Vaccinations faites", initial=0, **COUNT)
    material = forms.CharField(
        label="Matériel utilisé",
        required=False,
        max_length=actions.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple « 200 dépliants, 1 kakémono, 50 kits de dépistage ».",
    )

    def __init__(self, *args, professionals, **kwargs):
        super().__init__(*args, **kwargs)
        self.professionals = {str(p.pk): p for p in professionals}
        choices = [("", "—"), *[(str(p.pk), _name(p)) for p in professionals]]
        for i in range(1, PARTICIPANT_ROWS + 1):
            self.fields[f"professional_{i}"].choices = choices

    def rows(self):
        return [(self[f"professional_{i}"], self[f"hours_{i}"]) for i in range(1, PARTICIPANT_ROWS + 1)]

    def clean(self):
        data = super().clean()
        participants = []
        for i in range(1, PARTICIPANT_ROWS + 1):
            chosen, hours_text = data.get(f"professional_{i}"), (data.get(f"hours_{i}") or "").strip()
            if not chosen and not hours_text:
                continue
            if not chosen:
                self.add_error(f"professional_{i}", "Choisissez le professionnel dont vous indiquez le temps.")
                continue
            try:
                hours = _decimal(hours_text, "Temps passé", max_digits=5)
            except forms.ValidationError as exc:
                self.add_error(f"hours_{i}", exc)
                continue
            if hours is None:
                self.add_error(f"hours_{i}", "Indiquez le temps passé (en heures, par exemple 2,5).")
                continue
            participants.append((self.professionals[chosen], hours))
        data["participants"] = participants
        return data

    def results(self) -> actions.Results:
        data = self.cleaned_data
        return actions.Results(
            people_reached=data["people_reached"],
            tests_distributed=data.get("tests_distributed") or 0,
            vaccinations=data.get("vaccinations") or 0,
            material=data.get("material") or "",
            participants=data["participants"],
        )


def _name(professional) -> str:
    return f"{professional.last_name} {professional.first_name} — {professional.profession_label or 'professionnel'}"


for _i in range(1, PARTICIPANT_ROWS + 1):
    ResultsForm.base_fields[f"professional_{_i}"] = forms.ChoiceField(
        label=f"Professionnel {_i}",
        required=False,
        error_messages={"invalid_choice": "Choisissez le professionnel dans l'annuaire du territoire."},
    )
    ResultsForm.base_fields[f"hours_{_i}"] = forms.CharField(
        label=f"Heures du professionnel {_i}",
        required=False,
        max_length=bounds.MAX_NUMBER_TEXT,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

"""Issue 17 — forms of the crisis plan, the declaration of a crisis, the alerts and the RETEX. They
read what was typed; the rules are the actions' (maillage/crisis/plan.py, activation.py, retex.py)."""

from django import forms

from maillage.core import bounds
from maillage.core.versioning import VersionedForm
from maillage.crisis.models import Audience, CrisisKind, PlanPartner
from maillage.crisis.models.plan import RISKS
from maillage.directory.models import Partner
from maillage.pathways.states import Profession
from maillage.projet.models import FicheAction
from maillage.www.choices import ModelChoice, ModelChoices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Date invalide (jj/mm/aaaa)."}


def date_field(label, *, required=True):
    return forms.DateField(
        label=label, widget=DATE, required=required, error_messages=DATE_ERRORS, validators=[bounds.plausible_date]
    )


def text(label, max_length, *, required=False, rows=None, **kwargs):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, **kwargs)


class PlanForm(VersionedForm, forms.Form):
    organisation = text(
        "Organisation de la réponse",
        10_000,
        rows=6,
        help_text="Qui déclenche le plan, comment la cellule se réunit, les circuits d'information.",
    )
    fiche = ModelChoice(
        label="Fiche-action du projet de santé", queryset=FicheAction.objects.none(), required=False, empty_label="—"
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiche"].queryset = FicheAction.objects.filter(projet__cpts=cpts, mission="crisis")
        for kind, label in RISKS:
            self.fields[f"risk_{kind}"] = forms.BooleanField(label=label.capitalize(), required=False)
            self.fields[f"notes_{kind}"] = text(f"Dispositions prévues : {label}", 2000, rows=2)

    def risk_rows(self):
        return [(self[f"risk_{kind}"], self[f"notes_{kind}"]) for kind, _ in RISKS]

    def risks(self) -> dict[str, str]:
        data = self.cleaned_data
        return {kind: data.get(f"notes_{kind}", "") for kind, _ in RISKS if data.get(f"risk_{kind}")}


class CellForm(VersionedForm, forms.Form):
    name = text("Nom", 200, required=True)
    function = text("Fonction", 200, required=True)
    phone_day = text("Téléphone (jour)", 30)
    phone_night = text("Téléphone (nuit et week-end)", 30)
    email = forms.EmailField(label="Courriel", max_length=254, required=False)


class VolunteerForm(VersionedForm, forms.Form):
    rpps = text("Numéro RPPS", 20, required=True, help_text="Un professionnel de l'annuaire du territoire.")
    vaccinate = forms.BooleanField(label="Vacciner", required=False)
    test = forms.BooleanField(label="Dépister", required=False)
    home_follow_up = forms.BooleanField(label="Suivre des patients à domicile", required=False)
    staff_centre = forms.BooleanField(label="Tenir un centre", required=False)


class PartnerForm(VersionedForm, forms.Form):
    kind = forms.ChoiceField(label="Type", choices=PlanPartner.Kind.choices)
    partner = ModelChoice(
        label="Partenaire de l'annuaire", queryset=Partner.objects.none(), required=False, empty_label="—"
    )
    finess = text("ou FINESS de l'établissement", 20)
    name = text("ou nom", 250)
    contact = text("Contact (service, téléphone, courriel)", 250)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(cpts=cpts).order_by("name")


class ExerciseForm(VersionedForm, forms.Form):
    held_on = date_field("Date")
    scenario = text("Scénario", 300, required=True)
    lessons = text("Enseignements", 5000, rows=3)


class AdoptForm(VersionedForm, forms.Form):
    written_on = date_field("Plan adopté le")


class DeclareForm(forms.Form):
    cpts = ModelChoices(
        label="CPTS concernées",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins une CPTS.", "invalid_choice": "Choisissez dans la liste."},
    )
    kind = forms.ChoiceField(label="Nature", choices=CrisisKind.choices)
    title = text("Intitulé", 200, required=True)
    starts_on = date_field("Début")
    ends_on = date_field("Fin (si la crise est déjà terminée)", required=False)
    alert = forms.BooleanField(label="Alerter les adhérents maintenant", required=False, initial=True)
    audience = forms.ChoiceField(label="Qui alerter", choices=Audience.choices, initial=Audience.ALL)
    profession = forms.ChoiceField(label="Profession", choices=[("", "—"), *Profession.choices], required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cpts"].queryset = choices


class AlertForm(forms.Form):
    audience = forms.ChoiceField(label="Qui alerter", choices=Audience.choices, initial=Audience.ALL)
    profession = forms.ChoiceField(label="Profession", choices=[("", "—"), *Profession.choices], required=False)


class CloseForm(VersionedForm, forms.Form):
    ends_on = date_field("Fin de la crise")


class RetexForm(VersionedForm, forms.Form):
    held_on = date_field("Date du retour d'expérience")
    worked = text("Ce qui a fonctionné", 10_000, rows=5)
    did_not_work = text("Ce qui n'a pas fonctionné", 10_000, rows=5)


class RetexActionForm(forms.Form):
    action = text("Action décidée", 300, required=True)
    owner = text("Responsable", 200, required=True)
    due_on = date_field("Échéance", required=False)

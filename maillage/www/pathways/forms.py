"""Forms of the patients' pathways: they read what was typed; the rules (consent, team, dates) are
the actions' (maillage/pathways/actions/), whose French refusals the views show as they are."""

from datetime import datetime, time

from django import forms
from django.db.models import Q
from django.utils import timezone

from maillage.core import bounds
from maillage.core.versioning import VersionedForm
from maillage.directory.models import Partner, Professional, Structure
from maillage.pathways.actions.consent import Information
from maillage.pathways.models import PathwayTemplate
from maillage.pathways.states import CareRole, Decision, ReferrerKind, Scope, Sex
from maillage.territory.models import Commune
from maillage.www.doctor_access.forms import CommuneChoiceField

TEAM_ROWS = 4
DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}


def directory_people(cpts):
    """The CPTS's directory as (value, label) groups: its professionals (a site on the territory,
    or an entry of the CPTS) and its partners. Values: « p<id> » and « a<id> »."""
    professionals = (
        Professional.objects.filter(
            Q(activities__active=True, activities__commune__cpts_links__cpts=cpts) | Q(directory_entries__cpts=cpts),
            active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )
    pros = [
        (f"p{p.pk}", f"{p.last_name} {p.first_name} — {p.profession_label or 'professionnel'}") for p in professionals
    ]
    partners = [(f"a{p.pk}", p.name) for p in Partner.objects.filter(cpts=cpts).order_by("name")]
    groups = [("Professionnels de l'annuaire", pros)]
    if partners:
        groups.append(("Partenaires de la CPTS", partners))
    return groups


def person_from(value):
    """The professional or partner a « p<id> » / « a<id> » value names (None if unknown)."""
    value = value or ""
    if len(value) < 2 or not value[1:].isdigit():
        return None
    model = Professional if value[0] == "p" else Partner if value[0] == "a" else None
    return model.objects.filter(pk=int(value[1:])).first() if model else None


def informed_moment(day):
    """An information date as the moment stored: now when it is today, midday otherwise."""
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(day, time(12)))


NOT_LISTED = {"invalid_choice": "Choisissez la personne dans l'annuaire de la CPTS."}
ROLE_CHOICES = [("", "Rôle dans le parcours"), *CareRole.choices]
COORDINATION_CHOICES = [
    ("", "Non demandé"),
    (Decision.CONSENT, "Le patient consent"),
    (Decision.REFUSAL, "Le patient refuse"),
]


class InformationFields(forms.Form):
    informed_by_label = forms.CharField(label="Patient informé par", max_length=200)
    informed_on = forms.DateField(label="Informé le", **DATE)
    text_version = forms.CharField(
        label="Version du texte d'information remis",
        max_length=40,
        help_text="Par exemple « 2026-12-v1 » : la référence du document remis au patient.",
    )
    team = forms.BooleanField(
        label="Le patient a été informé et ne s'oppose pas à l'échange de ses informations au sein de son équipe de "
        "soins (article L1110-4 du Code de la santé publique)",
        required=False,
    )
    coordination = forms.ChoiceField(
        label="Partage avec la coordination de la CPTS (consentement)", choices=COORDINATION_CHOICES, required=False
    )

    def clean_informed_on(self):
        day = self.cleaned_data.get("informed_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError("La date d'information du patient ne peut pas être dans le futur.")
        return day

    def information(self, user) -> Information:
        data = self.cleaned_data
        decisions = {Scope.TEAM: Decision.NON_OPPOSITION if data.get("team") else Decision.OPPOSITION}
        if data.get("coordination"):
            decisions[Scope.COORDINATION] = data["coordination"]
        return Information(
            informed_by_label=data["informed_by_label"],
            informed_at=informed_moment(data["informed_on"]),
            text_version=data["text_version"],
            decisions=decisions,
            informed_by=user,
        )


class EnrolmentForm(InformationFields):
    template = forms.ModelChoiceField(
        queryset=None,
        label="Modèle de parcours",
        empty_label="Choisissez le modèle",
        error_messages={"invalid_choice": "Ce modèle n'est pas publié pour votre CPTS : choisissez dans la liste."},
    )
    last_name = forms.CharField(label="Nom", max_length=100)
    first_name = forms.CharField(label="Prénom", max_length=100)
    birth_date = forms.DateField(label="Date de naissance", **DATE)
    sex = forms.ChoiceField(label="Sexe", choices=[("", "Choisissez"), *Sex.choices])
    commune = CommuneChoiceField(
        queryset=None,
        required=False,
        label="Commune de résidence",
        empty_label="Choisissez la commune",
        error_messages={"invalid_choice": "Commune inconnue : choisissez dans la liste."},
    )
    commune_code = forms.CharField(
        label="ou code INSEE d'une commune hors du territoire",
        max_length=5,
        required=False,
        help_text="5 caractères, par exemple 92040 pour Issy-les-Moulineaux.",
    )
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    ins = forms.CharField(
        label="INS (NIR), facultatif",
        max_length=25,
        required=False,
        help_text="15 caractères, clé comprise (les espaces sont acceptés).",
    )
    referrer_kind = forms.ChoiceField(
        label="Orienté par", choices=ReferrerKind.choices, initial=ReferrerKind.PROFESSIONAL, widget=forms.RadioSelect
    )
    referrer_professional = forms.ChoiceField(label="Professionnel qui oriente", required=False)
    referrer_finess = forms.CharField(
        label="FINESS de l'établissement qui oriente", max_length=9, required=False, help_text="9 caractères."
    )
    referrer_service = forms.CharField(label="Service", max_length=200, required=False)
    start_date = forms.DateField(label="Début du parcours", **DATE)
    discharge_date = forms.DateField(
        label="Date de sortie d'hospitalisation",
        required=False,
        help_text="Obligatoire quand le modèle compte ses étapes à partir de la sortie.",
        **DATE,
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.cpts = cpts
        self.fields["template"].queryset = PathwayTemplate.objects.usable_by(cpts).order_by("name", "-number")
        self.fields["commune"].queryset = cpts.communes().order_by("name")
        people = directory_people(cpts)
        professionals = [("", "Choisissez le professionnel"), people[0]]
        self.fields["referrer_professional"].choices = professionals
        for n in range(1, TEAM_ROWS + 1):
            self.fields[f"member_{n}"] = forms.ChoiceField(
                label=f"Membre {n}",
                choices=[("", "Choisissez dans l'annuaire"), *people],
                required=False,
                error_messages=NOT_LISTED,
            )
            self.fields[f"role_{n}"] = forms.ChoiceField(
                label=f"Rôle du membre {n}", choices=ROLE_CHOICES, required=False
            )
        today = timezone.localdate()
        self.fields["start_date"].initial = today
        self.fields["informed_on"].initial = today

    def team_rows(self):
        return [(self[f"member_{n}"], self[f"role_{n}"]) for n in range(1, TEAM_ROWS + 1)]

    def clean_commune_code(self):
        code = (self.cleaned_data.get("commune_code") or "").strip().upper()
        if code and not Commune.objects.filter(code=code).exists():
            raise forms.ValidationError(f"Aucune commune n'a le code INSEE « {code} ».")
        return code

    def clean_birth_date(self):
        born = self.cleaned_data.get("birth_date")
        if born and born > timezone.localdate():
            raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
        return born

    def clean(self):
        data = super().clean()
        if data.get("commune") is None and not data.get("commune_code") and "commune_code" not in self.errors:
            self.add_error("commune", "Indiquez la commune du patient : dans la liste, ou par son code INSEE.")
        elif data.get("commune") is None and data.get("commune_code"):
            data["commune"] = Commune.objects.get(code=data["commune_code"])
        kind = data.get("referrer_kind")
        data["referrer_professional_obj"] = data["referrer_structure"] = None
        if kind == ReferrerKind.PROFESSIONAL:
            data["referrer_professional_obj"] = person_from(data.get("referrer_professional"))
            if not isinstance(data["referrer_professional_obj"], Professional):
                self.add_error("referrer_professional", "Choisissez le professionnel qui oriente le patient.")
        if kind == ReferrerKind.HOSPITAL:
            finess = (data.get("referrer_finess") or "").strip()
            data["referrer_structure"] = Structure.objects.filter(finess_et=finess).first() if finess else None
            if data["referrer_structure"] is None:
                self.add_error(
                    "referrer_finess",
                    "Indiquez le numéro FINESS (9 caractères) de l'établissement qui oriente le patient : "
                    "il doit figurer au répertoire FINESS.",
                )
        team = []
        for n in range(1, TEAM_ROWS + 1):
            value, role = data.get(f"member_{n}"), data.get(f"role_{n}")
            if not value and not role:
                continue
            person = person_from(value)
            if person is None:
                self.add_error(f"member_{n}", "Choisissez la personne dans l'annuaire.")
            elif not role:
                self.add_error(f"role_{n}", "Indiquez son rôle dans ce parcours.")
            else:
                team.append((person, role))
        data["team_members"] = team
        return data


class MemberForm(forms.Form):
    person = forms.ChoiceField(label="Professionnel ou partenaire", error_messages=NOT_LISTED)
    role = forms.ChoiceField(label="Rôle dans le parcours", choices=ROLE_CHOICES)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "Choisissez dans l'annuaire"), *directory_people(cpts)]

    def clean_person(self):
        person = person_from(self.cleaned_data.get("person"))
        if person is None:
            raise forms.ValidationError("Choisissez la personne dans l'annuaire.")
        return person


class TaskForm(forms.Form):
    title = forms.CharField(label="Tâche", max_length=200)
    due_on = forms.DateField(label="Échéance", **DATE)
    assignee = forms.ModelChoiceField(queryset=None, required=False, label="Confiée à", empty_label="À affecter")
    note = forms.CharField(label="Note", max_length=500, required=False)

    def __init__(self, *args, pathway, clinical, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = pathway.team.active().select_related("professional", "partner")
        if not clinical:
            del self.fields["note"]


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(queryset=None, required=False, label="Confiée à", empty_label="À affecter")

    def __init__(self, *args, pathway, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = pathway.team.active().select_related("professional", "partner")
        if team is not None:
            # The page shows one of these per task: the active team read once (`team`, the same
            # rows as the queryset), not one query per task (bench/pathways.py). The queryset still
            # checks a POST.
            field.choices = [
                ("", field.empty_label),
                *((member.pk, field.label_from_instance(member)) for member in team),
            ]


class InformationForm(InformationFields):
    """The patient informed again, or changing their mind: the new decisions replace those in force."""

    team = forms.ChoiceField(
        label="Échange au sein de l'équipe de soins",
        choices=[
            ("", "Inchangé"),
            (Decision.NON_OPPOSITION, "Informé, ne s'oppose pas"),
            (Decision.OPPOSITION, "S'oppose"),
        ],
        required=False,
    )
    coordination = forms.ChoiceField(
        label="Partage avec la coordination de la CPTS",
        choices=[("", "Inchangé"), *COORDINATION_CHOICES[1:]],
        required=False,
    )
    outside = forms.ChoiceField(
        label="Partage avec des professionnels hors de l'équipe de soins",
        choices=[("", "Inchangé"), *COORDINATION_CHOICES[1:]],
        required=False,
    )

    def information(self, user) -> Information:
        data = self.cleaned_data
        decisions = {
            scope: data[name]
            for scope, name in ((Scope.TEAM, "team"), (Scope.COORDINATION, "coordination"), (Scope.OUTSIDE, "outside"))
            if data.get(name)
        }
        return Information(
            informed_by_label=data["informed_by_label"],
            informed_at=informed_moment(data["informed_on"]),
            text_version=data["text_version"],
            decisions=decisions,
            informed_by=user,
        )

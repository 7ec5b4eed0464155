"""Forms of the quality mission. Every field is bounded (tests/test_bad_input.py); the rules (who may
be a participant, what a text may not hold, which moves a protocol may make) are the actions'
(maillage/quality/actions/), whose French refusals the views show as they are."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from maillage.core import bounds
from maillage.directory.models import Professional
from maillage.projet.models import FicheAction
from maillage.quality import identity, library
from maillage.quality.actions import events as event_actions
from maillage.quality.actions import groups as group_actions
from maillage.quality.actions import protocols as protocol_actions
from maillage.quality.models import GroupSession, PeerGroup
from maillage.quality.states import EventCategory, EventSeverity, GroupKind, Profession
from maillage.www.choices import ModelChoices

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}
TEXT_MAX = group_actions.TEXT_MAX


def directory_professionals(cpts):
    """The CPTS's directory: its active professionals with a site on the territory or an entry."""
    return (
        Professional.objects.filter(
            Q(activities__active=True, activities__commune__cpts_links__cpts=cpts) | Q(directory_entries__cpts=cpts),
            active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def _label(p) -> str:
    return f"{p.last_name} {p.first_name} — {p.profession_label or 'professionnel'}"


class ProfessionalField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _label(obj)


class ProfessionalsField(ModelChoices):
    def label_from_instance(self, obj):
        return _label(obj)


def quality_fiches(cpts):
    return FicheAction.objects.filter(projet__cpts=cpts, mission="quality").order_by("position", "pk")


class FicheField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=FicheAction.objects.none(),
            required=False,
            label="Fiche-action du projet de santé",
            empty_label="Aucune",
            help_text="La fiche-action « qualité et pertinence » que ce travail sert.",
            **kwargs,
        )


class GroupForm(forms.Form):
    kind = forms.ChoiceField(label="Type de groupe", choices=GroupKind.choices)
    name = forms.CharField(label="Nom du groupe", max_length=group_actions.NAME_MAX)
    fiche = FicheField()

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiche"].queryset = quality_fiches(cpts)


class MemberForm(forms.Form):
    professional = ProfessionalField(
        queryset=Professional.objects.none(), label="Professionnel de l'annuaire", empty_label="Choisissez"
    )

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professional"].queryset = directory_professionals(cpts)


HOURS = {
    "max_digits": 4,
    "decimal_places": 1,
    "validators": [MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("12"))],
}


class SessionForm(forms.Form):
    held_on = forms.DateField(label="Date de la séance", **DATE)
    theme = forms.CharField(label="Thème", max_length=group_actions.THEME_MAX)
    hours = forms.DecimalField(
        label="Durée (heures)", help_text="De 0,5 à 12 heures, comptées à chaque présent.",
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}), **HOURS,
    )  # fmt: skip
    participants = ProfessionalsField(
        queryset=Professional.objects.none(), label="Membres présents", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez les membres du groupe présents à la séance."},
    )  # fmt: skip
    cases = forms.CharField(
        label="Cas discutés", required=False, max_length=TEXT_MAX, help_text=identity.WARNING,
        widget=forms.Textarea(attrs={"rows": 5}),
    )  # fmt: skip
    conclusions = forms.CharField(
        label="Conclusions", required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, group: PeerGroup, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = Professional.objects.filter(
            pk__in=group.members.filter(left_on=None).values("professional_id")
        ).order_by("last_name", "first_name", "pk")

    def draft(self) -> group_actions.SessionDraft:
        data = self.cleaned_data
        return group_actions.SessionDraft(
            held_on=data["held_on"], theme=data["theme"], hours=data["hours"],
            participants=list(data["participants"]), cases=data["cases"], conclusions=data["conclusions"],
        )  # fmt: skip


class ProtocolForm(forms.Form):
    title = forms.CharField(label="Intitulé", max_length=protocol_actions.TITLE_MAX)
    summary = forms.CharField(
        label="Objet du protocole", required=False, max_length=protocol_actions.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    professions = forms.MultipleChoiceField(
        label="Professions concernées", choices=Profession.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Cochez les professions concernées par le protocole."},
    )  # fmt: skip
    authors = ProfessionalsField(
        queryset=Professional.objects.none(), label="Auteurs",
        help_text="Professionnels de l'annuaire qui ont écrit le protocole (Ctrl ou Cmd pour en choisir plusieurs).",
        error_messages={"required": "Nommez au moins un auteur du protocole."},
    )  # fmt: skip
    fiche = FicheField()

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authors"].queryset = directory_professionals(cpts)
        self.fields["fiche"].queryset = quality_fiches(cpts)

    def draft(self) -> protocol_actions.ProtocolDraft:
        data = self.cleaned_data
        return protocol_actions.ProtocolDraft(
            title=data["title"], summary=data["summary"], professions=list(data["professions"]),
            authors=list(data["authors"]), fiche=data["fiche"],
        )  # fmt: skip


class FileForm(forms.Form):
    file = forms.FileField(
        label="Fichier du protocole",
        help_text=f"{library.ACCEPTED.label}, {library.ACCEPTED.max_bytes() // (1024 * 1024)} Mo au plus.",
        error_messages={"required": "Choisissez le fichier du protocole."},
    )


class ValidateForm(forms.Form):
    # Not required here: the action refuses « un protocole validé par personne » in its own words.
    validators = ProfessionalsField(
        queryset=Professional.objects.none(), label="Validé par", required=False,
        help_text="Les professionnels du groupe qui ont validé le protocole (au moins un).",
    )  # fmt: skip
    group = forms.ModelChoiceField(
        queryset=PeerGroup.objects.none(), label="Groupe qui l'a validé", required=False, empty_label="Aucun groupe"
    )
    validated_on = forms.DateField(label="Date de validation", **DATE)
    next_review_on = forms.DateField(label="Prochaine révision le", **DATE)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["validators"].queryset = directory_professionals(cpts)
        self.fields["group"].queryset = PeerGroup.objects.filter(cpts=cpts)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Revu le", **DATE)
    next_review_on = forms.DateField(label="Révision suivante le", **DATE)
    note = forms.CharField(label="Conclusion", required=False, max_length=255)


class EventForm(forms.Form):
    occurred_on = forms.DateField(label="Date de l'événement", **DATE)
    category = forms.ChoiceField(label="Nature", choices=[("", "Choisissez"), *EventCategory.choices])
    severity = forms.ChoiceField(
        label="Conséquences pour le patient", choices=[("", "Choisissez"), *EventSeverity.choices]
    )
    description = forms.CharField(
        label="Ce qui s'est passé", max_length=event_actions.TEXT_MAX, help_text=identity.WARNING,
        widget=forms.Textarea(attrs={"rows": 6}),
    )  # fmt: skip

    def draft(self) -> event_actions.EventDraft:
        data = self.cleaned_data
        return event_actions.EventDraft(data["occurred_on"], data["category"], data["severity"], data["description"])


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.group.name} — {obj.theme} ({obj.held_on:%d/%m/%Y})"


class AnalysisForm(forms.Form):
    session = SessionChoiceField(
        queryset=GroupSession.objects.none(), label="Séance où il a été analysé", empty_label="Choisissez la séance"
    )
    analysis = forms.CharField(
        label="Analyse (causes, enseignements)", max_length=event_actions.TEXT_MAX, help_text=identity.WARNING,
        widget=forms.Textarea(attrs={"rows": 5}),
    )  # fmt: skip

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = GroupSession.objects.filter(cpts=cpts).select_related("group")


class ActionForm(forms.Form):
    title = forms.CharField(label="Action décidée", max_length=event_actions.TITLE_MAX)
    owner = forms.CharField(label="Responsable", max_length=event_actions.OWNER_MAX)
    due_on = forms.DateField(label="Échéance", **DATE)


class YearForm(forms.Form):
    annee = forms.IntegerField(
        label="Année", min_value=bounds.MIN_YEAR, validators=[MaxValueValidator(bounds.MAX_YEAR)], required=False
    )

"""Issue 17 — accompagnement des professionnels: the forms. Every field bounded; the checks that
need the CPTS (a commune of its territory, a fiche of its projet) are the actions' (French refusals)."""

from django import forms

from maillage.core import bounds
from maillage.support import newcomers, offers
from maillage.support.models import PROFESSIONS, NewcomerStatus, OfferKind

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), "validators": [bounds.plausible_date]}


def _commune_choices(cpts):
    return [("", "— choisir —")] + [(c.code, c.name) for c in cpts.communes().order_by("name")]


class OfferForm(forms.Form):
    kind = forms.ChoiceField(label="Type d'annonce", choices=[("", "— choisir —"), *OfferKind.choices])
    title = forms.CharField(label="Intitulé", max_length=offers.TITLE_MAX)
    profession = forms.ChoiceField(label="Profession recherchée", choices=[("", "— choisir —"), *PROFESSIONS])
    commune = forms.ChoiceField(label="Commune", choices=[])
    description = forms.CharField(
        label="Description",
        max_length=offers.TEXT_MAX,
        help_text="Lieu, surface, loyer ou rétrocession, équipement, dates… Sans donnée de patient.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    starts_on = forms.DateField(label="Disponible à partir du", required=False, **DATE)
    expires_on = forms.DateField(label="Annonce valable jusqu'au", help_text="Un an au plus.", **DATE)
    positions = forms.IntegerField(
        label="Nombre de places",
        min_value=1,
        max_value=offers.POSITIONS_MAX,
        initial=1,
        help_text="Pour un stage : le nombre d'étudiants accueillis.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    contact_name = forms.CharField(label="Nom du contact", max_length=offers.NAME_MAX)
    contact_email = forms.EmailField(
        label="Courriel du contact",
        required=False,
        max_length=254,
        help_text="Un courriel ou un téléphone, ou les deux.",
    )
    contact_phone = forms.CharField(
        label="Téléphone du contact",
        required=False,
        max_length=offers.PHONE_MAX,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    on_behalf_of = forms.ChoiceField(label="Pour le compte de", required=False, choices=[])

    def __init__(self, *args, cpts, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _commune_choices(cpts)
        if members is None:
            del self.fields["on_behalf_of"]
        else:
            self.members = {str(m.pk): m for m in members}
            self.fields["on_behalf_of"].choices = [("", "la coordination de la CPTS")] + [
                (pk, member.display_name) for pk, member in self.members.items()
            ]
            self.fields[
                "on_behalf_of"
            ].help_text = "Une commune ou un adhérent qui a confié l'annonce à la coordination."

    def draft(self) -> offers.OfferDraft:
        data = self.cleaned_data
        return offers.OfferDraft(
            kind=data["kind"],
            title=data["title"],
            description=data["description"],
            profession=data["profession"],
            commune_code=data["commune"],
            expires_on=data["expires_on"],
            starts_on=data.get("starts_on"),
            positions=data["positions"],
            contact_name=data["contact_name"],
            contact_email=data.get("contact_email") or "",
            contact_phone=data.get("contact_phone") or "",
        )

    def member(self):
        return getattr(self, "members", {}).get(self.cleaned_data.get("on_behalf_of") or "")


class OfferMoveForm(forms.Form):
    target = forms.ChoiceField(
        choices=[("published", "publier"), ("refused", "refuser"), ("filled", "pourvue"), ("withdrawn", "retirer")]
    )
    note = forms.CharField(label="Motif", required=False, max_length=255)
    version = forms.IntegerField(min_value=0, max_value=bounds.MAX_ID, required=False, widget=forms.HiddenInput)


class DeclareForm(forms.Form):
    last_name = forms.CharField(label="Nom", max_length=newcomers.NAME_MAX)
    first_name = forms.CharField(label="Prénom", max_length=newcomers.NAME_MAX, required=False)
    profession = forms.CharField(label="Profession", max_length=newcomers.NAME_MAX)
    commune = forms.ChoiceField(label="Commune d'installation", choices=[])
    email = forms.EmailField(label="Courriel", required=False, max_length=254)
    installed_on = forms.DateField(label="Installé le", required=False, **DATE)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = _commune_choices(cpts)

    def draft(self) -> newcomers.Declared:
        data = self.cleaned_data
        return newcomers.Declared(
            last_name=data["last_name"],
            first_name=data.get("first_name") or "",
            profession=data["profession"],
            commune_code=data["commune"],
            email=data.get("email") or "",
            installed_on=data.get("installed_on"),
        )


class WelcomeForm(forms.Form):
    email = forms.EmailField(label="Courriel du professionnel", max_length=254)
    version = forms.IntegerField(min_value=0, max_value=bounds.MAX_ID, required=False, widget=forms.HiddenInput)


class NewcomerMoveForm(forms.Form):
    target = forms.ChoiceField(
        choices=[
            (s, s)
            for s in (NewcomerStatus.JOINED, NewcomerStatus.DECLINED, NewcomerStatus.DISMISSED, NewcomerStatus.DETECTED)
        ]
    )
    note = forms.CharField(label="Commentaire", required=False, max_length=newcomers.NOTE_MAX)
    version = forms.IntegerField(min_value=0, max_value=bounds.MAX_ID, required=False, widget=forms.HiddenInput)


class SettingsForm(forms.Form):
    fiche = forms.ChoiceField(label="Fiche-action du projet de santé", required=False, choices=[])
    welcome_text = forms.CharField(
        label="Mot d'accueil",
        required=False,
        max_length=2000,
        help_text="Ajouté au courriel d'accueil des nouveaux installés, après la présentation de la CPTS.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    version = forms.IntegerField(min_value=0, max_value=bounds.MAX_ID, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, fiches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fiches = {str(f.pk): f for f in fiches}
        self.fields["fiche"].choices = [("", "aucune")] + [(pk, f.title) for pk, f in self.fiches.items()]

"""Forms of the association's members: they read what was typed; the rules (collège, identity of a
legal person, uniqueness) are the actions' (maillage/association/actions/members.py)."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import capfirst

from maillage.association.models import College, Member, Statutes
from maillage.core.versioning import VersionedForm
from maillage.directory.models import Professional, Structure
from maillage.pathways.states import Profession
from maillage.territory.models import Commune
from maillage.www.doctor_access.forms import CommuneChoiceField
from maillage.www.spam import HumanCheck


class MemberForm(VersionedForm, forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=Member.Kind.choices, widget=forms.RadioSelect,
                             initial=Member.Kind.PERSON)  # fmt: skip
    college = forms.ModelChoiceField(
        queryset=None,
        label="Collège",
        empty_label="Choisissez le collège",
        required=False,
        error_messages={"invalid_choice": "Choisissez un collège de la liste."},
    )
    last_name = forms.CharField(label="Nom", max_length=100, required=False)
    first_name = forms.CharField(label="Prénom", max_length=100, required=False)
    rpps = forms.CharField(label="Numéro RPPS (professionnel de santé)", max_length=20, required=False,
                           help_text="11 chiffres : relie l'adhérent à sa fiche de l'annuaire.")  # fmt: skip
    profession_code = forms.ChoiceField(label="Profession", choices=[("", "—"), *Profession.choices], required=False)
    name = forms.CharField(label="Dénomination (personne morale)", max_length=200, required=False)
    legal_kind = forms.ChoiceField(label="Type de personne morale", choices=[("", "—"), *Member.LegalKind.choices],
                                   required=False)  # fmt: skip
    finess = forms.CharField(label="FINESS de l'établissement", max_length=9, required=False)
    siren = forms.CharField(label="SIREN", max_length=11, required=False)
    represented_commune = CommuneChoiceField(queryset=None, label="Commune adhérente", required=False,
                                             empty_label="—")  # fmt: skip
    representative_name = forms.CharField(label="Représentant (nom et fonction)", max_length=200, required=False)
    representative_email = forms.EmailField(label="Courriel du représentant", required=False)
    email = forms.EmailField(label="Courriel", required=False)
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    commune = CommuneChoiceField(queryset=None, label="Commune d'exercice ou de siège", required=False,
                                 empty_label="—")  # fmt: skip

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.filter(cpts=cpts)
        communes = Commune.objects.filter(cpts_links__cpts=cpts).order_by("name")
        self.fields["commune"].queryset = communes
        self.fields["represented_commune"].queryset = communes

    def clean_rpps(self):
        value = "".join((self.cleaned_data.get("rpps") or "").split())
        if not value:
            return None
        found = Professional.objects.filter(identifier=value).first()
        if found is None:
            raise forms.ValidationError("Ce numéro RPPS n'est pas dans l'annuaire national.")
        return found

    def clean_finess(self):
        value = (self.cleaned_data.get("finess") or "").strip().upper()
        if not value:
            return None
        found = Structure.objects.filter(finess_et=value).first()
        if found is None:
            raise forms.ValidationError("Ce numéro FINESS n'est pas dans le répertoire national.")
        return found

    def clean_siren(self):
        return "".join((self.cleaned_data.get("siren") or "").split())

    def member_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["professional"] = data.pop("rpps", None)
        data["structure"] = data.pop("finess", None)
        data.pop("version", None)
        return data

    @staticmethod
    def initial_of(member: Member) -> dict:
        return {
            **{field: getattr(member, field) for field in (
                "kind", "college", "last_name", "first_name", "profession_code", "name", "legal_kind", "siren",
                "represented_commune", "representative_name", "representative_email", "email", "phone", "commune",
            )},
            "rpps": member.professional.identifier if member.professional else "",
            "finess": member.structure.finess_et if member.structure else "",
        }  # fmt: skip


class ApplicationForm(HumanCheck, MemberForm):
    """The request to join, on the CPTS's public page."""

    note = forms.CharField(label="Message à la coordination (facultatif)", max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    consent = forms.BooleanField(
        label="J'accepte que la CPTS enregistre ces informations pour gérer mon adhésion.",
        error_messages={"required": "Sans votre accord, la CPTS ne peut pas enregistrer votre demande."},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label="Motif", max_length=255)


def _number(name: str) -> forms.IntegerField:
    """A rule of the statutes as a number bounded by its model field's validators."""
    field = Statutes._meta.get_field(name)
    limits = {type(v): v.limit_value for v in field.validators}
    return forms.IntegerField(label=capfirst(field.verbose_name), min_value=limits.get(MinValueValidator, 0),
                              max_value=limits[MaxValueValidator])  # fmt: skip


class StatutesForm(VersionedForm, forms.ModelForm):
    year_start_month = _number("year_start_month")
    grace_days = _number("grace_days")
    convocation_days = _number("convocation_days")
    max_proxies = _number("max_proxies")
    quorum_ordinary = _number("quorum_ordinary")
    quorum_extraordinary = _number("quorum_extraordinary")
    quorum_board = _number("quorum_board")
    majority_extraordinary = _number("majority_extraordinary")

    class Meta:
        model = Statutes
        fields = ["year_start_month", "grace_days", "convocation_days", "max_proxies", "quorum_ordinary",
                  "quorum_extraordinary", "quorum_board", "majority_extraordinary", "weighted_votes"]  # fmt: skip

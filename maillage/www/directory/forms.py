from django import forms

from maillage.core.text import normalize
from maillage.core.versioning import VersionedForm
from maillage.directory import search
from maillage.directory.models import Skill
from maillage.territory.models import Commune, CptsCommune

SCOPES = [(search.TERRITORY, "Territoire de la CPTS"), (search.EVERYWHERE, "Toute la base nationale")]
MEMBERSHIP = [("", "Tous"), (search.MEMBERS, "Adhérents"), (search.NOT_MEMBERS, "Non adhérents")]
MSSANTE_DOMAIN = ".mssante.fr"
MAX_LANGUAGES = 12


def resolve_commune(text: str, cpts) -> Commune:
    """A commune from what a person types: its INSEE code, or its name when only one commune
    bears it (the territory's own commune wins over a namesake elsewhere in France)."""
    text = text.strip()
    by_code = Commune.objects.filter(code=text.upper()).first()
    if by_code is not None:
        return by_code
    namesakes = list(Commune.objects.filter(search_name=normalize(text)).order_by("-is_unit", "code"))
    if len(namesakes) > 1:
        own_codes = set(
            CptsCommune.objects.filter(cpts=cpts, commune__in=namesakes).values_list("commune_id", flat=True)
        )
        own = [c for c in namesakes if c.code in own_codes]
        namesakes = own or [c for c in namesakes if c.is_unit] or namesakes
    if not namesakes:
        raise forms.ValidationError(f"Commune inconnue : « {text} ». Indiquez son nom exact ou son code INSEE.")
    if len(namesakes) > 1:
        codes = ", ".join(c.code for c in namesakes[:5])
        raise forms.ValidationError(f"Plusieurs communes s'appellent « {text} » : indiquez le code INSEE ({codes}).")
    return namesakes[0]


class SearchForm(forms.Form):
    """The coordinator's search; every field is optional and an empty form lists the territory."""

    name = forms.CharField(
        label="Nom ou prénom",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    profession = forms.ChoiceField(label="Profession", required=False)
    specialty = forms.ChoiceField(label="Savoir-faire", required=False)
    commune = forms.CharField(
        label="Commune",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"list": "communes-du-territoire", "autocomplete": "off"}),
    )
    radius = forms.IntegerField(label="Rayon autour (km)", required=False, min_value=1, max_value=100)
    scope = forms.ChoiceField(label="Périmètre", choices=SCOPES, required=False)
    member = forms.ChoiceField(label="Adhésion", choices=MEMBERSHIP, required=False)
    skill = forms.ModelChoiceField(
        label="Compétence", queryset=Skill.objects.none(), to_field_name="code", required=False, empty_label="Toutes"
    )
    new_patients = forms.BooleanField(label="Accepte de nouveaux patients", required=False)
    category = forms.ChoiceField(label="Catégorie de structure", required=False)

    def __init__(self, *args, cpts, **kwargs):
        super().__init__(*args, **kwargs)
        self.cpts = cpts
        self.fields["profession"].choices = [("", "Toutes"), *search.profession_choices()]
        self.fields["specialty"].choices = [("", "Tous"), *search.specialty_choices()]
        self.fields["category"].choices = [("", "Toutes"), *search.category_choices()]
        self.fields["skill"].queryset = search.skills()

    def clean_commune(self):
        text = self.cleaned_data.get("commune", "")
        return resolve_commune(text, self.cpts) if text.strip() else None

    def clean_scope(self):
        return self.cleaned_data.get("scope") or search.TERRITORY

    def clean(self):
        data = super().clean()
        if data.get("radius") and not data.get("commune") and "commune" not in self.errors:
            self.add_error("commune", "Indiquez la commune autour de laquelle chercher.")
        return data


class PublicSearchForm(forms.Form):
    name = forms.CharField(
        label="Nom", required=False, max_length=100, widget=forms.TextInput(attrs={"type": "search"})
    )
    profession = forms.ChoiceField(label="Profession", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [("", "Toutes"), *search.profession_choices()]


class EntryForm(VersionedForm, forms.Form):
    """What the CPTS records about a professional, beside the national register."""

    skills = forms.ModelMultipleChoiceField(
        label="Compétences",
        queryset=Skill.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label="Langues parlées",
        required=False,
        max_length=300,
        help_text="Séparées par des virgules, par exemple : anglais, arabe, langue des signes.",
    )
    accepts_new_patients = forms.BooleanField(label="Accepte de nouveaux patients", required=False)
    new_patient_capacity = forms.IntegerField(
        label="Nombre de nouveaux patients acceptés", required=False, min_value=1, max_value=10_000
    )
    takes_part_in_snp = forms.BooleanField(label="Participe aux soins non programmés", required=False)
    mssante_address = forms.EmailField(
        label="Messagerie sécurisée (MSSanté)",
        required=False,
        help_text="Adresse de l'espace de confiance MSSanté, se terminant par .mssante.fr ; jamais publiée.",
    )
    public_listing = forms.BooleanField(
        label="Visible dans l'annuaire public",
        required=False,
        help_text="Publie les compétences, les langues et l'accueil de nouveaux patients sur la page publique.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = search.skills()

    @classmethod
    def initial_from(cls, entry) -> dict:
        if entry is None:
            return {}
        return {
            "skills": list(entry.skills.all()),
            "languages": ", ".join(entry.languages or []),
            "accepts_new_patients": entry.accepts_new_patients,
            "new_patient_capacity": entry.new_patient_capacity,
            "takes_part_in_snp": entry.takes_part_in_snp,
            "mssante_address": entry.mssante_address,
            "public_listing": entry.public_listing,
        }

    def clean_languages(self):
        seen, languages = set(), []
        for part in self.cleaned_data.get("languages", "").split(","):
            language = " ".join(part.split())
            if language and language.lower() not in seen:
                seen.add(language.lower())
                languages.append(language)
        if len(languages) > MAX_LANGUAGES:
            raise forms.ValidationError(f"{MAX_LANGUAGES} langues au plus.")
        if any(len(language) > 40 for language in languages):
            raise forms.ValidationError("Une langue s'écrit en 40 caractères au plus.")
        return languages

    def clean_mssante_address(self):
        address = self.cleaned_data.get("mssante_address", "").strip().lower()
        if address and not address.endswith(MSSANTE_DOMAIN):
            raise forms.ValidationError(
                "Ce n'est pas une adresse MSSanté : elle doit se terminer par .mssante.fr "
                "(une adresse de messagerie ordinaire n'est pas sécurisée)."
            )
        return address

    def clean(self):
        data = super().clean()
        if data.get("new_patient_capacity") and not data.get("accepts_new_patients"):
            self.add_error(
                "new_patient_capacity",
                "Indiquez un nombre de nouveaux patients seulement si le professionnel en accepte.",
            )
        return data

import re

from django import forms
from django.contrib.auth import password_validation

from maillage.accounts.models import CPTS_ROLES, RoleKind, User
from maillage.core.identifiers import validate_finess

PASSWORD_MAX = 256
COMMUNES_MAX = 6 * 2000  # 2,000 codes of 5 characters and a separator: beyond any CPTS's territory
INVITE_CHOICES = [(kind.value, kind.label) for kind in RoleKind if kind in CPTS_ROLES]
# Issue 15: the « structure » role names an establishment, so it is given by an invitation only.
ROLE_CHOICES = [(value, label) for value, label in INVITE_CHOICES if value != RoleKind.STRUCTURE]
# What people type between the parts of a phone number or a list of codes.
_SEPARATORS = re.compile(r"[\s.,;-]+")


class InviteForm(forms.Form):
    email = forms.EmailField(label="Adresse électronique de la personne", max_length=254)
    kind = forms.ChoiceField(label="Rôle", choices=INVITE_CHOICES, initial=RoleKind.MEMBER)
    # Issue 15 — for the staff of an establishment (hospital discharge): which one.
    finess = forms.CharField(
        label="FINESS de l'établissement (personnel d'un établissement seulement)",
        max_length=9,
        required=False,
        help_text="9 caractères, le numéro FINESS de l'établissement (site géographique).",
    )

    def clean(self):
        from maillage.directory.models import Structure

        data = super().clean()
        finess = (data.get("finess") or "").strip().upper()
        data["structure"] = None
        if data.get("kind") == RoleKind.STRUCTURE:
            if not finess:
                self.add_error("finess", "Indiquez le numéro FINESS de l'établissement de cette personne.")
            else:
                data["structure"] = Structure.objects.filter(finess_et=finess).first()
                if data["structure"] is None:
                    self.add_error("finess", f"Aucun établissement de l'annuaire n'a le numéro FINESS « {finess} ».")
        return data


class RoleForm(forms.Form):
    kind = forms.ChoiceField(label="Nouveau rôle", choices=ROLE_CHOICES)


class RppsForm(forms.Form):
    rpps = forms.CharField(label="Numéro RPPS", max_length=20, help_text="11 chiffres, sur la carte CPS.")


class AcceptForm(forms.Form):
    """A new account from an invitation; the address is the invitation's."""

    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    # Long enough for any passphrase, short enough that hashing it costs nothing unusual.
    password1 = forms.CharField(
        label="Mot de passe",
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, ni trop courant, ni proche de votre nom ou de votre adresse.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe",
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean(self):
        data = super().clean()
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        elif password:
            person = User(email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(password, person)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class CptsForm(forms.Form):
    name = forms.CharField(label="Nom de la CPTS", max_length=200)
    slug = forms.SlugField(
        label="Adresse de la page",
        max_length=80,
        help_text="Lettres minuscules, chiffres et tirets, par exemple « cpts-du-val ».",
    )
    communes = forms.CharField(
        label="Communes du territoire (codes INSEE)",
        max_length=COMMUNES_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Au moins une, séparées par des espaces ou des virgules, par exemple « 92046 92020 ».",
    )
    finess = forms.CharField(
        label="FINESS", max_length=20, required=False, help_text="9 caractères, si la CPTS en a un."
    )
    contact_email = forms.EmailField(label="Adresse de contact", required=False, max_length=254)
    phone = forms.CharField(label="Téléphone du numéro unique", max_length=30, required=False)
    description = forms.CharField(
        label="Présentation (page publique)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    coordinator_email = forms.EmailField(label="Adresse électronique du coordinateur à inviter", max_length=254)

    def clean_communes(self):
        return [code for code in _SEPARATORS.split(self.cleaned_data["communes"].upper()) if code]

    def clean_finess(self):
        finess = "".join(self.cleaned_data["finess"].split())
        if finess:
            validate_finess(finess)
        return finess

    def clean_phone(self):
        digits = _SEPARATORS.sub("", self.cleaned_data["phone"])
        if not digits:
            return ""
        if digits.startswith("+33"):
            digits = "0" + digits[3:]
        if not re.fullmatch(r"0[1-9]\d{8}", digits):
            raise forms.ValidationError("Numéro de téléphone non valide : 10 chiffres, par exemple 01 23 45 67 89.")
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))

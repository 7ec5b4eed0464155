"""Parser of the RPPS/ADELI open-data extraction `PS_LibreAcces_Personne_activite`.

`|`-separated, each line ending with a `|`, 52 columns (56 since the rôle and genre d'activité
were added). Columns are found by their name in the header, normalized (accents, case, spaces,
punctuation), never by position: the ANS has changed the order and the spelling before.
One line is one activity of one professional; a professional with several activities appears on
several lines, and their identity is taken from the first one.
"""

import re
import unicodedata
from dataclasses import dataclass
from operator import itemgetter

from maillage.core.identifiers import is_valid_adeli, is_valid_rpps
from maillage.directory.models.professionals import KEY_LENGTH
from maillage.directory.records import Record, fingerprint
from maillage.directory.sources import Issue, Line, SourceError, binary_issue, excerpt

SEPARATOR = "|"

PROFESSIONAL_COLUMNS = [
    ("Type d'identifiant PP", "id_type"),
    ("Identifiant PP", "identifier"),
    ("Identification nationale PP", "national_id"),
    ("Code civilité d'exercice", "exercise_civility_code"),
    ("Libellé civilité d'exercice", "exercise_civility_label"),
    ("Code civilité", "civility_code"),
    ("Libellé civilité", "civility_label"),
    ("Nom d'exercice", "last_name"),
    ("Prénom d'exercice", "first_name"),
    ("Code profession", "profession_code"),
    ("Libellé profession", "profession_label"),
    ("Code catégorie professionnelle", "category_code"),
    ("Libellé catégorie professionnelle", "category_label"),
    ("Code type savoir-faire", "savoir_faire_type_code"),
    ("Libellé type savoir-faire", "savoir_faire_type_label"),
    ("Code savoir-faire", "savoir_faire_code"),
    ("Libellé savoir-faire", "savoir_faire_label"),
]
ACTIVITY_COLUMNS = [
    ("Code mode exercice", "mode_code"),
    ("Libellé mode exercice", "mode_label"),
    ("Numéro SIRET site", "siret"),
    ("Numéro SIREN site", "siren"),
    ("Numéro FINESS site", "finess_site"),
    ("Numéro FINESS établissement juridique", "finess_ej"),
    ("Identifiant technique de la structure", "structure_id"),
    ("Raison sociale site", "company_name"),
    ("Enseigne commerciale site", "trade_name"),
    ("Complément destinataire (coord. structure)", "recipient_complement"),
    ("Complément point géographique (coord. structure)", "place_complement"),
    ("Numéro Voie (coord. structure)", "street_number"),
    ("Indice répétition voie (coord. structure)", "repetition_index"),
    ("Code type de voie (coord. structure)", "street_type_code"),
    ("Libellé type de voie (coord. structure)", "street_type_label"),
    ("Libellé Voie (coord. structure)", "street_label"),
    ("Mention distribution (coord. structure)", "distribution_mention"),
    ("Bureau cedex (coord. structure)", "cedex_office"),
    ("Code postal (coord. structure)", "postal_code"),
    ("Code commune (coord. structure)", "commune_code"),
    ("Libellé commune (coord. structure)", "commune_label"),
    ("Code pays (coord. structure)", "country_code"),
    ("Libellé pays (coord. structure)", "country_label"),
    ("Téléphone (coord. structure)", "phone"),
    ("Téléphone 2 (coord. structure)", "phone2"),
    ("Télécopie (coord. structure)", "fax"),
    ("Adresse e-mail (coord. structure)", "email"),
    ("Code Département (structure)", "departement_code"),
    ("Libellé Département (structure)", "departement_label"),
    ("Ancien identifiant de la structure", "structure_old_id"),
    ("Autorité d'enregistrement", "registration_authority"),
    ("Code secteur d'activité", "sector_code"),
    ("Libellé secteur d'activité", "sector_label"),
    ("Code section tableau pharmaciens", "pharmacist_section_code"),
    ("Libellé section tableau pharmaciens", "pharmacist_section_label"),
    # The 56-column extraction only.
    ("Code rôle", "role_code"),
    ("Libellé rôle", "role_label"),
    ("Code genre activité", "genre_code"),
    ("Libellé genre activité", "genre_label"),
]
# Spellings seen in other vintages and in files re-saved by hand.
ALIASES = {
    "Code mode d'exercice": "mode_code",
    "Libellé mode d'exercice": "mode_label",
    "Adresse email (coord. structure)": "email",
    "Adresse mail (coord. structure)": "email",
    "Code section tableau pharmacien": "pharmacist_section_code",
    "Libellé section tableau pharmacien": "pharmacist_section_label",
    "Code genre d'activité": "genre_code",
    "Libellé genre d'activité": "genre_label",
    "Fax (coord. structure)": "fax",
}
REQUIRED = ["id_type", "identifier", "last_name"]
PROFESSIONAL_FIELDS = [name for _, name in PROFESSIONAL_COLUMNS]
NATIONAL_ID = PROFESSIONAL_FIELDS.index("national_id")
SOURCE_ACTIVITY_FIELDS = [name for _, name in ACTIVITY_COLUMNS]
# A line says something about an activity when one of these is filled (ADELI lines often have none).
PRESENCE_FIELDS = [
    "mode_code", "siret", "siren", "finess_site", "finess_ej", "structure_id", "company_name", "trade_name",
    "street_label", "postal_code", "commune_code", "sector_code", "role_code", "genre_code", "phone", "email",
]  # fmt: skip
KEY_FIELDS = ["structure_id", "mode_code", "sector_code", "pharmacist_section_code", "role_code", "genre_code"]
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(name: str) -> str:
    """« Code civilité d’exercice » and « code civilite d'exercice » both give « codecivilitedexercice »:
    accents, case, spaces, apostrophes and punctuation vary between vintages, the letters do not."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub("", plain)


COLUMN_OF = {header_key(title): name for title, name in [*PROFESSIONAL_COLUMNS, *ACTIVITY_COLUMNS]}
COLUMN_OF.update({header_key(title): name for title, name in ALIASES.items()})
TITLE_OF = {name: title for title, name in [*PROFESSIONAL_COLUMNS, *ACTIVITY_COLUMNS]}


@dataclass(slots=True)
class ParsedLine:
    line: int
    text: str
    professional: Record
    activity: Record | None
    warnings: list[Issue] | None = None


class Header:
    """Where each known column is in the file, read from its first line."""

    def __init__(self, line: Line):
        self.text = text = line.text
        _refuse_other_formats(text)
        titles = text.split(SEPARATOR)
        if titles and titles[-1] == "":
            titles.pop()
        self.width = len(titles)
        self.trailing_separator = text.endswith(SEPARATOR)
        self.index: dict[str, int] = {}
        self.ignored: list[str] = []
        for position, title in enumerate(titles):
            name = COLUMN_OF.get(header_key(title))
            if name is None:
                self.ignored.append(title.strip())
            elif name not in self.index:
                self.index[name] = position
        if not self.index:
            if re.match(r"^\s*[08]\|\w+\|", text):
                raise SourceError(
                    "En-tête manquant : la première ligne contient déjà des données. La première ligne "
                    "doit nommer les colonnes (« Type d'identifiant PP|Identifiant PP|… »)."
                )
            raise SourceError(
                "En-tête inconnu : ce fichier n'est pas une extraction RPPS « PS_LibreAcces_Personne_activite » "
                "(aucune colonne attendue, comme « Identifiant PP », dans la première ligne)."
            )
        missing = [TITLE_OF[name] for name in REQUIRED if name not in self.index]
        if missing:
            raise SourceError(f"Colonnes obligatoires absentes de l'en-tête : {', '.join(missing)}.")

    def check(self, line: Line, columns: list[str]) -> Issue | None:
        """What is wrong with the width of a line (`columns` without the trailing empty one)."""
        truncated = not line.complete and (
            len(columns) != self.width or (self.trailing_separator and not line.text.endswith(SEPARATOR))
        )
        if truncated:
            return Issue(
                line.number, "ligne tronquée", "ligne tronquée : le fichier s'arrête au milieu de la ligne "
                "(téléchargement interrompu ?)", excerpt(line.text),
            )  # fmt: skip
        if len(columns) != self.width:
            return Issue(
                line.number,
                "nombre de colonnes incorrect",
                f"nombre de colonnes incorrect : {len(columns)} au lieu de {self.width}",
                excerpt(line.text),
            )
        return None


def _refuse_other_formats(text: str) -> None:
    first = text.split(";", 1)[0].strip().lower()
    if first in ("finess", "structureet", "geolocalisation", "nofinesset", "section"):
        raise SourceError(
            "Ce fichier est une extraction FINESS, pas l'extraction RPPS : importez-le avec "
            "« manage.py import_finess »."
        )
    if SEPARATOR in text:
        return
    for separator, name in ((";", "point-virgule"), ("\t", "tabulation"), (",", "virgule")):
        titles = text.split(separator)
        if len(titles) > 5:
            known = any(header_key(t) in COLUMN_OF for t in titles)
            hint = " (fichier réenregistré par un tableur ?)" if known else ""
            raise SourceError(
                f"Séparateur incorrect : les colonnes sont séparées par un {name}{hint}. L'extraction RPPS "
                "sépare ses colonnes par une barre verticale « | »."
            )
    raise SourceError(
        "En-tête inconnu : la première ligne ne contient aucune colonne séparée par « | ». Ce fichier n'est "
        "pas une extraction RPPS « PS_LibreAcces_Personne_activite »."
    )


class LineParser:
    """Turns a line into records. The hot loop of a 2-million-line import: C-level built-ins only
    (split, strip through map, itemgetter, join), and no Python object per field."""

    def __init__(self, header: Header, communes: frozenset[str]):
        self.header = header
        self.communes = communes
        # Each line gets one empty string appended at index `width`: the value of absent columns.
        position = {name: header.index.get(name, header.width) for name in COLUMN_OF.values()}
        self.professional_values = itemgetter(*(position[name] for name in PROFESSIONAL_FIELDS))
        self.activity_values = itemgetter(*(position[name] for name in SOURCE_ACTIVITY_FIELDS))
        self.presence = itemgetter(*(position[name] for name in PRESENCE_FIELDS))
        self.key_values = itemgetter(*(position[name] for name in KEY_FIELDS))
        self.identity = itemgetter(position["id_type"], position["identifier"], position["national_id"])
        self.commune_position = position["commune_code"]
        self._checked = self._checked_type = None
        self._previous: Record | None = None

    def parse(self, line: Line, line_hash: int | None = None) -> ParsedLine | Issue:
        """`line_hash` (the line's fingerprint) is carried by the records made from it."""
        columns = line.text.split(SEPARATOR)
        width = self.header.width
        if not columns[-1] and (self.header.trailing_separator or len(columns) == width + 1):
            columns.pop()  # the separator that ends each line
        if len(columns) != width or not line.complete:
            issue = self.header.check(line, columns)
            if issue:
                return issue
        if "\x00" in line.text:
            return binary_issue(line)
        v = list(map(str.strip, columns))
        v.append("")
        id_type, identifier, national_id = self.identity(v)
        # A professional's lines follow each other: their identifier is checked once.
        if (
            identifier != self._checked
            or id_type != self._checked_type
            or (national_id and national_id[1:] != identifier)
        ):
            problem = identity_problem(id_type, identifier, national_id)
            if problem:
                return Issue(line.number, problem[0], problem[1], excerpt(line.text))
            self._checked, self._checked_type = identifier, id_type
        national_id = id_type + identifier
        values = self.professional_values(v)
        if values[NATIONAL_ID] != national_id:  # absent from the line: derived from the identifier
            values = (*values[:NATIONAL_ID], national_id, *values[NATIONAL_ID + 1 :])
        professional = self._previous
        if professional is None or values != professional.values:
            professional = Record(national_id, values, fingerprint(values), line.number, line_hash=line_hash)
            self._previous = professional
        if not any(self.presence(v)):
            return ParsedLine(line.number, line.text, professional, None)
        values = self.activity_values(v)
        code = v[self.commune_position].upper()
        commune = code if code in self.communes else None
        warnings = None
        if code and commune is None:
            detail = f"commune « {code} » absente du référentiel : code conservé, activité sans commune"
            warnings = [Issue(line.number, "commune inconnue", detail, excerpt(line.text), warning=True)]
        key = "|".join((national_id, *self.key_values(v)))
        if len(key) > KEY_LENGTH:  # never seen; a digest keeps such a key unique and short enough
            key = f"{national_id}|#{fingerprint((key,))}"
        digest = fingerprint((national_id, commune or "", *values))
        activity = Record(key, values, digest, line.number, {"commune": commune}, professional, line_hash)
        return ParsedLine(line.number, line.text, professional, activity, warnings)

    def parse_alone(self, line: Line, line_hash: int | None = None) -> ParsedLine | Issue:
        """`parse` for a line taken out of the file's order (a re-import parses only the lines it
        could not match): its professional record is made from this line, never reused."""
        self._previous = None
        return self.parse(line, line_hash)


def identity_problem(id_type: str, identifier: str, national_id: str) -> tuple[str, str] | None:
    """(category, detail) of what makes the identity of a line unusable, or None."""
    if not identifier:
        return "identifiant vide", "identifiant PP vide"
    if id_type == "8":
        if not is_valid_rpps(identifier):
            if len(identifier) != 11 or not identifier.isdigit():
                return "numéro RPPS invalide", f"numéro RPPS « {identifier} » invalide : 11 chiffres attendus"
            return (
                "numéro RPPS invalide",
                f"numéro RPPS « {identifier} » invalide : la clé de contrôle ne correspond pas",
            )
    elif id_type == "0":
        if not is_valid_adeli(identifier):
            return "numéro ADELI invalide", f"numéro ADELI « {identifier} » invalide : 9 caractères attendus"
    else:
        return "type d'identifiant inconnu", f"type d'identifiant « {id_type} » inconnu : 8 (RPPS) ou 0 (ADELI) attendu"
    expected = id_type + identifier
    if national_id and national_id != expected:
        detail = f"identification nationale « {national_id} » incohérente avec l'identifiant (attendu « {expected} »)"
        return "identification nationale incohérente", detail
    return None

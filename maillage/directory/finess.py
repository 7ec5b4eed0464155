"""Parser of the FINESS extraction published on data.gouv.fr (etalab).

Current layout (`etalab-cs1100502-stock-AAAAMMJJ-HHMM.csv`): `;`-separated, no header, a first line
of metadata `finess;etalab;<version>;<date>`, then `structureet` lines of 32 fields and, in the
national file, `geolocalisation;nofinesset;x;y;source;date` lines after them. A file holding only
geolocation lines is accepted too: it updates the coordinates of known structures.
The historical yearly layout (`etalab_stock_et_AAAAMMJJ.csv`: a header, 42 columns, INSEE code
and coordinates on the structure's line) is read as well, its columns found by name.
"""

import re
from dataclasses import dataclass
from datetime import date

from maillage.core.identifiers import is_valid_finess
from maillage.directory.coords import CoordinateError, epsg_of, to_wgs84
from maillage.directory.records import Record, fingerprint
from maillage.directory.rpps import header_key
from maillage.directory.sources import Issue, Line, SourceError, binary_issue, excerpt, split_csv_line

SEPARATOR = ";"
STRUCTURE_FIELDS = [
    "section", "nofinesset", "nofinessej", "rs", "rslongue", "complrs", "compldistrib", "numvoie", "typvoie",
    "voie", "compvoie", "lieuditbp", "commune", "departement", "libdepartement", "ligneacheminement", "telephone",
    "telecopie", "categetab", "libcategetab", "categagretab", "libcategagretab", "siret", "codeape", "codemft",
    "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj", "numuai",
]  # fmt: skip
GEO_FIELDS = ["section", "nofinesset", "x", "y", "source", "date"]
# Historical layout: its column name → the name of the same data in the current layout.
HISTORICAL_NAMES = {
    "categretab": "categagretab", "libcategretab": "libcategagretab", "mft": "codemft", "sph": "codesph",
    "dateouvert": "dateouv", "coordx": "x", "coordy": "y", "sourcegeocod": "source", "dategeocod": "date",
}  # fmt: skip
# Source field → Structure field.
MODEL_FIELD = {
    "nofinessej": "finess_ej", "rs": "short_name", "rslongue": "long_name", "complrs": "complement",
    "compldistrib": "distribution_complement", "numvoie": "street_number", "typvoie": "street_type",
    "voie": "street_label", "compvoie": "street_complement", "lieuditbp": "locality",
    "departement": "departement_code", "libdepartement": "departement_label", "ligneacheminement": "postal_line",
    "categetab": "category_code", "libcategetab": "category_label", "categagretab": "aggregate_category_code",
    "libcategagretab": "aggregate_category_label", "siret": "siret", "codeape": "ape_code", "codemft": "mft_code",
    "libmft": "mft_label", "codesph": "sph_code", "libsph": "sph_label", "numuai": "uai",
}  # fmt: skip
PHONES = {"telephone": "phone", "telecopie": "fax"}
DATES = {"dateouv": "opened_on", "dateautor": "authorized_on", "datemaj": "source_updated_on"}
FIELDS = [*MODEL_FIELD.values(), *PHONES.values(), *DATES.values(), "commune", "commune_code"]

# FINESS writes overseas départements as 9A…9J and their communes on 3 digits that already carry the
# INSEE département's last digit: 9B + 207 → 97207 (Ducos), 9C + 302 → 97302 (Cayenne), 9D + 411 →
# 97411 (Saint-Denis), 9F + 606 → 97606 (Chirongui), 9J + 613 → 98613 (Uvea): checked on every line
# of the 2026 sample against the COG. Only the « 97 »/« 98 » prefix comes from the letter. 9E
# (Saint-Pierre-et-Miquelon, 975xx) and 9G–9I (the other Pacific collectivities, 98xxx) are not in the
# sample: their prefix is inferred. A code that then names no commune is kept and reported, never
# dropped.
OVERSEAS_PREFIX = {"9A": "97", "9B": "97", "9C": "97", "9D": "97", "9E": "97", "9F": "97"}
OVERSEAS_PREFIX.update({"9G": "98", "9H": "98", "9I": "98", "9J": "98"})
# St-Barthélemy and St-Martin left Guadeloupe in 2007 (INSEE 977 and 978); FINESS still files them
# under 9A with their former commune codes.
RENAMED = {"97123": "97701", "97127": "97801"}
_PHONE_NOISE = re.compile(r"[\s.\-]")


def insee_code(departement: str, commune: str) -> str:
    departement, commune = departement.strip().upper(), commune.strip()
    if not departement or not commune:
        return ""
    if commune.isdigit():
        commune = commune.zfill(3)
    prefix = OVERSEAS_PREFIX.get(departement)
    code = prefix + commune if prefix else departement.zfill(2) + commune
    return RENAMED.get(code, code)


def parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    if "/" in value:  # a file re-saved by a spreadsheet: 13/02/1979
        day, month, year = value.split("/", 2)
        value = f"{year}-{month}-{day}"
    return date.fromisoformat(value)


@dataclass
class Geo:
    finess_et: str
    latitude: float
    longitude: float
    source: str
    epsg: int
    geocoded_on: date | None
    line: int
    text: str


class Layout:
    """Which FINESS layout the file is in, from its first line."""

    def __init__(self, line: Line):
        text = line.text
        self.extracted_on = ""
        self.first_data: Line | None = None
        self.columns: dict[str, int] | None = None  # historical layout only
        _refuse_other_formats(text)
        fields = split_csv_line(text, SEPARATOR)
        head = fields[0].strip().lower()
        if head == "finess":
            self.extracted_on = fields[-1].strip()
        elif head in ("structureet", "geolocalisation"):
            self.first_data = line
        elif head == "nofinesset":
            names = [HISTORICAL_NAMES.get(n.strip().lower(), n.strip().lower()) for n in fields]
            self.columns = {name: i for i, name in reversed(list(enumerate(names)))}
            self.width = len(fields)
            missing = [n for n in ("nofinesset", "rs", "departement") if n not in self.columns]
            if missing:
                raise SourceError(f"Colonnes obligatoires absentes de l'en-tête FINESS : {', '.join(missing)}.")
        else:
            raise SourceError(
                "Format FINESS non reconnu : la première ligne devrait être « finess;etalab;… » (extraction "
                "etalab) ou un en-tête « nofinesset;nofinessej;… » (ancien format annuel)."
            )

    @property
    def label(self) -> str:
        if self.columns is not None:
            return "ancien format annuel avec en-tête"
        return f"extraction etalab du {self.extracted_on}" if self.extracted_on else "extraction etalab"


def _refuse_other_formats(text: str) -> None:
    if "identifiantpp" in header_key(text[:200]):
        raise SourceError(
            "Ce fichier est l'extraction RPPS, pas une extraction FINESS : importez-le avec « manage.py import_rpps »."
        )
    if SEPARATOR in text:
        return
    for separator, name in (("|", "barre verticale"), ("\t", "tabulation"), (",", "virgule")):
        if text.count(separator) >= 3:
            raise SourceError(
                f"Séparateur incorrect : les champs sont séparés par une {name}. L'extraction FINESS sépare "
                "ses champs par un point-virgule « ; »."
            )
    raise SourceError(
        "Format FINESS non reconnu : aucun champ séparé par « ; » dans la première ligne. La première ligne "
        "devrait être « finess;etalab;… »."
    )


class LineParser:
    def __init__(self, layout: Layout, communes: frozenset[str]):
        self.layout = layout
        self.communes = communes

    def parse(self, line: Line) -> list:
        """Items of one line: a structure Record, a Geo, and Issues (rejections or warnings)."""
        if "\x00" in line.text:
            return [binary_issue(line)]
        fields = split_csv_line(line.text, SEPARATOR)
        if self.layout.columns is not None:
            return self._historical(line, fields)
        section = fields[0].strip().lower()
        if section == "structureet":
            fields = self._width(line, fields, len(STRUCTURE_FIELDS), "structureet")
            if isinstance(fields, Issue):
                return [fields]
            return self._structure(line, dict(zip(STRUCTURE_FIELDS, fields, strict=True)))
        if section == "geolocalisation":
            fields = self._width(line, fields, len(GEO_FIELDS), "geolocalisation")
            if isinstance(fields, Issue):
                return [fields]
            return self._geo(line, dict(zip(GEO_FIELDS, fields, strict=True)), required=True)
        return [self._issue(line, "section inconnue", f"section « {fields[0][:40]} » non prise en charge")]

    def _width(self, line: Line, fields: list[str], width: int, section: str):
        if len(fields) == width + 1 and fields[-1] == "":
            fields.pop()
        elif len(fields) == width - 1 and section == "structureet" and line.complete:
            fields.append("")  # the last field (UAI) is empty and its separator was dropped
        if len(fields) == width:
            return fields
        if not line.complete:
            return self._issue(line, "ligne tronquée", "ligne tronquée : le fichier s'arrête au milieu de la ligne")
        return self._issue(
            line, "nombre de champs incorrect", f"ligne {section} de {len(fields)} champs au lieu de {width}"
        )

    def _historical(self, line: Line, fields: list[str]) -> list:
        if len(fields) != self.layout.width:
            if not line.complete:
                return [
                    self._issue(line, "ligne tronquée", "ligne tronquée : le fichier s'arrête au milieu de la ligne")
                ]
            detail = f"{len(fields)} champs au lieu de {self.layout.width}"
            return [self._issue(line, "nombre de champs incorrect", detail)]
        values = {name: fields[i] for name, i in self.layout.columns.items()}
        items = self._structure(line, values)
        if items and isinstance(items[0], Record) and values.get("x", "").strip():
            values["nofinesset"] = items[0].key
            items.extend(self._geo(line, values, required=False))
        return items

    def _structure(self, line: Line, v: dict) -> list:
        finess = v["nofinesset"].strip().upper()
        if not is_valid_finess(finess):
            detail = f"numéro FINESS « {finess} » invalide : 9 caractères dont une clé de contrôle"
            return [self._issue(line, "numéro FINESS invalide", detail)]
        items: list = []
        values = {field: v.get(source, "").strip() for source, field in MODEL_FIELD.items()}
        for source, field in PHONES.items():
            values[field] = _PHONE_NOISE.sub("", v.get(source, ""))
        for source, field in DATES.items():
            try:
                values[field] = parse_date(v.get(source, ""))
            except ValueError:
                values[field] = None
                items.append(self._issue(line, "date illisible", f"date « {v[source]} » illisible ({source})", True))
        cog = v.get("cog", "").strip()
        code = (
            RENAMED.get(cog.zfill(5), cog.zfill(5))
            if cog
            else insee_code(v.get("departement", ""), v.get("commune", ""))
        )
        values["commune_code"] = code
        values["commune"] = code if code in self.communes else None
        if code and values["commune"] is None:
            detail = f"commune « {code} » absente du référentiel : code conservé, structure sans commune"
            items.append(self._issue(line, "commune inconnue", detail, True))
        row = tuple(values[name] for name in FIELDS)
        digest = fingerprint(["" if value is None else str(value) for value in row])
        return [Record(finess, row, digest, line.number, context=line.text), *items]

    def _geo(self, line: Line, v: dict, *, required: bool) -> list:
        finess = v["nofinesset"].strip().upper()
        if not is_valid_finess(finess):
            detail = f"numéro FINESS « {finess} » invalide : 9 caractères dont une clé de contrôle"
            return [self._issue(line, "numéro FINESS invalide", detail)]
        x, y = v["x"].strip().replace(",", "."), v["y"].strip().replace(",", ".")
        if not x or not y:
            return [self._issue(line, "coordonnées absentes", "coordonnées absentes", True)] if required else []
        source = v.get("source", "").strip()
        epsg = epsg_of(source)
        try:
            latitude, longitude = to_wgs84(float(x), float(y), epsg)
        except ValueError as exc:  # CoordinateError, or float() of garbage
            detail = str(exc) if isinstance(exc, CoordinateError) else f"coordonnées « {x} ; {y} » illisibles"
            return [self._issue(line, "coordonnées inutilisables", f"coordonnées ignorées : {detail}", True)]
        try:
            geocoded_on = parse_date(v.get("date", ""))
        except ValueError:
            geocoded_on = None
        return [Geo(finess, latitude, longitude, source[:250], epsg, geocoded_on, line.number, line.text)]

    @staticmethod
    def _issue(line: Line, kind: str, detail: str, warning: bool = False) -> Issue:
        return Issue(line.number, kind, detail, excerpt(line.text), warning=warning)

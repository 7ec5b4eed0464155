"""FHIR search parameters → querysets.

Each resource type declares its parameters once (`RESOURCES`); the parser, the read interaction and
the CapabilityStatement all read that declaration. A parameter turns one value into a `Q`; a value
with commas is an OR of its parts, a repeated parameter an AND (FHIR's rules). Unknown parameters,
modifiers and malformed values are refused with a French message rather than silently ignored: a
client that believes it filtered must not receive the whole directory.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import router
from django.db.models import Q, QuerySet

from maillage.core.french import grouped, plural
from maillage.core.text import normalize
from maillage.directory.models import Activity, Professional, Structure
from maillage.directory.models.professionals import name_prefix
from maillage.fhir import systems
from maillage.fhir.errors import invalid, not_supported

DEFAULT_COUNT = 20
MAX_COUNT = 100
# Characters of one parameter's value: nothing served is longer than a few dozen, and on SQLite a
# LIKE pattern (a name's `icontains`) over 50,000 bytes is an error, not an empty answer.
MAX_VALUE = 1000
NOTHING = Q(pk__in=[])
_COMMA = re.compile(r"(?<!\\),")


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # FHIR search parameter type: token, string, reference
    documentation: str
    to_q: Callable[[str], Q]


@dataclass(frozen=True)
class ResourceSearch:
    resource_type: str
    queryset: Callable[[], QuerySet]
    id_q: Callable[[str], Q]  # the resource id → the row (read interaction and `_id`)
    params: tuple[Param, ...]

    def param(self, name: str) -> Param | None:
        if name == "_id":
            return Param("_id", "token", "Identifiant de la ressource.", self.id_q)
        return next((p for p in self.params if p.name == name), None)

    def names(self) -> list[str]:
        return ["_id", *(p.name for p in self.params), "_count", "_offset", "_format"]


@dataclass(frozen=True)
class Query:
    queryset: QuerySet
    count: int
    offset: int


def token(value: str, param: str) -> tuple[str | None, str]:
    """`system|code`, `|code` (no system) or `code` (any system) → (system or None, code)."""
    if "|" not in value:
        return None, value
    system, code = value.split("|", 1)
    if not code:
        raise invalid(f"Valeur manquante après « | » pour le paramètre « {param} » : « {value} ».")
    return system, code


def _unknown_system(param: str, system: str, accepted: list[str]) -> Exception:
    return invalid(
        f"Système non pris en charge pour le paramètre « {param} » : « {system} ». "
        f"Systèmes acceptés : {', '.join(accepted)}."
    )


def _boolean(value: str) -> Q:
    if value.lower() not in ("true", "false"):
        raise invalid(f"Valeur invalide pour le paramètre « active » : « {value} ». Valeurs acceptées : true, false.")
    return Q(active=value.lower() == "true")


def _reference_id(value: str, expected: str, param: str) -> str:
    """`Practitioner/123`, an absolute URL ending so, or a bare id → the id."""
    parts = value.rstrip("/").split("/")
    if len(parts) == 1:
        return parts[0]
    if parts[-2] != expected:
        raise invalid(f"Le paramètre « {param} » attend une référence « {expected}/<id> » : « {value} ».")
    return parts[-1]


# Practitioner ----------------------------------------------------------------------------------


def _practitioner_identifier(value: str) -> Q:
    system, code = token(value, "identifier")
    if system is None:
        return Q(national_id=code) | Q(id_type=Professional.IdType.RPPS, identifier=code)
    if system == systems.IDNPS:
        return Q(national_id=code)
    if system == systems.RPPS:
        return Q(id_type=Professional.IdType.RPPS, identifier=code)
    if system == "":
        return NOTHING
    raise _unknown_system("identifier", system, [f"{systems.IDNPS} (IDNPS)", f"{systems.RPPS} (RPPS)"])


def _name(value: str) -> Q:
    """The family or the given name starting with the value, accents and case folded (both indexed)."""
    term = normalize(value)
    return name_prefix(term, router.db_for_read(Professional)) if term else NOTHING


def _family(value: str) -> Q:
    # A range on the indexed column (see ProfessionalQuerySet.search): the name starts the column.
    term = normalize(value)
    return Q(search_name__gte=term, search_name__lt=term + "\uffff") if term else NOTHING


def _given(value: str) -> Q:
    # « prénom nom » starts with the given name: a range on its index, like `_family`.
    term = normalize(value)
    return Q(search_given__gte=term, search_given__lt=term + "\uffff") if term else NOTHING


PRACTITIONER = ResourceSearch(
    "Practitioner",
    queryset=lambda: Professional.objects.order_by("search_name", "national_id"),
    id_q=lambda rid: Q(national_id=rid),
    params=(
        Param(
            "identifier",
            "token",
            "IDNPS (8 + RPPS, 0 + ADELI) ou RPPS, avec ou sans système.",
            _practitioner_identifier,
        ),
        Param("name", "string", "Début du nom ou du prénom, sans accents ni casse.", _name),
        Param("family", "string", "Début du nom d'exercice, sans accents ni casse.", _family),
        Param("given", "string", "Début du prénom d'exercice, sans accents ni casse.", _given),
        Param("active", "token", "true ou false : présent dans la dernière extraction RPPS.", _boolean),
    ),
)

# PractitionerRole ------------------------------------------------------------------------------

ROLE_FIELDS = {
    systems.PROFESSION: "professional__profession_code",
    systems.MODE: "mode_code",
    systems.GENRE: "genre_code",
    systems.FUNCTION: "role_code",
}


def _role_practitioner(value: str) -> Q:
    return Q(professional__national_id=_reference_id(value, "Practitioner", "practitioner"))


def _role_organization(value: str) -> Q:
    return _finess_of_id(_reference_id(value, "Organization", "organization"), "finess_site")


def _role(value: str) -> Q:
    system, code = token(value, "role")
    if system is None:
        return reduce(or_, (Q(**{field: code}) for field in ROLE_FIELDS.values()))
    if system in ROLE_FIELDS:
        return Q(**{ROLE_FIELDS[system]: code})
    if system == "":
        return NOTHING
    raise _unknown_system("role", system, list(ROLE_FIELDS))


def _specialty(value: str) -> Q:
    system, code = token(value, "specialty")
    if system is None:
        return Q(professional__savoir_faire_code=code)
    if system == systems.SAVOIR_FAIRE_TYPE:
        return Q(professional__savoir_faire_type_code=code)
    for type_code, type_system in systems.SAVOIR_FAIRE.items():
        if system == type_system:
            return Q(professional__savoir_faire_type_code=type_code, professional__savoir_faire_code=code)
    if system == "":
        return NOTHING
    raise _unknown_system("specialty", system, [systems.SAVOIR_FAIRE_TYPE, *systems.SAVOIR_FAIRE.values()])


PRACTITIONER_ROLE = ResourceSearch(
    "PractitionerRole",
    queryset=lambda: Activity.objects.select_related("professional").order_by("professional_id", "id"),
    id_q=lambda rid: Q(pk=int(rid)) if rid.isdigit() and len(rid) < 19 else Q(pk__in=[]),
    params=(
        Param("practitioner", "reference", "Practitioner/<identification nationale>.", _role_practitioner),
        Param("organization", "reference", "Organization/<1 + FINESS> : le site d'exercice.", _role_organization),
        Param("role", "token", "Profession (TRE_G15), mode (TRE_R23), genre (TRE_R22) ou fonction (TRE_R21).", _role),
        Param("specialty", "token", "Savoir-faire (TRE_R38, R39, R40, R43) ou son type (TRE_R04).", _specialty),
        Param("active", "token", "true ou false : présente dans la dernière extraction RPPS.", _boolean),
    ),
)

# Organization ----------------------------------------------------------------------------------


def _finess_of_id(resource_id: str, field: str = "finess_et") -> Q:
    """Organization ids are `1` + FINESS; any other id names nothing served here."""
    if len(resource_id) == 10 and resource_id.startswith("1"):
        return Q(**{field: resource_id[1:]})
    return NOTHING


def _organization_identifier(value: str) -> Q:
    system, code = token(value, "identifier")
    if system is None:
        return Q(finess_et=code) | Q(siret=code) | _finess_of_id(code)
    if system == systems.IDNST:
        # idNat_Struct: 1 + FINESS, 3 + SIRET (0, 2 and 4 name cabinets this server does not hold).
        return Q(siret=code[1:]) if code.startswith("3") else _finess_of_id(code)
    if system == systems.FINESS:
        return Q(finess_et=code)
    if system == systems.SIRENE:
        return Q(siret=code)
    if system == "":
        return NOTHING
    raise _unknown_system(
        "identifier", system, [f"{systems.IDNST} (IDNST)", f"{systems.FINESS} (FINESS)", f"{systems.SIRENE} (SIRET)"]
    )


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _organization_name(value: str) -> Q:
    # FINESS names are mostly upper case without accents: match the value as typed and unaccented,
    # at the start of the name or of one of its words.
    q = NOTHING
    for variant in {value, _ascii(value)}:
        for field in ("short_name", "long_name"):
            q |= Q(**{f"{field}__istartswith": variant}) | Q(**{f"{field}__icontains": f" {variant}"})
    return q


def _postal_code(value: str) -> Q:
    return Q(postal_line__startswith=value)


def _city(value: str) -> Q:
    term = normalize(value)
    if not term:
        return NOTHING
    return Q(commune__search_name__startswith=term) | Q(postal_line__icontains=f" {term}")


def _organization_type(value: str) -> Q:
    system, code = token(value, "type")
    if system in (None, systems.ORGANIZATION_TYPE) and code in ("GEOGRAPHICAL-ENTITY", "LEGAL-ENTITY"):
        # Every structure served is a geographical entity (FINESS ET).
        return Q(pk__isnull=False) if code == "GEOGRAPHICAL-ENTITY" else NOTHING
    if system in (None, systems.CATEGORY):
        return Q(category_code=code)
    if system == "":
        return NOTHING
    raise _unknown_system("type", system, [systems.CATEGORY, systems.ORGANIZATION_TYPE])


ORGANIZATION = ResourceSearch(
    "Organization",
    queryset=lambda: Structure.objects.order_by("finess_et"),
    id_q=_finess_of_id,
    params=(
        Param(
            "identifier",
            "token",
            "IDNST (1 + FINESS), FINESS ou SIRET, avec ou sans système.",
            _organization_identifier,
        ),
        Param("name", "string", "Début de la raison sociale ou d'un de ses mots.", _organization_name),
        Param("address-postalcode", "string", "Début du code postal.", _postal_code),
        Param("address-city", "string", "Début du nom de la commune, sans accents ni casse.", _city),
        Param("type", "token", "Catégorie d'établissement (TRE_R66) ou GEOGRAPHICAL-ENTITY.", _organization_type),
        Param("active", "token", "true ou false : présente dans la dernière extraction FINESS.", _boolean),
    ),
)

RESOURCES = {spec.resource_type: spec for spec in (PRACTITIONER, PRACTITIONER_ROLE, ORGANIZATION)}


def integer_value(name: str, raw: str) -> int:
    """`_count`, `_offset`: a positive or zero integer of at most 9 digits, else a 400."""
    digits = raw.strip()
    if not (digits.isascii() and digits.isdigit() and len(digits) <= 9):
        raise invalid(f"Valeur invalide pour « {name} » : « {raw} ». Un entier positif ou nul est attendu.")
    return int(digits)


def value_parts(name: str, value: str) -> list[str]:
    """One value of a search parameter → its comma-separated alternatives (« \\, » is a comma
    inside one), blanks dropped; a value longer than MAX_VALUE is a 400."""
    if len(value) > MAX_VALUE:
        raise invalid(
            f"Valeur trop longue pour le paramètre « {name} » : {plural(len(value), 'caractère')}, "
            f"au plus {grouped(MAX_VALUE)}."
        )
    parts = [part.replace("\\,", ",").strip() for part in _COMMA.split(value)]
    return [part for part in parts if part]


def run(spec: ResourceSearch, params) -> Query:
    """The query string (a QueryDict) → the filtered, ordered queryset and the page asked for."""
    queryset, count, offset = spec.queryset(), DEFAULT_COUNT, 0
    for raw_name, values in params.lists():
        name, _, modifier = raw_name.partition(":")
        if name == "_format":
            continue  # negotiated by the view
        if name in ("_count", "_offset"):
            number = integer_value(name, values[-1])
            count, offset = (min(number, MAX_COUNT), offset) if name == "_count" else (count, number)
            continue
        param = spec.param(name)
        if param is None:
            raise not_supported(
                f"Paramètre de recherche non pris en charge pour {spec.resource_type} : « {raw_name} ». "
                f"Paramètres acceptés : {', '.join(spec.names())}."
            )
        if modifier:
            raise not_supported(f"Le modificateur « :{modifier} » n'est pas pris en charge (paramètre « {name} »).")
        for value in values:
            parts = value_parts(name, value)
            if parts:  # an empty parameter is ignored, as FHIR asks
                queryset = queryset.filter(reduce(or_, (param.to_q(part) for part in parts)))
    return Query(queryset, count, offset)

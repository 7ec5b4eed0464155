"""FHIR search parameters → querysets.

Each resource type declares its parameters once (`RESOURCES`); the parser, the read interaction and
the CapabilityStatement all read that declaration. A parameter turns one value into a `Q`; a value
with commas is an OR of its parts, a repeated parameter an AND (FHIR's rules). Unknown parameters,
modifiers and malformed values are refused with a French message rather than silently ignored: a
client that believes it filtered must not receive the whole directory — unless it asks for it
(`Prefer: handling=lenient`): they are then ignored and listed in the Bundle (`ignored`).

Search as the national Annuaire Santé API does (annuaire-sante-fhir-documentation, version 2):
`_include`/`_revinclude` (see `includes.py`), `_lastUpdated` for delta synchronisation, `_total`,
`_elements`, `:contains` and `:exact` on names, 50 resources per page by default.

Paging is by offset over a total, deterministic order (every ordering ends with a unique column),
so that the same row never appears on two pages while the data does not change. With
`_lastUpdated` the order is (`updated_at`, primary key), on its own index: a delta
synchronisation reads the changes in the order they were made, and pages by key rather than by
offset (`_cursor`, the last row's (`updated_at`, id), written by the server in the `next` link):
each page is a seek on that index however deep the walk, and a row changed during the walk moves
behind the cursor to be read again later, instead of shifting every offset.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import reduce
from operator import or_

from django.db import connections, router
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from maillage.core.french import grouped, plural
from maillage.core.text import normalize
from maillage.directory.models import Activity, DirectoryEntry, Professional, Structure
from maillage.directory.models.professionals import name_prefix, starts_with
from maillage.fhir import systems
from maillage.fhir.errors import invalid, not_supported

DEFAULT_COUNT = 50  # as the national API
MAX_COUNT = 100  # a larger _count is served as 100, with a warning in the Bundle
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
    # Modifiers served (`contains`, `exact`) → their own value → Q.
    modifiers: tuple[tuple[str, Callable[[str], Q]], ...] = ()
    # The SearchParameter's canonical URL when it is not FHIR's own: the Annuaire guide's, or
    # "maillage" for one Maillage defines (capability.py writes its URL under the server's base).
    definition: str = ""
    # One value → the parts of its matches, each (condition, ordering), listed one after the other:
    # for a condition no single index orders (a name that starts the family or the given name).
    ordered_parts: Callable[[str], list[tuple[Q, tuple[str, ...]]]] | None = None

    def modifier(self, name: str) -> Callable[[str], Q] | None:
        return dict(self.modifiers).get(name)


def _last_updated_q(value: str) -> Q:
    return last_updated(value)


LAST_UPDATED = Param(
    "_lastUpdated",
    "date",
    "Date de dernière modification (import qui a modifié la ligne), préfixes eq, ne, gt, ge, lt, le ; "
    "résultats alors triés par date de modification, pour la synchronisation différentielle.",
    _last_updated_q,
)
# Parameters that shape the answer rather than filter it (`run` reads them itself).
RESULT_PARAMS = ("_count", "_offset", "_total", "_elements", "_include", "_revinclude", "_format")
# The delta synchronisation's paging key, written by the server in `next` links (not a search
# parameter a client composes, hence not declared in the CapabilityStatement).
CURSOR = "_cursor"
TOTAL_MODES = ("none", "estimate", "accurate")
# Beyond this many matches (twenty pages), the total is left out unless `_total=accurate` asks for
# it: the national API leaves out a total that takes too long to compute. Counting the roles of a
# specialty across the join costs about 5 µs a row: 10,000 took 57 ms on PostgreSQL, more than
# the page itself; 1,000 take 6 ms.
COUNT_BOUND = 1_000


@dataclass(frozen=True)
class ResourceSearch:
    resource_type: str
    queryset: Callable[[], QuerySet]
    id_q: Callable[[str], Q]  # the resource id → the row (read interaction and `_id`)
    params: tuple[Param, ...]
    includes: tuple[str, ...] = ()  # `_include` values served (see includes.py)
    revincludes: tuple[str, ...] = ()  # `_revinclude` values served

    def param(self, name: str) -> Param | None:
        if name == "_id":
            return Param("_id", "token", "Identifiant de la ressource.", self.id_q)
        if name == "_lastUpdated":
            return LAST_UPDATED
        return next((p for p in self.params if p.name == name), None)

    def names(self) -> list[str]:
        return ["_id", "_lastUpdated", *(p.name for p in self.params), *RESULT_PARAMS]


@dataclass(frozen=True)
class Query:
    queryset: QuerySet
    count: int
    offset: int
    total: str = ""  # _total: none, estimate, accurate, or "" (counted unless the search is costly)
    costly: bool = False  # filtered by a parameter no index answers: the total is not counted by default
    elements: tuple[str, ...] = ()  # _elements
    includes: tuple[str, ...] = ()
    revincludes: tuple[str, ...] = ()
    ignored: list[str] = field(default_factory=list)  # lenient handling: what was ignored, and why
    warnings: list[str] = field(default_factory=list)  # e.g. a _count above the maximum
    keyset: bool = False  # a delta search (`_lastUpdated`): paged by `_cursor`, not by offset
    after: tuple[datetime, int] | None = None  # `_cursor`: the previous page's last (updated_at, pk)
    parts: tuple[QuerySet, ...] = ()  # the matches as ordered parts, one after the other (`ordered_parts`)

    def page(self) -> list:
        """The rows of the page asked for: after the cursor (a seek on the (updated_at, id) index),
        then `_offset` rows skipped, `_count` rows at most."""
        if not self.count:
            return []
        if self.parts:
            return self._chained()
        rows = self.queryset
        if self.after:
            moment, pk = self.after
            rows = rows.filter(updated_at__gte=moment).exclude(updated_at=moment, pk__lte=pk)
        return list(rows[self.offset : self.offset + self.count])

    def _chained(self) -> list:
        """The page across the parts: a part is counted only when the page starts past its end."""
        rows: list = []
        skip = self.offset
        for part in self.parts:
            found = list(part[skip : skip + self.count - len(rows)])
            rows += found
            if len(rows) >= self.count:
                break
            # The page continues in the next part, `skip` rows into it: those of this part before
            # the page's start, if it started beyond this part's end.
            skip = 0 if found or not skip else max(skip - part.count(), 0)
        return rows

    def cursor_after(self, rows: list) -> str | None:
        """The `_cursor` of the page that follows these rows (a full page of a delta search)."""
        if not (self.keyset and self.count and len(rows) >= self.count):
            return None
        last = rows[-1]
        return f"{last.updated_at.astimezone(UTC).isoformat()}|{last.pk}"


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


def _name_parts(value: str) -> list[tuple[Q, tuple[str, ...]]]:
    """`name` lists the professionals whose name starts with the value, in the order of names, then
    those whose first name does, in the order of first names (as the directory's own search):
    each part is a range of its own index read in its order, up to the page. Ordering the union by
    name sorted every match first — a hundred thousand for « mar » (520 ms)."""
    family, given = (_column_prefix(column, value) for column in ("search_name", "search_given"))
    return [(family, ("search_name", "national_id")), (given & ~family, ("search_given", "national_id"))]


def _family(value: str) -> Q:
    # A range on the indexed column (see ProfessionalQuerySet.search): the name starts the column.
    term = normalize(value)
    return Q(search_name__gte=term, search_name__lt=term + "\uffff") if term else NOTHING


def _given(value: str) -> Q:
    # « prénom nom » starts with the given name: a range on its index, like `_family`.
    term = normalize(value)
    return Q(search_given__gte=term, search_given__lt=term + "\uffff") if term else NOTHING


# `:exact` is the name as written (case and accents), found through the normalized prefix's index;
# `:contains` anywhere in « nom prénom » (no index can answer it: see `Param.costly`).
def _column_prefix(column: str, value: str) -> Q:
    term = normalize(value)
    return starts_with(column, term, router.db_for_read(Professional)) if term else NOTHING


def _family_exact(value: str) -> Q:
    return _column_prefix("search_name", value) & Q(last_name=value)


def _given_exact(value: str) -> Q:
    return _column_prefix("search_given", value) & Q(first_name=value)


def _name_exact(value: str) -> Q:
    return _family_exact(value) | _given_exact(value)


def _name_contains(value: str) -> Q:
    term = normalize(value)
    return Q(search_name__contains=term) if term else NOTHING


def _identifier_type(value: str) -> Q:
    system, code = token(value, "identifier-type")
    if system not in (None, systems.IDENTIFIER_TYPE):
        raise _unknown_system("identifier-type", system, [systems.IDENTIFIER_TYPE])
    if code == "IDNPS":
        return Q(pk__isnull=False)  # every professional has one
    if code == "RPPS":
        return Q(id_type=Professional.IdType.RPPS)
    if code == "ADELI":
        return Q(id_type=Professional.IdType.ADELI)
    raise invalid(f"Type d'identifiant non pris en charge : « {code} ». Types acceptés : IDNPS, RPPS, ADELI.")


def _qualification_code(value: str) -> Q:
    """Profession (TRE_G15), savoir-faire (TRE_R38…) or its type (TRE_R04), each indexed with
    `active`. The professional category (TRE_R09) is not searchable: no index holds it."""
    system, code = token(value, "qualification-code")
    if system is None:
        return Q(profession_code=code) | Q(savoir_faire_code=code)
    if system == systems.PROFESSION:
        return Q(profession_code=code)
    if system == systems.SAVOIR_FAIRE_TYPE:
        return Q(savoir_faire_type_code=code)
    for type_code, type_system in systems.SAVOIR_FAIRE.items():
        if system == type_system:
            return Q(savoir_faire_type_code=type_code, savoir_faire_code=code)
    if system == "":
        return NOTHING
    raise _unknown_system(
        "qualification-code", system, [systems.PROFESSION, systems.SAVOIR_FAIRE_TYPE, *systems.SAVOIR_FAIRE.values()]
    )


def _mailbox_professionals(value: str):
    """The professionals whose publicly listed directory entry has this MSSanté address (the
    entries of the CPTS are few: the subquery is read first)."""
    return DirectoryEntry.objects.listed().filter(mssante_address__iexact=value.strip()).values("professional_id")


def _mailbox(value: str) -> Q:
    return Q(pk__in=_mailbox_professionals(value))


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
        Param(
            "identifier-type",
            "token",
            "Type d'identifiant (fr-core-cs-v2-0203) : IDNPS, RPPS ou ADELI.",
            _identifier_type,
            definition="maillage",
        ),
        Param(
            "name",
            "string",
            "Début du nom ou du prénom, sans accents ni casse ; :exact nom ou prénom tel qu'écrit ; "
            ":contains partie du nom et prénom.",
            _name,
            (("exact", _name_exact), ("contains", _name_contains)),
            ordered_parts=_name_parts,
        ),
        Param(
            "family",
            "string",
            "Début du nom d'exercice, sans accents ni casse ; :exact tel qu'écrit ; :contains partie du nom.",
            _family,
            (("exact", _family_exact), ("contains", _name_contains)),
        ),
        Param(
            "given",
            "string",
            "Début du prénom d'exercice, sans accents ni casse ; :exact tel qu'écrit ; :contains partie du prénom.",
            _given,
            (("exact", _given_exact), ("contains", _name_contains)),
        ),
        Param(
            "qualification-code",
            "token",
            "Profession (TRE_G15), savoir-faire (TRE_R38, R39, R40, R43) ou type de savoir-faire (TRE_R04).",
            _qualification_code,
            definition=f"{systems.AS_SEARCH}as-sp-qualification-code",
        ),
        Param(
            "mailbox-mss",
            "string",
            "Adresse MSSanté publiée (fiche d'annuaire de la CPTS rendue publique), exacte sans casse.",
            _mailbox,
            definition=f"{systems.AS_SEARCH}as-sp-mailbox-mss",
        ),
        Param("active", "token", "true ou false : présent dans la dernière extraction RPPS.", _boolean),
    ),
    revincludes=("PractitionerRole:practitioner",),
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


def _role_identifier(value: str) -> Q:
    """The activity's identifier in Maillage's naming system (its primary key, the resource id)."""
    system, code = token(value, "identifier")
    accepted = systems.maillage_canonical("NamingSystem", "activite")
    if system not in (None, accepted):
        if system == "":
            return NOTHING
        raise _unknown_system("identifier", system, [accepted])
    return Q(pk=int(code)) if code.isdigit() and len(code) < 19 else NOTHING


def _role_mailbox(value: str) -> Q:
    return Q(professional_id__in=_mailbox_professionals(value))


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


def _roles() -> QuerySet:
    """Activities in the order of their professional, then their own. The professional is named on
    its own table (`directory_professional.id`, equal to `professional_id` through the join): a
    search by the professional's columns (profession and specialty) then walks that table's index
    and each professional's activities in order, and stops at the page — SQLite does not carry the
    order across the join's equality, and sorted the hundred thousand matches first (650 ms)."""
    quote = connections[router.db_for_read(Activity)].ops.quote_name
    professional = RawSQL(f"{quote(Professional._meta.db_table)}.{quote('id')}", ())  # noqa: S611 (the model's own names)
    return Activity.objects.select_related("professional").order_by(professional.asc(), "id")


PRACTITIONER_ROLE = ResourceSearch(
    "PractitionerRole",
    queryset=_roles,
    id_q=lambda rid: Q(pk=int(rid)) if rid.isdigit() and len(rid) < 19 else Q(pk__in=[]),
    params=(
        Param(
            "identifier",
            "token",
            "Identifiant de l'activité dans Maillage (son identifiant technique), avec ou sans système.",
            _role_identifier,
        ),
        Param("practitioner", "reference", "Practitioner/<identification nationale>.", _role_practitioner),
        Param("organization", "reference", "Organization/<1 + FINESS> : le site d'exercice.", _role_organization),
        Param("role", "token", "Profession (TRE_G15), mode (TRE_R23), genre (TRE_R22) ou fonction (TRE_R21).", _role),
        Param("specialty", "token", "Savoir-faire (TRE_R38, R39, R40, R43) ou son type (TRE_R04).", _specialty),
        Param(
            "mailbox-mss",
            "string",
            "Adresse MSSanté publiée du professionnel, exacte sans casse.",
            _role_mailbox,
            definition=f"{systems.AS_SEARCH}as-sp-mailbox-mss",
        ),
        Param("active", "token", "true ou false : présente dans la dernière extraction RPPS.", _boolean),
    ),
    includes=("PractitionerRole:practitioner", "PractitionerRole:organization"),
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
        for column in ("short_name", "long_name"):
            q |= Q(**{f"{column}__istartswith": variant}) | Q(**{f"{column}__icontains": f" {variant}"})
    return q


def _organization_name_exact(value: str) -> Q:
    return Q(short_name=value) | Q(long_name=value)


def _organization_name_contains(value: str) -> Q:
    q = NOTHING
    for variant in {value, _ascii(value)}:
        q |= Q(short_name__icontains=variant) | Q(long_name__icontains=variant)
    return q


def _organization_identifier_type(value: str) -> Q:
    system, code = token(value, "identifier-type")
    if system not in (None, systems.IDENTIFIER_TYPE):
        raise _unknown_system("identifier-type", system, [systems.IDENTIFIER_TYPE])
    if code in ("IDNST", "FINEG"):
        return Q(pk__isnull=False)  # every establishment served has both
    if code == "SIRET":
        return ~Q(siret="")
    raise invalid(f"Type d'identifiant non pris en charge : « {code} ». Types acceptés : IDNST, FINEG, SIRET.")


def _partof(value: str) -> Q:
    """The legal entity: `Organization/1<FINESS EJ>` (or its bare id) → its establishments."""
    resource_id = _reference_id(value, "Organization", "partof")
    return _finess_of_id(resource_id, "finess_ej")


def _postal_code(value: str) -> Q:
    # La Poste's line starts with the postal code: a prefix range on the line's index.
    return starts_with("postal_line", value.strip(), router.db_for_read(Structure)) if value.strip() else NOTHING


def _city(value: str) -> Q:
    """The town of the address (the postal line's, which `address.city` shows) starting with the
    value, accents, case and « St » folded: a prefix range on its index. Matching the commune's
    name as well (an OR with a subquery) made PostgreSQL walk every establishment: 60 ms."""
    term = normalize(value)
    return starts_with("search_city", term, router.db_for_read(Structure)) if term else NOTHING


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
        Param(
            "identifier-type",
            "token",
            "Type d'identifiant (fr-core-cs-v2-0203) : IDNST, FINEG ou SIRET.",
            _organization_identifier_type,
            definition="maillage",
        ),
        Param(
            "name",
            "string",
            "Début de la raison sociale ou d'un de ses mots ; :exact telle qu'écrite ; :contains partie du nom.",
            _organization_name,
            (("exact", _organization_name_exact), ("contains", _organization_name_contains)),
        ),
        Param("partof", "reference", "Organization/<1 + FINESS> de l'entité juridique.", _partof),
        Param("address-postalcode", "string", "Début du code postal.", _postal_code),
        Param(
            "address-city",
            "string",
            "Début de la ville de l'adresse (ligne d'acheminement), sans accents ni casse.",
            _city,
        ),
        Param("type", "token", "Catégorie d'établissement (TRE_R66) ou GEOGRAPHICAL-ENTITY.", _organization_type),
        Param("active", "token", "true ou false : présente dans la dernière extraction FINESS.", _boolean),
    ),
    revincludes=("PractitionerRole:organization",),
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


_DATE = re.compile(
    r"^(?P<prefix>eq|ne|gt|ge|lt|le)?(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d{1,9})?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def _instant_range(match) -> tuple[datetime, datetime]:
    """A FHIR date of any precision → the half-open interval it names [start, end)."""
    g = match.groupdict()
    year, month, day = int(g["year"]), int(g["month"] or 1), int(g["day"] or 1)
    hour, minute, second = int(g["hour"] or 0), int(g["minute"] or 0), int(g["second"] or 0)
    start = datetime(year, month, day, hour, minute, second)  # ValueError if impossible
    if g["tz"]:
        start = datetime.fromisoformat(f"{start.isoformat()}{'+00:00' if g['tz'] == 'Z' else g['tz']}")
    else:
        start = timezone.make_aware(start)  # local time (Europe/Paris), as everything shown
    if g["second"]:
        end = start + timedelta(seconds=1)
    elif g["minute"]:
        end = start + timedelta(minutes=1)
    elif g["day"]:
        end = start + timedelta(days=1)
    elif g["month"]:
        end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    else:
        end = timezone.make_aware(datetime(year + 1, 1, 1))
    return start, end


def last_updated(value: str) -> Q:
    """`_lastUpdated=[prefix]date` (FHIR date search) on the row's `updated_at` (indexed)."""
    match = _DATE.match(value.strip())
    try:
        if not match or not (2000 <= int(match["year"]) <= 2100):
            raise ValueError
        start, end = _instant_range(match)
    except ValueError:
        raise invalid(
            f"Valeur invalide pour « _lastUpdated » : « {value} ». Une date FHIR est attendue, précédée "
            "ou non d'un préfixe (eq, ne, gt, ge, lt, le) : par exemple ge2026-12-01 ou gt2026-12-01T08:00:00Z."
        ) from None
    prefix = match["prefix"] or "eq"
    return {
        "eq": Q(updated_at__gte=start, updated_at__lt=end),
        "ne": Q(updated_at__lt=start) | Q(updated_at__gte=end),
        "gt": Q(updated_at__gte=end),
        "ge": Q(updated_at__gte=start),
        "lt": Q(updated_at__lt=start),
        "le": Q(updated_at__lt=end),
    }[prefix]


def _include_values(spec: ResourceSearch, name: str, values: list[str], ignored: list[str]) -> tuple[str, ...]:
    """`_include`/`_revinclude` values → the ones served; `*` means every one. An unknown one is a
    400 (or, lenient, ignored and listed)."""
    served = spec.includes if name == "_include" else spec.revincludes
    kept: list[str] = []
    for value in values:
        for part in value_parts(name, value):
            # « PractitionerRole:practitioner:Practitioner »: the target type may be given.
            pieces = part.split(":")
            if len(pieces) == 3 and pieces[2] and f"{pieces[0]}:{pieces[1]}" in served:
                target = {"practitioner": "Practitioner", "organization": "Organization"}[pieces[1]]
                part = f"{pieces[0]}:{pieces[1]}" if pieces[2] == target else part
            chosen = list(served) if part == "*" and name == "_include" else [part] if part in served else None
            if chosen is None:
                message = (
                    f"Valeur de « {name} » non prise en charge pour {spec.resource_type} : « {part} ». "
                    f"Valeurs acceptées : {', '.join(served) or 'aucune'}."
                )
                if ignored is None:
                    raise not_supported(message)
                ignored.append(message)
                continue
            kept += [c for c in chosen if c not in kept]
    return tuple(kept)


def _elements(values: list[str]) -> tuple[str, ...]:
    names: list[str] = []
    for value in values:
        for part in value_parts("_elements", value):
            element = part.split(".", 1)[1] if "." in part else part  # « Practitioner.name » as « name »
            if not re.fullmatch(r"[a-z][A-Za-z0-9]{0,63}", element):
                raise invalid(f"Valeur invalide pour « _elements » : « {part} ». Un nom d'élément est attendu.")
            if element not in names:
                names.append(element)
    return tuple(names)


def run(spec: ResourceSearch, params, *, lenient: bool = False) -> Query:
    """The parameters (a QueryDict, of the query string or of a POST _search form) → the filtered,
    ordered queryset and the page asked for. Unknown parameters and modifiers are all named in one
    400; with `lenient`, they are ignored and listed in `Query.ignored`."""
    queryset, count, offset = spec.queryset(), DEFAULT_COUNT, 0
    ignored: list[str] = []
    unknown: list[str] = []
    options: dict = {}
    warnings: list[str] = []
    costly = delta = False
    split: list[tuple[Param, str]] = []  # values whose matches are listed in ordered parts
    for raw_name, values in params.lists():
        name, _, modifier = raw_name.partition(":")
        if name == "_format":
            continue  # negotiated by the view
        if name in ("_count", "_offset") and not modifier:
            number = integer_value(name, values[-1])
            if name == "_count" and number > MAX_COUNT:
                warnings.append(
                    f"_count={grouped(number)} dépasse le maximum : pages de {MAX_COUNT} ressources au plus."
                )
            count, offset = (min(number, MAX_COUNT), offset) if name == "_count" else (count, number)
            continue
        if name == CURSOR and not modifier:
            options["after"] = cursor_value(values[-1])
            continue
        if name == "_total" and not modifier:
            if values[-1] not in TOTAL_MODES:
                raise invalid(
                    f"Valeur invalide pour « _total » : « {values[-1]} ». Valeurs acceptées : {', '.join(TOTAL_MODES)}."
                )
            options["total"] = values[-1]
            continue
        if name == "_elements" and not modifier:
            options["elements"] = _elements(values)
            continue
        if name in ("_include", "_revinclude") and not modifier:
            key = "includes" if name == "_include" else "revincludes"
            options[key] = _include_values(spec, name, values, ignored if lenient else None)
            continue
        param = spec.param(name)
        to_q = None
        if param is not None:
            to_q = param.modifier(modifier) if modifier else param.to_q
        if to_q is None:
            unknown.append(raw_name)
            continue
        costly = costly or modifier == "contains"
        delta = delta or name == "_lastUpdated"
        for value in values:
            parts = value_parts(name, value)
            if parts:  # an empty parameter is ignored, as FHIR asks
                queryset = queryset.filter(reduce(or_, (to_q(part) for part in parts)))
                if to_q is param.to_q and param.ordered_parts and len(parts) == 1:
                    split.append((param, parts[0]))
    if unknown:
        message = (
            f"Paramètres de recherche non pris en charge pour {spec.resource_type} : "
            f"{', '.join(f'« {u} »' for u in unknown)}. Paramètres acceptés : {', '.join(spec.names())} "
            "(modificateurs :exact et :contains sur les noms)."
        )
        if not lenient:
            raise not_supported(message)
        ignored.append(message.replace("non pris en charge", "ignorés (non pris en charge)", 1))
    if delta:
        # Delta synchronisation reads changes in the order they were made, on (updated_at, id)'s index.
        queryset = queryset.order_by("updated_at", "pk")
    elif len(split) == 1:
        param, value = split[0]
        options["parts"] = tuple(queryset.filter(q).order_by(*order) for q, order in param.ordered_parts(value))
    if "after" in options and not delta:
        raise invalid(
            f"Le paramètre « {CURSOR} » (pagination d'une synchronisation différentielle) ne s'emploie "
            "qu'avec « _lastUpdated » : suivez les liens « next » du Bundle."
        )
    return Query(queryset, count, offset, costly=costly, ignored=ignored, warnings=warnings, keyset=delta, **options)


def bounded_count(queryset: QuerySet) -> int | None:
    """The number of matches, or None beyond COUNT_BOUND: the count reads at most that many rows."""
    found = queryset.order_by()[: COUNT_BOUND + 1].count()
    return found if found <= COUNT_BOUND else None


def cursor_value(raw: str) -> tuple[datetime, int]:
    """`_cursor` as the server wrote it (`<updated_at, ISO 8601 with offset>|<id>`) → its key; any
    other value is a 400 (a client does not compose it: it follows the `next` link)."""
    moment, _, pk = raw.strip().rpartition("|")
    try:
        if not (pk.isascii() and pk.isdigit() and len(pk) < 19) or len(moment) > 40:
            raise ValueError
        parsed = datetime.fromisoformat(moment)
        if parsed.tzinfo is None:
            raise ValueError
    except ValueError:
        raise invalid(
            f"Valeur invalide pour « {CURSOR} » : « {raw[:100]} ». Cette valeur est écrite par le serveur "
            "dans le lien « next » d'une synchronisation différentielle : suivez ce lien tel quel."
        ) from None
    return parsed, int(pk)

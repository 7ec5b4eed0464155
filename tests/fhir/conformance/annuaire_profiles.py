"""The Annuaire Santé profiles (guide 1.1.0, FHIR Shorthand of IG-fhir-annuaire, tag 1.1.0) as data,
and small checkers that apply them to a resource.

Each profile is a list of rules read from the guide's FSH (profiles-dp/*, profiles/*,
profiles-datatype/AsMailboxMSSProfile.fsh) and FR Core's identifier slices they inherit:
- cardinalities: (path, min, max), `max` None for *;
- fixed values: (path, value) that every value at the path must equal, or that must be among them;
- bindings: (path, {system: code pattern}) — the codes this server uses, each in its terminology;
- invariants: (name, predicate on the resource) — FHIR's and the guide's, and identifier rules.
A resource is checked against every profile it claims in `meta.profile`; claiming a profile this
module does not know is itself an error (a resource may claim only what it meets).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from maillage.fhir import systems

CARDINALITY = "cardinalité"
FIXED = "valeur fixe"
BINDING = "liaison"
INVARIANT = "invariant"


def values(node, path: str) -> list:
    """Every value at a dotted path (lists flattened): `identifier.type.coding.code`."""
    current = [node]
    for step in path.split(".") if path else []:
        found = []
        for item in current:
            if isinstance(item, dict) and step in item:
                value = item[step]
                found.extend(value if isinstance(value, list) else [value])
        current = found
    return current


def where(items: list, **fixed) -> list:
    return [item for item in items if all(item.get(k) == v for k, v in fixed.items())]


@dataclass(frozen=True)
class Profile:
    url: str  # as claimed in meta.profile (versioned)
    cardinalities: tuple[tuple[str, int, int | None], ...] = ()
    fixed: tuple[tuple[str, object], ...] = ()  # every value at the path equals this one
    required_values: tuple[tuple[str, object], ...] = ()  # this value is among those at the path
    bindings: tuple[tuple[str, dict[str, str]], ...] = ()  # path of Codings → {system: code regex}
    invariants: tuple[tuple[str, Callable[[dict], bool]], ...] = field(default=())


def _codings_ok(codings: list, allowed: dict[str, str]) -> list[str]:
    errors = []
    for c in codings:
        pattern = allowed.get(c.get("system"))
        if pattern is None:
            errors.append(f"système hors liaison : {c.get('system')}")
        elif not re.fullmatch(pattern, str(c.get("code", ""))):
            errors.append(f"code {c.get('code')!r} hors de {c.get('system')}")
    return errors


# ---- shared pieces ------------------------------------------------------------------------------


def _no_empty(node) -> bool:
    """ele-1 / FHIR JSON: no empty string, array or object anywhere."""
    if isinstance(node, dict):
        return bool(node) and all(_no_empty(v) for v in node.values())
    if isinstance(node, list):
        return bool(node) and all(_no_empty(v) for v in node)
    if isinstance(node, str):
        return node != "" and node == node.strip()
    return True


_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _last_updated(resource) -> bool:
    return bool(_INSTANT.match(resource.get("meta", {}).get("lastUpdated", "")))


def _identifier(resource, system) -> list[dict]:
    return where(resource.get("identifier", []), system=system)


def _typed(identifier: dict, code: str) -> bool:
    return identifier.get("type", {}).get("coding", []) == [{"system": systems.IDENTIFIER_TYPE, "code": code}]


def _mailbox(contact: dict) -> bool:
    """as-mailbox-mss: system email, emailType extension fixed to MSSANTE, a value."""
    types = where(contact.get("extension", []), url=systems.EMAIL_TYPE)
    return (
        contact.get("system") == "email"
        and bool(contact.get("value"))
        and "@" in contact["value"]
        and len(types) == 1
        and types[0].get("valueCoding") == {"system": systems.MESSAGING_TYPE, "code": "MSSANTE"}
    )


# The codes this server uses, each in its terminology (TRE of the NOS, FR Core).
CODE = r"[A-Z0-9][A-Za-z0-9_-]{0,15}"
QUALIFICATION_CODES = {
    systems.PROFESSION: r"\d{2}",
    systems.PROFESSIONAL_CATEGORY: r"[A-Z]",
    systems.SAVOIR_FAIRE_TYPE: r"[A-Z]{1,4}",
    **dict.fromkeys(systems.SAVOIR_FAIRE.values(), CODE),
}
ROLE_CODES = {systems.PROFESSION: r"\d{2}", systems.MODE: r"[A-Z]", systems.GENRE: CODE, systems.FUNCTION: CODE}
ORGANIZATION_TYPE_CODES = {
    systems.ORGANIZATION_TYPE: r"GEOGRAPHICAL-ENTITY|LEGAL-ENTITY",
    systems.CATEGORY: r"\d{3}",
}
COMMON_INVARIANTS = (
    ("ele-1 : aucun élément vide", _no_empty),
    ("meta.lastUpdated est un instant avec fuseau", _last_updated),
    ("langue fr", lambda r: r.get("language") == "fr"),
    ("meta.profile versionné", lambda r: all("|" in url for url in r["meta"]["profile"])),
)


# ---- the profiles --------------------------------------------------------------------------------


def _rpps_idnps(resource) -> bool:
    """The IDNPS of an RPPS professional is 8 + RPPS (11 digits), and is the resource id."""
    idnps, rpps = _identifier(resource, systems.IDNPS), _identifier(resource, systems.RPPS)
    return (
        len(idnps) == 1
        and len(rpps) == 1
        and re.fullmatch(r"\d{11}", rpps[0]["value"]) is not None
        and idnps[0]["value"] == "8" + rpps[0]["value"] == resource["id"]
        and _typed(idnps[0], "IDNPS")
        and _typed(rpps[0], "RPPS")
    )


AS_DP_PRACTITIONER = Profile(
    systems.AS_DP_PRACTITIONER,
    cardinalities=(
        ("active", 1, 1),
        ("name", 0, 1),
        ("name.period", 0, 0),
        ("address", 0, 0),  # adresseCorrespondance: restricted data
        ("communication", 0, 0),  # langueParlee
        ("qualification.period", 0, 0),
        ("qualification.issuer", 0, 0),
        ("identifier.period", 0, 0),
        ("identifier.assigner", 0, 0),
        ("photo", 0, 0),
        ("gender", 0, 0),
        ("birthDate", 0, 0),
        ("meta.profile", 1, None),
    ),
    fixed=(("resourceType", "Practitioner"),),
    required_values=(("meta.profile", systems.AS_DP_PRACTITIONER), ("meta.profile", systems.FR_CORE_PRACTITIONER)),
    bindings=(("qualification.code.coding", QUALIFICATION_CODES),),
    invariants=(
        *COMMON_INVARIANTS,
        ("identifier[idNatPs] 1..1 et identifier[rpps] 1..1 (IDNPS = 8 + RPPS)", _rpps_idnps),
        (
            "telecom fermé : boîtes MSSanté seulement (as-mailbox-mss)",
            lambda r: all(map(_mailbox, r.get("telecom", []))),
        ),
        (
            "extensions interdites (inscription, autorisation, certificat)",
            lambda r: (
                not {e.get("url", "").rsplit("/", 1)[-1] for e in r.get("extension", [])}
                & {"as-ext-registration", "as-ext-frpractitioner-authorization", "as-ext-digital-certificate"}
            ),
        ),
    ),
)

FR_CORE_PRACTITIONER = Profile(
    systems.FR_CORE_PRACTITIONER,
    cardinalities=(("identifier", 1, None), ("active", 1, 1)),
    fixed=(("resourceType", "Practitioner"),),
    required_values=(("meta.profile", systems.FR_CORE_PRACTITIONER),),
    bindings=(
        ("qualification.code.coding", QUALIFICATION_CODES),
        ("identifier.type.coding", {systems.IDENTIFIER_TYPE: r"IDNPS|RPPS"}),
    ),
    invariants=(
        *COMMON_INVARIANTS,
        (
            "identifier[idNatPs] 1..1, égal à l'id",
            lambda r: (
                [i["value"] for i in _identifier(r, systems.IDNPS)] == [r["id"]]
                and _typed(_identifier(r, systems.IDNPS)[0], "IDNPS")
            ),
        ),
        ("telecom : boîtes MSSanté seulement", lambda r: all(map(_mailbox, r.get("telecom", [])))),
    ),
)


def _organization_ids(resource) -> bool:
    idnst, finess = _identifier(resource, systems.IDNST), _identifier(resource, systems.FINESS)
    return (
        len(idnst) == 1
        and len(finess) == 1
        and re.fullmatch(r"\d{9}", finess[0]["value"]) is not None
        and idnst[0]["value"] == "1" + finess[0]["value"] == resource["id"]
        and _typed(idnst[0], "IDNST")
        and _typed(finess[0], "FINEG")
        and all(
            _typed(i, "SIRET") and re.fullmatch(r"\d{14}", i["value"]) for i in _identifier(resource, systems.SIRENE)
        )
    )


def _organization_type(resource) -> bool:
    """type[organizationType] 1..1 with its as-ext-organization-types extension (#organizationType)."""
    kinds = [t for t in resource.get("type", []) if values(t, "coding.system") == [systems.ORGANIZATION_TYPE]]
    return len(kinds) == 1 and kinds[0].get("extension") == [
        {"url": systems.ORGANIZATION_TYPES, "valueCode": "organizationType"}
    ]


AS_DP_ORGANIZATION = Profile(
    systems.AS_DP_ORGANIZATION,
    cardinalities=(
        ("active", 1, 1),
        ("contact", 0, 0),
        ("endpoint", 0, 0),
        ("identifier.period", 0, 0),
        ("identifier.assigner", 0, 0),
        ("telecom.period", 0, 0),
        ("name", 0, 1),
        ("partOf", 0, 1),
    ),
    fixed=(("resourceType", "Organization"), ("address.use", "work")),
    required_values=(("meta.profile", systems.AS_DP_ORGANIZATION), ("meta.profile", systems.FR_CORE_ORGANIZATION)),
    bindings=(("type.coding", ORGANIZATION_TYPE_CODES),),
    invariants=(
        *COMMON_INVARIANTS,
        ("identifier[idNatSt] = 1 + FINESS = id, FINESS 9 chiffres, SIRET 14", _organization_ids),
        ("type[organizationType] avec as-ext-organization-types", _organization_type),
        (
            "partOf : référence logique FINESS de l'EJ",
            lambda r: "partOf" not in r or _typed(r["partOf"]["identifier"], "FINEJ"),
        ),
    ),
)


FR_CORE_ORGANIZATION = Profile(
    systems.FR_CORE_ORGANIZATION,
    cardinalities=(("identifier", 1, None),),
    fixed=(("resourceType", "Organization"),),
    required_values=(("meta.profile", systems.FR_CORE_ORGANIZATION),),
    bindings=(
        ("identifier.type.coding", {systems.IDENTIFIER_TYPE: r"IDNST|FINEG|FINEJ|SIRET"}),
        ("type.coding", ORGANIZATION_TYPE_CODES),
    ),
    invariants=(*COMMON_INVARIANTS, ("identifier[idNatSt] = 1 + FINESS = id", _organization_ids)),
)


def _contained_referenced(resource) -> bool:
    """dom-3: every contained resource is referenced from the resource."""
    refs = {f"#{c['id']}" for c in resource.get("contained", [])}
    return refs <= set(values(resource, "location.reference"))


MAILLAGE_PRACTITIONER_ROLE = Profile(
    systems.maillage_profile("PractitionerRole"),
    cardinalities=(
        ("active", 1, 1),
        ("practitioner", 1, 1),
        ("organization", 0, 1),
        ("identifier", 1, 1),
        ("period", 0, 0),
        ("healthcareService", 0, 0),
        ("availableTime", 0, 0),
        ("endpoint", 0, 0),
        ("meta.profile", 1, 1),  # Maillage's alone: never as-dp-practitionerrole (no idSituationExercice)
    ),
    fixed=(
        ("resourceType", "PractitionerRole"),
        ("identifier.system", systems.maillage_canonical("NamingSystem", "activite")),
        ("practitioner.type", "Practitioner"),
        ("contained.resourceType", "Location"),
    ),
    required_values=(("meta.profile", systems.maillage_profile("PractitionerRole")),),
    bindings=(("code.coding", ROLE_CODES), ("specialty.coding", QUALIFICATION_CODES)),
    invariants=(
        *COMMON_INVARIANTS[:3],
        ("identifier = id", lambda r: values(r, "identifier.value") == [r["id"]]),
        (
            "practitioner : Practitioner/<IDNPS>",
            lambda r: re.fullmatch(r"Practitioner/(8\d{11}|0\d{9})", r["practitioner"]["reference"]) is not None,
        ),
        (
            "organization : Organization/<1 + FINESS> ou identifiant FINESS",
            lambda r: (
                "organization" not in r
                or re.fullmatch(r"Organization/1\d{9}", r["organization"].get("reference", "Organization/1000000000"))
                is not None
            ),
        ),
        ("dom-3 : contenu référencé", _contained_referenced),
    ),
)

PROFILES = {
    p.url: p
    for p in (
        AS_DP_PRACTITIONER,
        FR_CORE_PRACTITIONER,
        AS_DP_ORGANIZATION,
        FR_CORE_ORGANIZATION,
        MAILLAGE_PRACTITIONER_ROLE,
    )
}


def check(resource: dict) -> list[str]:
    """Every rule broken by `resource`, against each profile it claims, as « famille : règle »."""
    claimed = resource.get("meta", {}).get("profile", [])
    errors = [] if claimed else [f"{FIXED} : aucun profil revendiqué"]
    for url in claimed:
        profile = PROFILES.get(url)
        if profile is None:
            errors.append(f"{FIXED} : profil revendiqué inconnu ou non satisfait : {url}")
            continue
        errors += [f"{url} — {e}" for e in _check(profile, resource)]
    return errors


def _check(profile: Profile, resource: dict) -> list[str]:
    errors = []
    for path, low, high in profile.cardinalities:
        n = len(values(resource, path))
        if n < low or (high is not None and n > high):
            errors.append(f"{CARDINALITY} : {path} {low}..{'*' if high is None else high} (trouvé {n})")
    for path, value in profile.fixed:
        wrong = [v for v in values(resource, path) if v != value]
        if wrong:
            errors.append(f"{FIXED} : {path} = {value!r} (trouvé {wrong[0]!r})")
    for path, value in profile.required_values:
        if value not in values(resource, path):
            errors.append(f"{FIXED} : {path} contient {value!r}")
    for path, allowed in profile.bindings:
        errors += [f"{BINDING} : {path} : {e}" for e in _codings_ok(values(resource, path), allowed)]
    for name, predicate in profile.invariants:
        try:
            ok = predicate(resource)
        except (KeyError, IndexError, TypeError):
            ok = False
        if not ok:
            errors.append(f"{INVARIANT} : {name}")
    return errors

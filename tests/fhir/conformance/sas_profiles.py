"""The SAS guide's CPTS profiles (« Service d'Accès aux Soins », tag 1.1.0) as data, and the small
checkers that apply them to a resource.

Each profile is a list of rules read from the guide's FSH sources (input/fsh/profiles/CPTS/*.fsh,
profiles/Fr*Agregateur.fsh, valuesets/*.fsh, aliases.fsh) and from the R4 base cardinalities the
profiles keep. The parents (FR Core 1.1.0: FrSlot, FrSchedule, FrPractitioner, FrLocation…) are
not available offline: their own constraints are not here (see the ADR).

A rule family is a small class with `check(node) -> list[str]` (the violations, empty when met):
- `Card`: how many values an element path has (min, max; None for *);
- `Fixed`: every value at a path equals a value, or for a dict contains it (FHIR's pattern[x]);
- `Binding`: every Coding at a path is in a value set of (system, code) — required strength;
- `Invariant`: a predicate on the node, with the guide's description;
- `Each` / `Slice`: apply rules to every value at a path (a slice: to those a predicate selects).
Paths are dotted element names; every list along the way is flattened (FHIRPath-like), and
`ext(url)` selects the extensions of that url.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

# Systems and value sets of the pinned version (aliases.fsh and valuesets/*.fsh at tag 1.1.0).
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"
IDNST = "urn:oid:1.2.250.1.71.4.2.2"
FR_V2_0203 = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
FR_LOCATION_IDENTIFIER_TYPE = "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
V2_0276 = "http://terminology.hl7.org/CodeSystem/v2-0276"
TRE_R314 = "https://mos.esante.gouv.fr/NOS/TRE_R314-TypeCreneau/FHIR/TRE-R314-TypeCreneau"
TRE_R66 = "https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement"
SERVICE_TYPE_R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"

TYPE_CRENEAU_CPTS = {(TRE_R314, code) for code in ("PUBLIC", "SNP", "PRO", "CPTS")}  # sas-cpts-valueset-typecreneau
TYPE_CONSULTATION = {(ACT_CODE, code) for code in ("AMB", "HH", "VR")}  # sas-valueset-typeconsultation
APPOINTMENT_REASON = {(V2_0276, code) for code in ("ROUTINE", "WALKIN")}  # sas-valueset-appointmentreason
CATEGORIE_ETABLISSEMENT = {(TRE_R66, "604")}  # sas-valueset-categorieetablissement

SAS_IG = "https://interop.esante.gouv.fr/ig/fhir/sas/StructureDefinition/"
# The meta.profile URLs the guide lists for its validator (the CPTS page), but for Organization:
# the page names sas-sos-organization-aggregator, a SIRET-only profile a CPTS (FINESS) cannot
# meet; the Bundle's slice asks for sas-cpts-organization-aggregator, which is claimed.
PROFILE_URLS = {
    "Bundle": f"{SAS_IG}sas-cpts-bundle-aggregator",
    "Slot": f"{SAS_IG}sas-cpts-slot-aggregator",
    "Schedule": "http://sas.fr/fhir/StructureDefinition/FrScheduleAgregateur",
    "Practitioner": "http://sas.fr/fhir/StructureDefinition/FrPractitionerAgregateur",
    "PractitionerRole": "http://sas.fr/fhir/StructureDefinition/FrPractitionerRoleExerciceAgregateur",
    "Location": "http://sas.fr/fhir/StructureDefinition/FrLocationAgregateur",
    "HealthcareService": f"{SAS_IG}sas-cpts-healthcareservice-aggregator",
    "Organization": f"{SAS_IG}sas-cpts-organization-aggregator",
}


# Paths ---------------------------------------------------------------------------------------------

_STEPS = re.compile(r"ext\([^)]*\)|[^.]+")  # an extension's url has dots of its own


def values(node, path: str) -> list:
    """The values at a dotted path, lists flattened; `ext(url)` selects extensions by url."""
    found = [node]
    for step in _STEPS.findall(path):
        following = []
        for value in found:
            if not isinstance(value, dict):
                continue
            if step.startswith("ext("):
                url = step[4:-1]
                items = [e for e in value.get("extension", []) if e.get("url") == url]
            else:
                items = value.get(step)
                if items is None:
                    continue
                items = items if isinstance(items, list) else [items]
            following.extend(items)
        found = following
    return found


# Rule families -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    path: str
    min: int
    max: int | None  # None: *

    def check(self, node) -> list[str]:
        n = len(values(node, self.path))
        if n < self.min or (self.max is not None and n > self.max):
            return [f"{self.path}: {n} valeur(s), cardinalité {self.min}..{'*' if self.max is None else self.max}"]
        return []


def _matches(value, expected) -> bool:
    if isinstance(expected, dict):
        return isinstance(value, dict) and all(_matches(value.get(k), v) for k, v in expected.items())
    return value == expected


@dataclass(frozen=True)
class Fixed:
    path: str
    value: object

    def check(self, node) -> list[str]:
        return [
            f"{self.path}: {v!r} au lieu de {self.value!r}"
            for v in values(node, self.path)
            if not _matches(v, self.value)
        ]


@dataclass(frozen=True)
class Binding:
    path: str  # to Codings
    codes: frozenset[tuple[str, str]]
    name: str

    def check(self, node) -> list[str]:
        return [
            f"{self.path}: {c.get('system')}#{c.get('code')} hors du jeu de valeurs {self.name}"
            for c in values(node, self.path)
            if (c.get("system"), c.get("code")) not in self.codes
        ]


@dataclass(frozen=True)
class Invariant:
    key: str
    description: str
    holds: Callable[[dict], bool]

    def check(self, node) -> list[str]:
        return [] if self.holds(node) else [f"{self.key}: {self.description}"]


@dataclass(frozen=True)
class Each:
    path: str
    rules: tuple
    where: Callable[[dict], bool] = field(default=lambda value: True)

    def check(self, node) -> list[str]:
        problems = []
        for value in values(node, self.path):
            if self.where(value):
                problems += [f"{self.path} › {p}" for rule in self.rules for p in rule.check(value)]
        return problems


def Slice(path: str, where: Callable[[dict], bool], *rules, name: str) -> Each:
    """The rules of one slice: they apply to the values `where` selects (the discriminator)."""
    return Each(path, tuple(rules), where)


@dataclass(frozen=True)
class Profile:
    resource_type: str
    rules: tuple

    @property
    def url(self) -> str:
        return PROFILE_URLS[self.resource_type]

    def check(self, resource: dict) -> list[str]:
        if resource.get("resourceType") != self.resource_type:
            return [f"resourceType {resource.get('resourceType')} au lieu de {self.resource_type}"]
        return [p for rule in self.rules for p in rule.check(resource)]


# Invariants shared by the profiles ----------------------------------------------------------------


def _no_empty(value) -> bool:
    """FHIR's ele-1 and the guide's FAQ n° 10: no element without a value (no "", [], {})."""
    if isinstance(value, dict):
        return bool(value) and all(_no_empty(v) for v in value.values())
    if isinstance(value, list):
        return bool(value) and all(_no_empty(v) for v in value)
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _claims(resource_type: str) -> Invariant:
    url = PROFILE_URLS[resource_type]
    return Invariant(
        "meta-profile", f"meta.profile contient {url}", lambda r: url in r.get("meta", {}).get("profile", [])
    )


def _references(path: str, *types: str, contained: bool = False) -> Invariant:
    """Literal references to one of `types`: `Type/id` (aggregation referenced or bundled), or
    `#id` of a contained resource when `contained`."""

    def holds(node) -> bool:
        for ref in values(node, path):
            target = ref.get("reference", "")
            if contained:
                ids = {c.get("id") for c in node.get("contained", []) if c.get("resourceType") in types}
                if not (target.startswith("#") and target[1:] in ids):
                    return False
            elif target.split("/")[0] not in types or target.count("/") != 1:
                return False
        return True

    kind = "un contenu (#id)" if contained else "une référence littérale"
    return Invariant(f"ref-{path}", f"{path} est {kind} vers {' ou '.join(types)}", holds)


NO_EMPTY = Invariant("ele-1", "aucun élément vide (FAQ n° 10 du guide)", _no_empty)


def _coded(system_codes: set) -> Callable[[dict], bool]:
    return lambda concept: any((c.get("system"), c.get("code")) in system_codes for c in concept.get("coding", []))


def _has_system(system: str) -> Callable[[dict], bool]:
    return lambda concept: any(c.get("system") == system for c in concept.get("coding", []))


# The profiles (tag 1.1.0) -------------------------------------------------------------------------

SLOT = Profile(
    "Slot",
    (
        _claims("Slot"),
        NO_EMPTY,
        Binding("meta.security", frozenset(TYPE_CRENEAU_CPTS), "sas-cpts-valueset-typecreneau"),
        Card("meta.security", 1, None),  # the guide's « type de créneau », a combination of codes
        Slice(
            "serviceType",
            _has_system(ACT_CODE),
            Fixed("coding.system", ACT_CODE),
            Binding("coding", frozenset(TYPE_CONSULTATION), "sas-valueset-typeconsultation"),
            Card(f"ext({SERVICE_TYPE_R5})", 0, 0),
            name="TypeConsultation",
        ),
        Slice(
            "serviceType",
            _has_system(TRE_R66),
            Binding("coding", frozenset(CATEGORIE_ETABLISSEMENT), "sas-valueset-categorieetablissement"),
            Card(f"ext({SERVICE_TYPE_R5})", 1, 1),
            Each(
                f"ext({SERVICE_TYPE_R5})",
                (Card("valueReference", 1, 1), _references("valueReference", "HealthcareService")),
            ),
            name="referencecpts",
        ),
        Card("appointmentType", 0, 1),
        Binding("appointmentType.coding", frozenset(APPOINTMENT_REASON), "sas-valueset-appointmentreason"),
        Card("schedule", 1, 1),
        _references("schedule", "Schedule"),
        Fixed("status", "free"),
        Card("start", 1, 1),
        Card("end", 1, 1),
        Card("comment", 0, 1),
        Each(
            "specialty",
            (Invariant("specialty", "codée ou en texte", lambda c: bool(c.get("coding") or c.get("text"))),),
        ),
    ),
)

SCHEDULE = Profile(
    "Schedule",
    (
        _claims("Schedule"),
        NO_EMPTY,
        Card("actor", 1, None),
        # The guide's commented-out rule: Practitioner or PractitionerRole, referenced or bundled.
        _references("actor", "Practitioner", "PractitionerRole"),
    ),
)

PRACTITIONER = Profile(
    "Practitioner",
    (
        _claims("Practitioner"),
        NO_EMPTY,
        Card("identifier", 1, None),
        Each(
            "identifier",
            (
                Card("type.coding", 1, 1),
                Fixed("type.coding", {"system": FR_V2_0203, "code": "IDNPS"}),
                Fixed("system", IDNPS),
                Card("value", 1, 1),
            ),
        ),
    ),
)

LOCATION = Profile(
    "Location",
    (
        _claims("Location"),
        NO_EMPTY,
        Card("address", 1, 1),
        Each("address", (Card("line", 1, 1), Card("city", 1, 1), Card("postalCode", 1, 1))),
    ),
)

PRACTITIONER_ROLE = Profile(
    "PractitionerRole",
    (
        _claims("PractitionerRole"),
        NO_EMPTY,
        Card("contained", 1, None),
        Card("practitioner", 1, 1),
        _references("practitioner", "Practitioner"),
        Card("location", 1, 1),
        _references("location", "Location", contained=True),
        Each(
            "organization.identifier",
            (
                Fixed("type.coding", {"system": FR_V2_0203, "code": "IDNST"}),
                Fixed("system", IDNST),
                Card("value", 1, 1),
            ),
        ),
        Card("organization.identifier", 0, 1),
        # The contained Location meets FrLocationAgregateur (a profile is a rule too).
        Each("contained", (LOCATION,), lambda c: c.get("resourceType") == "Location"),
    ),
)

HEALTHCARE_SERVICE = Profile(
    "HealthcareService",
    (
        _claims("HealthcareService"),
        NO_EMPTY,
        Card("id", 1, 1),
        Card("providedBy", 1, 1),
        _references("providedBy", "Organization"),
    ),
)

ORGANIZATION = Profile(
    "Organization",
    (
        _claims("Organization"),
        NO_EMPTY,
        Card("identifier", 1, 1),
        Each(
            "identifier",
            (
                Fixed("type.coding", {"system": FR_LOCATION_IDENTIFIER_TYPE, "code": "IDNST"}),
                Fixed("system", IDNST),
                Invariant(
                    "FINESS-invariant",
                    "Le numéro FINESS doit être préfixé par 1 suivi de 9 caractères numériques",
                    lambda i: bool(re.fullmatch(r"1[0-9]{9}", i.get("value", ""))),
                ),
            ),
        ),
        Card("name", 0, 1),
    ),
)

BUNDLE = Profile(
    "Bundle",
    (
        _claims("Bundle"),
        Fixed("type", "searchset"),
        Card("total", 1, 1),
        Card("link", 1, 1),
        Each("entry", (Card("fullUrl", 1, 1), Card("resource", 1, 1))),
        # The entry slices, discriminated by profile: told apart here by resource type.
        *(
            Invariant(
                f"entry[{name}]",
                f"{low}..* entrée(s) {resource_type}",
                lambda b, t=resource_type, low=low: (
                    sum(e.get("resource", {}).get("resourceType") == t for e in b.get("entry", [])) >= low
                ),
            )
            for name, resource_type, low in (
                ("slotAgregateurCPTS", "Slot", 1),
                ("scheduleAgregateurCPTS", "Schedule", 1),
                ("practitionerAgregateur", "Practitioner", 1),
                ("practitionerRole", "PractitionerRole", 1),
                ("healthcareserviceCPTS", "HealthcareService", 0),
                ("organizationAgregateurCPTS", "Organization", 0),
            )
        ),
    ),
)

PROFILES = {
    p.resource_type: p
    for p in (SLOT, SCHEDULE, PRACTITIONER, PRACTITIONER_ROLE, LOCATION, HEALTHCARE_SERVICE, ORGANIZATION, BUNDLE)
}


def check(resource: dict) -> list[str]:
    """The violations of its SAS profile by a resource (a Bundle: and by each entry's resource)."""
    profile = PROFILES[resource["resourceType"]]
    problems = profile.check(resource)
    for entry in resource.get("entry", []) if resource["resourceType"] == "Bundle" else []:
        inner = entry["resource"]
        if inner["resourceType"] != "OperationOutcome":  # a warning the searchset may carry
            problems += [f"{inner['resourceType']}/{inner.get('id')}: {p}" for p in check(inner)]
    return problems

"""Canonical URLs of the profiles, identifier systems and code systems the resources use.

Taken from the ANS guide « Annuaire Santé » (interop.esante.gouv.fr/ig/fhir/annuaire, profiles
as-dp-*) and FR Core (hl7.fr/ig/fhir/core), both on FHIR 4.0.1.
"""

AS_PROFILE = "https://interop.esante.gouv.fr/ig/fhir/annuaire/StructureDefinition/"
FR_CORE = "https://hl7.fr/ig/fhir/core/"
# Pinned versions: the Annuaire guide 1.1.0 (its tag) and the FR Core it depends on (2.1.0). The
# profiles are claimed with their version (`url|version`), as the guide's later examples do.
AS_VERSION = "1.1.0"
FR_CORE_VERSION = "2.1.0"


def _as(name: str) -> str:
    return f"{AS_PROFILE}{name}|{AS_VERSION}"


def _fr(name: str) -> str:
    return f"{FR_CORE}StructureDefinition/{name}|{FR_CORE_VERSION}"


AS_DP_PRACTITIONER = _as("as-dp-practitioner")
AS_DP_ORGANIZATION = _as("as-dp-organization")
AS_DP_PRACTITIONER_ROLE = _as("as-dp-practitionerrole")
FR_CORE_PRACTITIONER = _fr("fr-core-practitioner")
FR_CORE_ORGANIZATION = _fr("fr-core-organization")
# The profiles each resource type may claim, the first one the CapabilityStatement's `profile`.
# A Practitioner claims as-dp-practitioner only with an RPPS identifier (ADELI-only professionals:
# FR Core's alone); a PractitionerRole never claims as-dp-practitionerrole, which requires the
# RPPS's idSituationExercice that the open-data extraction does not carry: it claims Maillage's
# own profile (see `maillage_canonical`, docs/fhir.md).
PROFILES = {
    "Practitioner": [AS_DP_PRACTITIONER, FR_CORE_PRACTITIONER],
    "Organization": [AS_DP_ORGANIZATION, FR_CORE_ORGANIZATION],
}


def maillage_canonical(kind: str, name: str) -> str:
    """A canonical URL Maillage defines itself (profile, extension, naming system), under the
    server's own FHIR base: `<site>/fhir/<kind>/<name>`."""
    from django.conf import settings

    return f"{settings.SITE_URL.rstrip('/')}/fhir/{kind}/{name}"


def maillage_profile(resource_type: str) -> str:
    return maillage_canonical("StructureDefinition", f"maillage-{resource_type.lower()}")


AS_SEARCH = "https://interop.esante.gouv.fr/ig/fhir/annuaire/SearchParameter/"

# The MSSanté mailbox (as-mailbox-mss): an email ContactPoint typed MSSANTE by FR Core's extension.
EMAIL_TYPE = f"{FR_CORE}StructureDefinition/fr-core-contact-point-email-type"
MESSAGING_TYPE = "https://mos.esante.gouv.fr/NOS/TRE_R256-TypeMessagerie/FHIR/TRE-R256-TypeMessagerie"
# _elements: the resource is a subset (FHIR's v3 ObservationValue code system).
SUBSETTED = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"

# Identifier systems and the type codes that go with them (FR Core v2-0203).
IDENTIFIER_TYPE = f"{FR_CORE}CodeSystem/fr-core-cs-v2-0203"
IDNPS = "urn:oid:1.2.250.1.71.4.2.1"  # national id of a person: 8 + RPPS, 0 + ADELI
RPPS = "https://rpps.esante.gouv.fr"
IDNST = "urn:oid:1.2.250.1.71.4.2.2"  # national id of a structure: 1 + FINESS, 3 + SIRET…
FINESS = "https://finess.esante.gouv.fr"
SIRENE = "https://sirene.fr"


def nos(table: str) -> str:
    """A terminology of the ANS (NOS): 'TRE_G15-ProfessionSante' → its FHIR CodeSystem URL."""
    return f"https://mos.esante.gouv.fr/NOS/{table}/FHIR/{table.replace('_', '-', 1)}"


PROFESSION = nos("TRE_G15-ProfessionSante")
PROFESSIONAL_CATEGORY = nos("TRE_R09-CategorieProfessionnelle")
SAVOIR_FAIRE_TYPE = nos("TRE_R04-TypeSavoirFaire")
# The code system of a savoir-faire depends on its type (TRE_R04); types absent here keep the
# type coding and the label only, rather than a coding in a guessed system.
SAVOIR_FAIRE = {
    "S": nos("TRE_R38-SpecialiteOrdinale"),
    "C": nos("TRE_R39-Competence"),
    "CEX": nos("TRE_R40-CompetenceExclusive"),
    "CAPA": nos("TRE_R43-CapaciteSavoirFaire"),
}
MODE = nos("TRE_R23-ModeExercice")
GENRE = nos("TRE_R22-GenreActivite")
FUNCTION = nos("TRE_R21-Fonction")
CATEGORY = nos("TRE_R66-CategorieEtablissement")
COMMUNE = nos("TRE_R13-Commune")
ORGANIZATION_TYPE = f"{FR_CORE}CodeSystem/fr-core-cs-v2-3307"

# Extensions.
INSEE_CODE = f"{FR_CORE}StructureDefinition/fr-core-address-insee-code"
ORGANIZATION_TYPES = f"{AS_PROFILE}as-ext-organization-types"
ORGANIZATION_PERIOD = "http://hl7.org/fhir/StructureDefinition/organization-period"
GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation"

# SAS: the ANS guide « Service d'Accès aux Soins » (interop.esante.gouv.fr/ig/fhir/sas), use case
# CPTS (capability statement SAS-GestionnaireAgenda-CPTS). The guide's canonical URLs are mixed
# (sas.fr and interop.esante.gouv.fr): they are written as the guide lists them for its validator.
SAS_IG = "https://interop.esante.gouv.fr/ig/fhir/sas/"
SAS_CAPABILITY = f"{SAS_IG}CapabilityStatement/SAS-GestionnaireAgenda-CPTS"
SAS_PROFILES = {
    "Bundle": f"{SAS_IG}StructureDefinition/sas-cpts-bundle-aggregator",
    "Slot": f"{SAS_IG}StructureDefinition/sas-cpts-slot-aggregator",
    "Schedule": "http://sas.fr/fhir/StructureDefinition/FrScheduleAgregateur",
    "Practitioner": "http://sas.fr/fhir/StructureDefinition/FrPractitionerAgregateur",
    "PractitionerRole": "http://sas.fr/fhir/StructureDefinition/FrPractitionerRoleExerciceAgregateur",
    "Location": "http://sas.fr/fhir/StructureDefinition/FrLocationAgregateur",
    "HealthcareService": f"{SAS_IG}StructureDefinition/sas-cpts-healthcareservice-aggregator",
    "Organization": f"{SAS_IG}StructureDefinition/sas-cpts-organization-aggregator",
}
# The SAS guide builds on FR Core 1.1.0, whose identifier types lived at interopsante.org. Pinned:
# the guide's tag 1.1.0. Its HEAD (1.2.0 ci-build) types the CPTS Organization's IDNST with FR
# Core's https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203 instead (see the ADR).
SAS_IDENTIFIER_TYPE = "http://interopsante.org/fhir/CodeSystem/fr-v2-0203"
SAS_ORGANIZATION_IDENTIFIER_TYPE = "http://interopsante.org/fhir/CodeSystem/fr-location-identifier-type"
SLOT_TYPE = nos("TRE_R314-TypeCreneau")
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
APPOINTMENT_REASON = "http://terminology.hl7.org/CodeSystem/v2-0276"
SLOT_STATUS = "http://hl7.org/fhir/slotstatus"
CPTS_CATEGORY = "604"  # TRE_R66: Communauté Professionnelle Territoriale de Santé
SLOT_SERVICE_TYPE_R5 = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Slot.serviceType"

# Patients (issue 15, the pathways' CarePlan, CareTeam and Task): the INS built on the NIR.
INS_NIR = "urn:oid:1.2.250.1.213.1.4.8"

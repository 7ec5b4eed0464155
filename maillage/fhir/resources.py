"""Model → FHIR resource (a plain dict, FHIR R4 JSON), in the shapes of the Annuaire Santé.

Only fields of the national open-data extractions (RPPS « PS_LibreAcces », FINESS etalab) are
written, and of the CPTS's enrichment (`DirectoryEntry`) only the MSSanté mailbox of an entry the
professional chose to list publicly (`DirectoryEntry.objects.listed()`): nothing else a CPTS
records (languages, skills, new patients) can leave through this public interface.
Empty values are left out: FHIR forbids empty strings and empty arrays.
"""

from maillage.directory.models import Activity, DirectoryEntry, Professional, Structure
from maillage.directory.models.structures import postal_parts
from maillage.fhir import systems


def coding(system: str, code: str, display: str = "") -> dict:
    value = {"system": system, "code": code}
    if display:
        value["display"] = display
    return value


def concept(system: str, code: str, display: str = "") -> dict | None:
    return {"coding": [coding(system, code, display)]} if code else None


def identifier(system: str, type_code: str, value: str) -> dict:
    return {
        "use": "official",
        "type": {"coding": [coding(systems.IDENTIFIER_TYPE, type_code)]},
        "system": system,
        "value": value,
    }


def reference(resource_type: str, resource_id: str, display: str = "") -> dict:
    value = {"reference": f"{resource_type}/{resource_id}", "type": resource_type}
    if display:
        value["display"] = display
    return value


def organization_id(finess_et: str) -> str:
    """The national id of a structure (idNat_Struct): `1` + FINESS of the establishment."""
    return f"1{finess_et}"


def _meta(profiles: list[str], row) -> dict:
    """`lastUpdated` is the row's `updated_at`: the import that last changed it (or its creation)."""
    return {"lastUpdated": row.updated_at.isoformat(), "profile": profiles}


def practitioner_profiles(p: Professional) -> list[str]:
    """as-dp-practitioner requires the RPPS identifier: an ADELI-only professional claims FR Core's
    profile alone."""
    if p.id_type == Professional.IdType.RPPS:
        return systems.PROFILES["Practitioner"]
    return [systems.FR_CORE_PRACTITIONER]


def mailbox(address: str) -> dict:
    """An MSSanté mailbox as as-mailbox-mss describes it (email, typed MSSANTE)."""
    return {
        "extension": [{"url": systems.EMAIL_TYPE, "valueCoding": coding(systems.MESSAGING_TYPE, "MSSANTE")}],
        "system": "email",
        "value": address,
    }


def _telecom(*pairs: tuple[str, str], use: str = "work") -> list[dict]:
    return [{"system": system, "value": value, "use": use} for system, value in pairs if value]


def _joined(*parts: str) -> str:
    return " ".join(part.strip() for part in parts if part and part.strip())


def _set(resource: dict, key: str, value) -> None:
    if value:
        resource[key] = value


def savoir_faire(p: Professional) -> dict | None:
    """The savoir-faire as a CodeableConcept: its type (TRE_R04) and, when the type's terminology
    is known, the savoir-faire itself (TRE_R38 spécialité ordinale, TRE_R39 compétence…)."""
    codings = []
    if p.savoir_faire_type_code:
        codings.append(coding(systems.SAVOIR_FAIRE_TYPE, p.savoir_faire_type_code, p.savoir_faire_type_label))
    system = systems.SAVOIR_FAIRE.get(p.savoir_faire_type_code)
    if system and p.savoir_faire_code:
        codings.append(coding(system, p.savoir_faire_code, p.savoir_faire_label))
    if not codings and not p.savoir_faire_label:
        return None
    value = {"coding": codings} if codings else {}
    _set(value, "text", p.savoir_faire_label)
    return value


def practitioner(p: Professional, mailboxes=()) -> dict:
    identifiers = [identifier(systems.IDNPS, "IDNPS", p.national_id)]
    if p.id_type == Professional.IdType.RPPS:
        identifiers.append(identifier(systems.RPPS, "RPPS", p.identifier))
    resource = {
        "resourceType": "Practitioner",
        "id": p.national_id,
        "meta": _meta(practitioner_profiles(p), p),
        "language": "fr",
        "identifier": identifiers,
        "active": p.active,
    }
    # As the guide does: civility (M, MME) as prefix, civility of exercise (DR, PR) as suffix.
    name = {"use": "usual"}
    _set(name, "family", p.last_name)
    _set(name, "given", [p.first_name] if p.first_name else None)
    _set(name, "prefix", [p.civility_code] if p.civility_code else None)
    _set(name, "suffix", [p.exercise_civility_code] if p.exercise_civility_code else None)
    if len(name) > 1:
        resource["name"] = [name]
    # as-dp-practitioner's telecom is closed: MSSanté mailboxes only.
    _set(resource, "telecom", [mailbox(address) for address in mailboxes])
    qualifications = []
    profession = [
        coding(system, code, label)
        for system, code, label in (
            (systems.PROFESSION, p.profession_code, p.profession_label),
            (systems.PROFESSIONAL_CATEGORY, p.category_code, p.category_label),
        )
        if code
    ]
    if profession:
        qualifications.append({"code": {"coding": profession}})
    specialty = savoir_faire(p)
    if specialty:
        qualifications.append({"code": specialty})
    _set(resource, "qualification", qualifications)
    return resource


def _activity_address(a: Activity) -> dict | None:
    street = a.street
    lines = (a.recipient_complement, a.place_complement, street, a.distribution_mention)
    address = {"use": "work"}
    _set(address, "line", [line.strip() for line in lines if line.strip()])
    _set(address, "postalCode", a.postal_code)
    # Without a commune, the « bureau cedex » (La Poste's « 25300 DOUBS ») still names the town.
    _set(address, "city", a.commune_label.strip() or postal_parts(a.cedex_office)[1])
    if a.commune_code:
        address["extension"] = [{"url": systems.INSEE_CODE, "valueCoding": coding(systems.COMMUNE, a.commune_code)}]
    return address if len(address) > 1 else None


def _site(a: Activity, known_sites: set[str]) -> dict | None:
    """The site as an Organization reference: a literal one when FINESS knows the establishment
    (it is then served here), a logical one (FINESS identifier) otherwise, or just its name."""
    name = a.trade_name or a.company_name
    if a.finess_site and a.finess_site in known_sites:
        return reference("Organization", organization_id(a.finess_site), name)
    if a.finess_site:
        value = {"type": "Organization", "identifier": identifier(systems.FINESS, "FINEG", a.finess_site)}
        _set(value, "display", name)
        return value
    return {"display": name} if name else None


def role_id(a: Activity) -> str:
    """The PractitionerRole's id: the activity's primary key. Its natural key ("8…|R…|L|SA08|||")
    is no FHIR id (`|`, up to 120 characters); the row, updated in place by every re-import, keeps
    its primary key for good."""
    return str(a.pk)


def practitioner_role(a: Activity, known_sites: set[str]) -> dict:
    p = a.professional
    resource = {
        "resourceType": "PractitionerRole",
        "id": role_id(a),
        "meta": _meta([systems.maillage_profile("PractitionerRole")], a),
        "language": "fr",
        "active": a.active,
        "practitioner": reference("Practitioner", p.national_id, p.full_name),
    }
    _set(resource, "organization", _site(a, known_sites))
    codes = (
        concept(systems.PROFESSION, p.profession_code, p.profession_label),
        concept(systems.MODE, a.mode_code, a.mode_label),
        concept(systems.GENRE, a.genre_code, a.genre_label),
        concept(systems.FUNCTION, a.role_code, a.role_label),
    )
    _set(resource, "code", [c for c in codes if c])
    specialty = savoir_faire(p)
    _set(resource, "specialty", [specialty] if specialty else None)
    address = _activity_address(a)
    if address:
        location = {"resourceType": "Location", "id": "site", "address": address}
        _set(location, "name", a.trade_name or a.company_name)
        resource["contained"] = [location]
        resource["location"] = [{"reference": "#site"}]
    _set(resource, "telecom", _telecom(("phone", a.phone), ("phone", a.phone2), ("fax", a.fax), ("email", a.email)))
    return resource


def _structure_address(s: Structure) -> dict | None:
    street = _joined(s.street_number, s.street_complement, s.street_type, s.street_label)
    address = {"use": "work", "type": "both"}
    _set(address, "line", [line.strip() for line in (s.distribution_complement, street, s.locality) if line.strip()])
    # FINESS gives La Poste's « ligne d'acheminement »: postal code, then the town (and CEDEX).
    postal_code, town = postal_parts(s.postal_line)
    _set(address, "postalCode", postal_code)
    _set(address, "city", town)
    extensions = []
    if s.commune_code:
        extensions.append({"url": systems.INSEE_CODE, "valueCoding": coding(systems.COMMUNE, s.commune_code)})
    if s.latitude is not None and s.longitude is not None:
        extensions.append(
            {
                "url": systems.GEOLOCATION,
                "extension": [
                    {"url": "latitude", "valueDecimal": round(s.latitude, 6)},
                    {"url": "longitude", "valueDecimal": round(s.longitude, 6)},
                ],
            }
        )
    _set(address, "extension", extensions)
    return address if len(address) > 2 else None


def organization(s: Structure) -> dict:
    identifiers = [
        identifier(systems.IDNST, "IDNST", organization_id(s.finess_et)),
        identifier(systems.FINESS, "FINEG", s.finess_et),
    ]
    if s.siret:
        identifiers.append(identifier(systems.SIRENE, "SIRET", s.siret))
    resource = {
        "resourceType": "Organization",
        "id": organization_id(s.finess_et),
        "meta": _meta(systems.PROFILES["Organization"], s),
        "language": "fr",
        "identifier": identifiers,
        "active": s.active,
        "type": [
            {
                "extension": [{"url": systems.ORGANIZATION_TYPES, "valueCode": "organizationType"}],
                "coding": [coding(systems.ORGANIZATION_TYPE, "GEOGRAPHICAL-ENTITY", "Entité géographique")],
            }
        ],
    }
    category = concept(systems.CATEGORY, s.category_code, s.category_label)
    if category:
        resource["type"].append(category)
    if s.opened_on:
        resource["extension"] = [
            {"url": systems.ORGANIZATION_PERIOD, "valuePeriod": {"start": s.opened_on.isoformat()}}
        ]
    _set(resource, "name", s.name)
    if s.short_name and s.long_name and s.short_name != s.long_name:
        resource["alias"] = [s.short_name]
    _set(resource, "telecom", _telecom(("phone", s.phone), ("fax", s.fax)))
    address = _structure_address(s)
    _set(resource, "address", [address] if address else None)
    if s.finess_ej and s.finess_ej != s.finess_et:
        # The legal entity (EJ) is not an establishment of the FINESS extraction we import: a
        # logical reference by its FINESS number.
        resource["partOf"] = {"type": "Organization", "identifier": identifier(systems.FINESS, "FINEJ", s.finess_ej)}
    return resource


def mailboxes(professional_ids) -> dict[int, list[str]]:
    """The MSSanté mailboxes published for these professionals (one query): those of the
    directory entries listed publicly, each address once, in a stable order."""
    found: dict[int, list[str]] = {}
    entries = (
        DirectoryEntry.objects.listed()
        .filter(professional_id__in=professional_ids)
        .exclude(mssante_address="")
        .order_by("mssante_address")
        .values_list("professional_id", "mssante_address")
    )
    for professional_id, address in entries:
        addresses = found.setdefault(professional_id, [])
        if address not in addresses:
            addresses.append(address)
    return found


def practitioners(rows) -> list[dict]:
    found = mailboxes([p.pk for p in rows]) if rows else {}
    return [practitioner(p, found.get(p.pk, ())) for p in rows]


def role_identifier(a: Activity) -> dict:
    """The activity's identifier in Maillage's own naming system: the RPPS open data carries no
    idSituationExercice, so the stable primary key (the resource id) is what a client can keep."""
    return {"use": "secondary", "system": systems.maillage_canonical("NamingSystem", "activite"), "value": role_id(a)}


def practitioner_roles(rows) -> list[dict]:
    """One query for the whole page: which of the sites' FINESS numbers are known establishments."""
    sites = {a.finess_site for a in rows if a.finess_site}
    known = set(Structure.objects.filter(finess_et__in=sites).values_list("finess_et", flat=True)) if sites else set()
    built = []
    for a in rows:
        resource = practitioner_role(a, known)
        # After `id` and `meta`, as FHIR orders the elements (JSON order is not significant).
        resource = {**dict(list(resource.items())[:4]), "identifier": [role_identifier(a)], **resource}
        built.append(resource)
    return built


def organizations(rows) -> list[dict]:
    return [organization(s) for s in rows]


BUILDERS = {"Practitioner": practitioners, "PractitionerRole": practitioner_roles, "Organization": organizations}

"""The SAS resources of the CPTS use case: Slot, Schedule, HealthcareService, Organization of the
CPTS, and the Practitioner and PractitionerRole of the Annuaire Santé builders, reshaped to the
SAS aggregator profiles (ANS guide « Service d'Accès aux Soins », profiles sas-cpts-*).

Ids are stable and readable back (`/fhir/<type>/<id>`):
- Slot: the slot's primary key;
- Schedule: `<cpts pk>-<IDNPS>-<activity pk or 0>`, one per CPTS, practitioner and site, so that
  each Schedule leads to one PractitionerRole and its one Location, as the guide's model has it;
- HealthcareService and Organization of the CPTS: `cpts-<cpts pk>` (not `1` + FINESS: that id is
  the FINESS establishment's, served from the FINESS extraction).
"""

import re
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from maillage.directory.models import Activity, Professional
from maillage.fhir import resources, systems
from maillage.fhir.resources import coding, reference
from maillage.territory.models import Cpts
from maillage.unscheduled.enums import ACT_CODES, ACT_LABELS, Kind, SlotStatus
from maillage.unscheduled.models import Slot

NO_ACTIVITY = 0
_POSTAL_LINE = re.compile(r"^(\d{5})\s+(.+)$")  # La Poste's « 92240 MALAKOFF CEDEX »


def _meta(resource_type: str, updated_at=None) -> dict:
    meta = {"profile": [systems.SAS_PROFILES[resource_type]]}
    if updated_at is not None:
        meta["lastUpdated"] = updated_at.isoformat()
    return meta


def _sas_identifier(type_system: str, type_code: str, system: str, value: str) -> dict:
    return {"type": {"coding": [coding(type_system, type_code)]}, "system": system, "value": value}


# The CPTS: its HealthcareService and its Organization -------------------------------------------


def cpts_finess(cpts: Cpts) -> str:
    """The CPTS's FINESS number (9 characters), or "" when it has none.

    The guide identifies the CPTS by it (1 + FINESS, 1..1): a CPTS without one exposes nothing to
    the SAS (the searches and reads leave it out), so the Organization served always has it."""
    value = (cpts.finess or "").strip()
    return value if len(value) == 9 else ""


def cpts_id(cpts_pk: int) -> str:
    return f"cpts-{cpts_pk}"


def healthcare_service(cpts: Cpts) -> dict:
    return {
        "resourceType": "HealthcareService",
        "id": cpts_id(cpts.pk),
        "meta": _meta("HealthcareService"),
        "language": "fr",
        "active": True,
        "providedBy": reference("Organization", cpts_id(cpts.pk), cpts.name),
        "category": [{"coding": [coding(systems.CATEGORY, systems.CPTS_CATEGORY)]}],
        "name": f"Soins non programmés — {cpts.name}",
    }


def cpts_organization(cpts: Cpts) -> dict:
    resource = {
        "resourceType": "Organization",
        "id": cpts_id(cpts.pk),
        "meta": _meta("Organization"),
        "language": "fr",
    }
    finess = cpts_finess(cpts)
    if finess:
        resource["identifier"] = [
            _sas_identifier(
                systems.SAS_ORGANIZATION_IDENTIFIER_TYPE, "IDNST", systems.IDNST, resources.organization_id(finess)
            )
        ]
    resource["active"] = True
    resource["type"] = [{"coding": [coding(systems.CATEGORY, systems.CPTS_CATEGORY)]}]
    resource["name"] = cpts.name
    phone = international_phone(cpts.phone)
    if phone:
        # The numéro unique: the regulator who cannot book online calls the CPTS (issue 18).
        resource["telecom"] = [{"system": "phone", "value": phone}]
    return resource


def international_phone(phone: str) -> str:
    """« 01 99 00 12 34 » → « +33199001234 », as the guide's example writes it; a number in another
    form goes with its digits only (and a leading +); "" when there is none."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if len(digits) == 10 and digits.startswith("0"):
        return f"+33{digits[1:]}"
    if (phone or "").strip().startswith("+") and digits:
        return f"+{digits}"
    return digits


# The professional: Practitioner, PractitionerRole, Schedule -------------------------------------


def practitioner(p: Professional) -> dict:
    """The Annuaire Santé Practitioner with the one identifier the SAS profile allows: IDNPS."""
    resource = resources.practitioner(p)
    resource["meta"] = _meta("Practitioner", p.updated_at)
    resource["identifier"] = [_sas_identifier(systems.SAS_IDENTIFIER_TYPE, "IDNPS", systems.IDNPS, p.national_id)]
    return resource


def _site_identifier(a: Activity) -> dict | None:
    """The site as the SAS wants it: its national structure id (1 + FINESS, or 3 + SIRET)."""
    if a.finess_site:
        value = resources.organization_id(a.finess_site)
    elif a.siret:
        value = f"3{a.siret}"
    else:
        return None
    return _sas_identifier(systems.SAS_IDENTIFIER_TYPE, "IDNST", systems.IDNST, value)


def _one_line(a: Activity) -> str:
    """The site's street as the one address line FrLocationAgregateur allows: the street, else the
    first complement the RPPS gives (a place, a distribution mention), else the site's name."""
    candidates = (a.street, a.place_complement, a.distribution_mention, a.recipient_complement)
    return next((c.strip() for c in candidates if c and c.strip()), "") or a.trade_name or a.company_name


def site_location(a: Activity) -> dict:
    """The contained Location of the SAS profile (FrLocationAgregateur): one address line, the city
    and the postal code, all three required. What the RPPS line leaves out is taken from the
    commune of the site (its name, its first postal code); the « bureau cedex » (« 92240 MALAKOFF
    CEDEX ») gives both when the commune is unknown."""
    cedex = _POSTAL_LINE.match(a.cedex_office.strip())
    commune = a.commune if a.commune_id else None
    address = {"use": "work"}
    line = _one_line(a)
    if line:
        address["line"] = [line]
    city = a.commune_label.strip() or (commune.name if commune else "") or (cedex.group(2) if cedex else "")
    if city:
        address["city"] = city
    postal_code = a.postal_code.strip() or (cedex.group(1) if cedex else "")
    if not postal_code and commune and commune.postal_codes:
        postal_code = commune.postal_codes[0]
    if postal_code:
        address["postalCode"] = postal_code
    if a.commune_code:
        address["extension"] = [{"url": systems.INSEE_CODE, "valueCoding": coding(systems.COMMUNE, a.commune_code)}]
    location = {"resourceType": "Location", "id": "site", "meta": _meta("Location"), "address": address}
    name = a.trade_name or a.company_name
    if name:
        location["name"] = name
    return location


def practitioner_role(a: Activity) -> dict:
    """The Annuaire Santé PractitionerRole reshaped to FrPractitionerRoleExerciceAgregateur: the site
    in one contained Location (always: the profile asks for exactly one), the organization given
    by its national identifier (IDNST: 1 + FINESS, or 3 + SIRET) rather than a literal reference."""
    resource = resources.practitioner_role(a, set())
    resource["meta"] = _meta("PractitionerRole", a.updated_at)
    name = a.trade_name or a.company_name
    organization = {}
    site = _site_identifier(a)
    if site:
        organization = {"type": "Organization", "identifier": site}
    if name:
        organization["display"] = name
    resource.pop("organization", None)
    if organization:
        resource["organization"] = organization
    resource["contained"] = [site_location(a)]
    resource["location"] = [{"reference": "#site"}]
    return resource


def schedule_key(cpts_pk: int, national_id: str, activity_pk: int | None) -> str:
    return f"{cpts_pk}-{national_id}-{activity_pk or NO_ACTIVITY}"


def schedule_id(slot: Slot) -> str:
    return schedule_key(slot.cpts_id, slot.professional.national_id, slot.activity_id)


def schedules(rows) -> list[dict]:
    """The Schedules of (CPTS, professional, site or None) rows (`sas_search.ScheduleSearch`)."""
    return [schedule(schedule_key(c.pk, p.national_id, a.pk if a else None), c, p, a) for c, p, a in rows]


def schedule(resource_id: str, cpts: Cpts, p: Professional, a: Activity | None) -> dict:
    actors = [reference("Practitioner", p.national_id, p.full_name)]
    if a is not None:
        actors.append(reference("PractitionerRole", resources.role_id(a)))
    return {
        "resourceType": "Schedule",
        "id": resource_id,
        "meta": _meta("Schedule"),
        "language": "fr",
        "active": True,
        "serviceType": [{"coding": [coding(systems.CATEGORY, systems.CPTS_CATEGORY)]}],
        "actor": actors,
        "comment": f"Créneaux de soins non programmés ouverts auprès de la {cpts.name}",
    }


# The slot -----------------------------------------------------------------------------------------


def _specialty(slot: Slot) -> dict | None:
    """The slot's specialty (the professional's savoir-faire), coded when its terminology is known."""
    if not slot.specialty_code:
        return None
    p = slot.professional
    system = systems.SAVOIR_FAIRE.get(p.savoir_faire_type_code) if p.savoir_faire_code == slot.specialty_code else None
    if system is None and slot.specialty_code.startswith("SM"):
        system = systems.SAVOIR_FAIRE["S"]  # the SM… codes are TRE_R38 spécialités ordinales
    value = {"coding": [coding(system, slot.specialty_code, slot.specialty_label)]} if system else {}
    if slot.specialty_label:
        value["text"] = slot.specialty_label
    return value or None


# Sentinels reversed once, then replaced: a reverse() per slot would cost ~70 µs, 70 ms a page of 1000.
_SLUG, _PK = "cpts-slug-sentinel", 987654321


@lru_cache(maxsize=8)
def _booking_template(site_url: str) -> str:
    path = reverse("www:sas_booking", kwargs={"slug": _SLUG, "pk": _PK})
    return site_url.rstrip("/") + path.replace(_SLUG, "{slug}").replace(str(_PK), "{pk}")


def booking_url(row: Slot) -> str:
    """The absolute URL of the slot's booking page (`Slot.comment`, « URL de redirection pour la
    prise de RDV » of the guide). Its query is already open (`?depuis=sas`), so the `origin`
    parameter the SAS platform appends opens the page whether it comes as `&origin=…` or
    `?origin=…` (maillage/www/unscheduled/sas_booking.py)."""
    return _booking_template(settings.SITE_URL).format(slug=row.cpts.slug, pk=row.pk) + "?depuis=sas"


def slot(row: Slot) -> dict:
    kind = Kind(row.kind)
    act = ACT_CODES[kind]
    meta = _meta("Slot", row.updated_at)
    meta["security"] = [coding(systems.SLOT_TYPE, t) for t in row.types]
    resource = {
        "resourceType": "Slot",
        "id": str(row.pk),
        "meta": meta,
        "language": "fr",
        "serviceType": [
            {"coding": [coding(systems.ACT_CODE, act, ACT_LABELS[act])], "text": kind.label},
            {
                "extension": [
                    {
                        "url": systems.SLOT_SERVICE_TYPE_R5,
                        "valueReference": reference("HealthcareService", cpts_id(row.cpts_id), row.cpts.name),
                    }
                ],
                "coding": [coding(systems.CATEGORY, systems.CPTS_CATEGORY)],
            },
        ],
    }
    specialty = _specialty(row)
    if specialty:
        resource["specialty"] = [specialty]
    # A home visit is not booked at a set time on the SAS side: every HOME slot goes as WALKIN.
    resource["appointmentType"] = {
        "coding": [coding(systems.APPOINTMENT_REASON, "WALKIN" if kind == Kind.HOME else "ROUTINE")]
    }
    resource["schedule"] = reference("Schedule", schedule_id(row))
    # The profile fixes `free`, and the search serves free slots only; a read of a slot booked since
    # says `busy` rather than offer the SAS a slot that is gone.
    resource["status"] = SlotStatus.FREE if row.status == SlotStatus.FREE else "busy"
    zone = timezone.get_current_timezone()  # once, not twice through localtime(): the bench's hot loop
    resource["start"] = row.start.astimezone(zone).isoformat()
    resource["end"] = row.end.astimezone(zone).isoformat()
    resource["comment"] = booking_url(row)
    return resource


def included(slots: list[Slot], includes: frozenset[str]) -> list[dict]:
    """The resources the includes ask for, each once, in the guide's order: Schedule, its actors
    (Practitioner, PractitionerRole), then HealthcareService and its Organization. No query: the
    slots come with their CPTS, professional and activity."""
    found: dict[tuple[str, str], dict] = {}

    def add(resource_type: str, resource_id: str, build) -> None:
        if (resource_type, resource_id) not in found:
            found[resource_type, resource_id] = build()

    for row in slots:
        if "schedule" in includes:
            add(
                "Schedule",
                schedule_id(row),
                lambda row=row: schedule(schedule_id(row), row.cpts, row.professional, row.activity),
            )
            if "actor" in includes:
                add("Practitioner", row.professional.national_id, lambda row=row: practitioner(row.professional))
                if row.activity is not None:
                    add(
                        "PractitionerRole",
                        resources.role_id(row.activity),
                        lambda row=row: practitioner_role(row.activity),
                    )
        if "service" in includes:
            add("HealthcareService", cpts_id(row.cpts_id), lambda row=row: healthcare_service(row.cpts))
            if "organization" in includes:
                add("Organization", cpts_id(row.cpts_id), lambda row=row: cpts_organization(row.cpts))
    return list(found.values())


def searchset(base: str, self_url: str, slots: list[Slot], includes: frozenset[str], total: int) -> dict:
    """The answer as BundleAgregateurCPTS has it: a searchset with its total and exactly one link,
    `self`. The guide pages by narrowing the period, never with `next` (see `views.slot_search`)."""
    bundle = {
        "resourceType": "Bundle",
        "meta": _meta("Bundle"),
        "type": "searchset",
        "total": total,
        "link": [{"relation": "self", "url": self_url}],
    }
    entries = [(r, "match") for r in map(slot, slots)] + [(r, "include") for r in included(slots, includes)]
    if entries:
        bundle["entry"] = [
            {"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": mode}}
            for r, mode in entries
        ]
    return bundle


def schedule_searchset(base: str, self_url: str, found: list[dict]) -> dict:
    """The answer of `GET /fhir/Schedule?actor=…`: every Schedule found, one link (self)."""
    bundle = {"resourceType": "Bundle", "type": "searchset", "total": len(found)}
    bundle["link"] = [{"relation": "self", "url": self_url}]
    if found:
        bundle["entry"] = [
            {"fullUrl": f"{base}Schedule/{r['id']}", "resource": r, "search": {"mode": "match"}} for r in found
        ]
    return bundle

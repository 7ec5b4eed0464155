"""The SAS Slot search: the consumer (certificate or key), the four mandatory criteria, the includes, the query.

`GET /fhir/Slot?start=ge…&start=le…&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|8…
&status=free&_include=…`, as the ANS guide « Service d'Accès aux Soins » specifies it for CPTS
agenda managers. Everything is checked before the database is asked anything but the consumer: a
missing criterion, a malformed date, no usable identifier, an unknown parameter or include is a 400
OperationOutcome in French, never a search silently widened. An unusable identifier among usable
ones is left out and named in a warning (`ignored_outcome`).
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from maillage.core import client_certificate
from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.french import plural
from maillage.core.identifiers import is_valid_adeli, is_valid_rpps
from maillage.directory.models import Activity, Professional
from maillage.fhir import systems
from maillage.fhir.errors import FhirError, invalid, not_supported, operation_outcome
from maillage.territory.models import Cpts
from maillage.unscheduled.enums import SlotStatus
from maillage.unscheduled.models import SasConsumer, Slot

IDENTIFIER_PARAM = "schedule.actor:Practitioner.identifier"
MAX_PRACTITIONERS = 25
MAX_COUNT = 1000  # slots per page; the guide's own example asks for _count=1000
LAST_USED_PRECISION = timedelta(minutes=1)  # at most one write per consumer and minute
INCLUDES = {"Slot:schedule": "schedule", "Slot:service-type-reference": "service"}
ITERATE_INCLUDES = {"Schedule:actor": "actor", "HealthcareService:organization": "organization"}
ALL_INCLUDES = INCLUDES | ITERATE_INCLUDES
# Targets a client may name after an include (`Schedule:actor:Practitioner`).
INCLUDE_TARGETS = {
    "Slot:schedule": {"Schedule"},
    "Slot:service-type-reference": {"HealthcareService"},
    "Schedule:actor": {"Practitioner", "PractitionerRole"},
    "HealthcareService:organization": {"Organization"},
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_COMMA = re.compile(r"(?<!\\),")


def unauthorized(diagnostics: str) -> FhirError:
    return FhirError(401, "login", diagnostics)


def authenticate(request) -> SasConsumer:
    """The consumer behind the request, or a 401/403 OperationOutcome: the IGC-Santé certificate the
    mutual-TLS proxy verified (its CN and OU registered for the consumer), or else
    `Authorization: Bearer <key>`. Every SAS view asks here, and only here."""
    try:
        certificate = client_certificate.presented(request)
    except client_certificate.CertificateRefused as refusal:
        raise FhirError(refusal.status, "login" if refusal.status == 401 else "forbidden", refusal.message) from None
    if certificate is not None and certificate.subject is not None:
        consumer = _by_certificate(certificate.subject)
    else:
        consumer = _by_key(request, certificate_path=certificate is not None)
    now = timezone.now()
    if consumer.last_used_at is None or now - consumer.last_used_at >= LAST_USED_PRECISION:
        SasConsumer.objects.filter(pk=consumer.pk).update(last_used_at=now)
    return consumer


def _by_certificate(subject: client_certificate.Subject) -> SasConsumer:
    described = f"CN « {', '.join(subject.common_names) or '—'} », OU « {', '.join(subject.units) or '—'} »"
    matches = SasConsumer.registered_for(subject.common_names, subject.units)
    active = [consumer for consumer in matches if consumer.active]
    if len(active) == 1:
        return active[0]
    if len(active) > 1:
        raise FhirError(
            403,
            "forbidden",
            f"Certificat client ambigu ({described}) : il correspond à plusieurs clients de l'interface SAS "
            f"({', '.join(c.name for c in active)}). Un CN et une OU ne doivent désigner qu'un client.",
        )
    if matches:
        raise FhirError(403, "forbidden", f"Client de l'interface SAS désactivé pour ce certificat ({described}).")
    raise FhirError(
        403,
        "forbidden",
        f"Certificat client valide mais non enregistré ({described}) : aucun client de l'interface SAS n'a ce "
        "CN et cette OU. L'administrateur les enregistre dans « Clients de l'interface SAS ».",
    )


def _by_key(request, *, certificate_path: bool) -> SasConsumer:
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    if not scheme:
        if certificate_path:
            raise unauthorized(
                "Aucun certificat client présenté : le SAS s'authentifie par un certificat IGC-Santé "
                "(TLS mutuel) ; les autres clients envoient leur clé d'accès dans l'en-tête "
                "« Authorization: Bearer <clé> »."
            )
        raise unauthorized(
            "Authentification requise : envoyez la clé d'accès de votre client dans l'en-tête "
            "« Authorization: Bearer <clé> », ou passez par le mandataire TLS mutuel avec un certificat IGC-Santé."
        )
    consumer = SasConsumer.authenticate(key.strip()) if scheme.lower() == "bearer" else None
    if consumer is None:
        raise unauthorized("Clé d'accès invalide ou révoquée (en-tête « Authorization: Bearer <clé> »).")
    return consumer


@dataclass(frozen=True)
class SlotSearch:
    start: datetime  # start ge
    end: datetime  # start le
    national_ids: tuple[str, ...]  # 8 + RPPS
    includes: frozenset[str]  # schedule, actor, service, organization
    count: int
    offset: int
    ignored: tuple[str, ...] = ()  # identifiers left out, with their reasons (a warning in the Bundle)

    def page(self) -> tuple[list[Slot], int]:
        """The page of free slots of the practitioners in the period, and the total.

        The (professional, status, start) index does the work: the practitioners' rows are read first (at
        most 25) and set on their slots, rather than joined to every slot."""
        professionals = {p.pk: p for p in Professional.objects.filter(national_id__in=self.national_ids)}
        if not professionals:
            return [], 0
        queryset: QuerySet = (
            Slot.objects.filter(
                professional__in=list(professionals),
                start__gte=self.start,
                start__lte=self.end,
                status=SlotStatus.FREE,
            )
            .exposed_to_sas()
            .select_related("cpts", "activity__commune")
            .order_by("start", "id")
        )
        rows = list(queryset[self.offset : self.offset + self.count]) if self.count else []
        # A short page tells the total without a COUNT query (the common case).
        short_page = len(rows) < self.count and (rows or not self.offset)
        total = self.offset + len(rows) if short_page else queryset.count()
        for row in rows:
            row.professional = professionals[row.professional_id]
            if row.activity is not None and row.activity.professional_id in professionals:
                row.activity.professional = professionals[row.activity.professional_id]
        return rows, total


def _single(params, name: str) -> str:
    values = params.getlist(name)
    if len(values) > 1:
        raise invalid(f"Le paramètre « {name} » ne peut être donné qu'une fois.")
    return values[0].strip() if values else ""


def _datetime(raw: str, *, upper: bool) -> datetime:
    """A FHIR date or dateTime; a date covers its whole day; without offset, the server's time zone.

    An unencoded « + » of the offset reads as a space in a query string: it is put back."""
    value = raw.strip().replace(" ", "+")
    try:
        if _DATE.match(value):
            moment = datetime.combine(date.fromisoformat(value), time.max if upper else time.min)
        elif "T" in value:
            moment = datetime.fromisoformat(value)
        else:
            raise ValueError(value)
    except ValueError:
        raise invalid(
            f"Date invalide pour le paramètre « start » : « {raw} ». Format attendu : "
            "AAAA-MM-JJThh:mm:ss+hh:mm, par exemple 2026-06-12T16:20:00+02:00."
        ) from None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        # 0001-01-01 or 9999-12-31 in another offset overflow when converted to UTC.
        raise invalid(
            f"Date hors des limites pour le paramètre « start » : « {raw} » (années {MIN_YEAR} à {MAX_YEAR})."
        )
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _period(params) -> tuple[datetime, datetime]:
    bounds: dict[str, datetime] = {}
    for raw in params.getlist("start"):
        prefix, value = raw.strip()[:2], raw.strip()[2:]
        if prefix not in ("ge", "le"):
            raise invalid(
                f"Valeur non prise en charge pour « start » : « {raw} ». Sont attendus deux critères, "
                "start=ge<date> et start=le<date>."
            )
        if prefix in bounds:
            raise invalid(f"Le critère « start={prefix}… » ne peut être donné qu'une fois.")
        bounds[prefix] = _datetime(value, upper=prefix == "le")
    missing = [f"start={prefix}<date>" for prefix in ("ge", "le") if prefix not in bounds]
    if missing:
        raise invalid(f"Critère obligatoire manquant : {', '.join(missing)}.")
    if bounds["ge"] > bounds["le"]:
        raise invalid("Période invalide : la date « start=ge » est postérieure à la date « start=le ».")
    return bounds["ge"], bounds["le"]


def _national_ids(params) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The national ids to search (8 + RPPS, 0 + ADELI) and the ignored ones, each with its reason.

    The SAS sends 1 to 25 identifiers of the professionals of a territory, RPPS or ADELI (guide,
    « spécifications fonctionnelles »): one it cannot be served must not cost the others their slots.
    An unusable identifier is ignored and named in a warning; a well-formed one unknown to Maillage
    simply matches nothing. Only a request with none usable, or more than 25, is refused."""
    raw = _single(params, IDENTIFIER_PARAM)
    if not raw:
        raise invalid(
            f"Critère obligatoire manquant : « {IDENTIFIER_PARAM} » "
            f"({systems.IDNPS}|8<RPPS> ou 0<ADELI>, de 1 à {MAX_PRACTITIONERS} identifiants séparés par des virgules)."
        )
    parts = [part.strip() for part in _COMMA.split(raw) if part.strip()]
    if len(parts) > MAX_PRACTITIONERS:
        raise invalid(
            f"Trop d'identifiants dans « {IDENTIFIER_PARAM} » : {len(parts)}. {MAX_PRACTITIONERS} au plus par requête."
        )
    found: list[str] = []
    ignored: list[str] = []
    for part in parts:
        reason = _unusable(part)
        if reason:
            ignored.append(f"« {part[:80]} » ({reason})")
        elif (value := part.rpartition("|")[2]) not in found:
            found.append(value)
    if not found:
        raise invalid(f"Aucun identifiant utilisable dans « {IDENTIFIER_PARAM} » : {' ; '.join(ignored)}.")
    return tuple(found), tuple(ignored)


def _unusable(part: str) -> str:
    """Why an identifier cannot be searched, or "" when it can. Without « | », a token matches in
    any system (FHIR): the bare value is read as an IDNPS."""
    system, bar, value = part.rpartition("|")
    if bar and system != systems.IDNPS:
        return f"le système attendu est « {systems.IDNPS} » ({systems.IDNPS}|8<RPPS>)"
    if len(value) == 12 and value.startswith("8") and is_valid_rpps(value[1:]):
        return ""
    if len(value) == 10 and value.startswith("0") and is_valid_adeli(value[1:]):
        return ""  # an ADELI professional may open slots in Maillage: found like any other
    if len(value) == 12 and value.startswith("8") and value[1:].isdigit():
        return "clé de contrôle (Luhn) du RPPS invalide"
    return (
        "identifiant national invalide ; attendu : 8 suivi d'un RPPS de 11 chiffres à la clé de contrôle "
        "(Luhn) valide, ou 0 suivi d'un numéro ADELI de 9 caractères"
    )


def ignored_outcome(ignored: tuple[str, ...]) -> dict:
    """The Bundle entry that names the identifiers left out of the search. The guide's Bundle profile
    slices its entries openly (sas-cpts-bundle-aggregator): an OperationOutcome entry in
    `search.mode = outcome`, as FHIR's search defines it, is allowed beside the slots."""
    count = len(ignored)
    diagnostics = (
        f"{plural(count, 'identifiant ignoré', 'identifiants ignorés')} dans « {IDENTIFIER_PARAM} », "
        f"la recherche porte sur les autres : {' ; '.join(ignored)}."
    )
    return {
        "fullUrl": f"urn:uuid:{uuid.uuid4()}",
        "resource": operation_outcome("invalid", diagnostics, severity="warning"),
        "search": {"mode": "outcome"},
    }


def _status(params) -> None:
    raw = _single(params, "status")
    system, _, code = raw.rpartition("|")
    if not raw:
        raise invalid("Critère obligatoire manquant : « status=free ».")
    if code != SlotStatus.FREE or system not in ("", systems.SLOT_STATUS):
        raise not_supported(
            f"Statut non pris en charge : « {raw} ». Seuls les créneaux libres (status=free) sont servis."
        )


def _includes(params) -> frozenset[str]:
    """The resources to include. `:iterate` is accepted with or without: the server always
    follows Schedule:actor and HealthcareService:organization from the resources it includes."""
    names = set()
    for param in ("_include", "_include:iterate"):
        for value in params.getlist(param):
            resource, _, rest = value.strip().partition(":")
            search_param, _, target = rest.partition(":")
            include = f"{resource}:{search_param}"
            if include not in ALL_INCLUDES or (target and target not in INCLUDE_TARGETS[include]):
                raise not_supported(
                    f"Inclusion non prise en charge : « {param}={value} ». Inclusions acceptées : "
                    f"{', '.join(INCLUDES)}, et avec _include:iterate {', '.join(ITERATE_INCLUDES)}."
                )
            names.add(ALL_INCLUDES[include])
    return frozenset(names)


def _integer(params, name: str, default: int) -> int:
    raw = _single(params, name)
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise invalid(f"Valeur invalide pour « {name} » : « {raw} ». Un entier positif ou nul est attendu.")
    return int(raw)


ACCEPTED = ("start", IDENTIFIER_PARAM, "status", "_include", "_include:iterate", "_count", "_offset", "_format")


def parse(params) -> SlotSearch:
    """The query string (a QueryDict) → the search, or a 400 OperationOutcome."""
    unknown = [name for name in params if name not in ACCEPTED]
    if unknown:
        raise not_supported(
            f"Paramètre non pris en charge pour Slot : « {unknown[0]} ». Paramètres acceptés : {', '.join(ACCEPTED)}."
        )
    start, end = _period(params)
    national_ids, ignored = _national_ids(params)
    _status(params)
    count = min(_integer(params, "_count", MAX_COUNT), MAX_COUNT)
    return SlotSearch(start, end, national_ids, _includes(params), count, _integer(params, "_offset", 0), ignored)


# The Schedule search ------------------------------------------------------------------------------

SCHEDULE_ACTOR = "actor"
SCHEDULE_ACTOR_IDENTIFIER = "actor:Practitioner.identifier"
SCHEDULE_ACCEPTED = (SCHEDULE_ACTOR, "actor:Practitioner", SCHEDULE_ACTOR_IDENTIFIER, "_format")
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


@dataclass(frozen=True)
class ScheduleSearch:
    national_ids: tuple[str, ...]  # the practitioners' ids (IDNPS), known or not

    def schedule_rows(self) -> list[tuple[Cpts, Professional, Activity | None]]:
        """One row per CPTS, practitioner and site that has at least one slot: the Schedules the
        reads serve (`views._sas_resource`). Three queries whatever the number of rows."""
        professionals = {p.pk: p for p in Professional.objects.filter(national_id__in=self.national_ids)}
        if not professionals:
            return []
        keys = sorted(
            Slot.objects.filter(professional__in=list(professionals))
            .exposed_to_sas()
            .values_list("cpts_id", "professional_id", "activity_id")
            .distinct()
            .order_by(),
            key=lambda k: (professionals[k[1]].national_id, k[0], k[2] or 0),
        )
        cpts = Cpts.objects.in_bulk({k[0] for k in keys})
        activities = Activity.objects.select_related("commune").in_bulk({k[2] for k in keys if k[2]})
        rows = []
        for cpts_pk, professional_pk, activity_pk in keys:
            activity = activities.get(activity_pk)
            if activity is not None:
                activity.professional = professionals[professional_pk]
            rows.append((cpts[cpts_pk], professionals[professional_pk], activity))
        return rows


def _actor_values(params) -> list[str]:
    """The practitioners' ids named by `actor` (a reference: `Practitioner/<id>` or `<id>`), by
    `actor:Practitioner` (`<id>`), or by the chained `actor:Practitioner.identifier`
    (`urn:oid:1.2.250.1.71.4.2.1|<IDNPS>`, as the Slot search takes them). Commas separate values
    (FHIR's « or »)."""
    found = []
    for name in (SCHEDULE_ACTOR, "actor:Practitioner"):
        for raw in params.getlist(name):
            for part in (p.strip() for p in _COMMA.split(raw) if p.strip()):
                # `Practitioner/<id>`, `<id>`, or an absolute URL ending with them.
                *_, resource_type, resource_id = ["", "", *part.split("/")]
                if resource_type and resource_type != "Practitioner":
                    raise not_supported(
                        f"Acteur non pris en charge : « {part} ». Seuls les praticiens sont recherchés "
                        "(actor=Practitioner/<id>)."
                    )
                if not _FHIR_ID.match(resource_id):
                    raise invalid(f"Référence invalide pour « {name} » : « {part} ». Attendu : Practitioner/<id>.")
                found.append(resource_id)
    for raw in params.getlist(SCHEDULE_ACTOR_IDENTIFIER):
        for part in (p.strip() for p in _COMMA.split(raw) if p.strip()):
            system, _, value = part.rpartition("|")
            if system != systems.IDNPS or not _FHIR_ID.match(value):
                raise invalid(
                    f"Identifiant « {part} » : attendu « {systems.IDNPS}|<identifiant national> » "
                    f"(8 suivi du RPPS, ou 0 suivi de l'ADELI)."
                )
            found.append(value)
    return found


def parse_schedule(params) -> ScheduleSearch:
    """`GET /fhir/Schedule?actor=…` → the search, or a 400 OperationOutcome."""
    unknown = [name for name in params if name not in SCHEDULE_ACCEPTED]
    if unknown:
        raise not_supported(
            f"Paramètre non pris en charge pour Schedule : « {unknown[0]} ». "
            f"Paramètres acceptés : {', '.join(SCHEDULE_ACCEPTED)}."
        )
    values = list(dict.fromkeys(_actor_values(params)))
    if not values:
        raise invalid(
            "Critère obligatoire manquant : « actor=Practitioner/<id> » (ou « "
            f"{SCHEDULE_ACTOR_IDENTIFIER}={systems.IDNPS}|<identifiant national> »)."
        )
    if len(values) > MAX_PRACTITIONERS:
        raise invalid(f"Trop de praticiens : {len(values)}. {MAX_PRACTITIONERS} au plus par requête.")
    return ScheduleSearch(tuple(values))

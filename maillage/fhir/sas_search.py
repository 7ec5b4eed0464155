"""The SAS Slot search: the consumer's key, the four mandatory criteria, the includes, the query.

`GET /fhir/Slot?start=ge…&start=le…&schedule.actor:Practitioner.identifier=urn:oid:1.2.250.1.71.4.2.1|8…
&status=free&_include=…`, as the ANS guide « Service d'Accès aux Soins » specifies it for CPTS
agenda managers. Everything is checked before the database is asked anything but the key: a
missing criterion, a malformed date or identifier, an unknown parameter or include is a 400
OperationOutcome in French, never a search silently widened.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from maillage.core.bounds import MAX_YEAR, MIN_YEAR
from maillage.core.identifiers import is_valid_rpps
from maillage.directory.models import Professional
from maillage.fhir import systems
from maillage.fhir.errors import FhirError, invalid, not_supported
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
    """The consumer of `Authorization: Bearer <key>`, or a 401 OperationOutcome."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    if not scheme:
        raise unauthorized(
            "Authentification requise : envoyez la clé d'accès de votre client dans l'en-tête "
            "« Authorization: Bearer <clé> »."
        )
    consumer = SasConsumer.authenticate(key.strip()) if scheme.lower() == "bearer" else None
    if consumer is None:
        raise unauthorized("Clé d'accès invalide ou révoquée (en-tête « Authorization: Bearer <clé> »).")
    now = timezone.now()
    if consumer.last_used_at is None or now - consumer.last_used_at >= LAST_USED_PRECISION:
        SasConsumer.objects.filter(pk=consumer.pk).update(last_used_at=now)
    return consumer


@dataclass(frozen=True)
class SlotSearch:
    start: datetime  # start ge
    end: datetime  # start le
    national_ids: tuple[str, ...]  # 8 + RPPS
    includes: frozenset[str]  # schedule, actor, service, organization
    count: int
    offset: int

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
            .exclude(cpts__finess="")  # issue 18: the SAS knows a CPTS by its FINESS; none, no slot
            .select_related("cpts", "activity")
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


def _national_ids(params) -> tuple[str, ...]:
    raw = _single(params, IDENTIFIER_PARAM)
    if not raw:
        raise invalid(
            f"Critère obligatoire manquant : « {IDENTIFIER_PARAM} » "
            f"({systems.IDNPS}|8<RPPS>, de 1 à {MAX_PRACTITIONERS} identifiants séparés par des virgules)."
        )
    parts = [part.strip() for part in _COMMA.split(raw) if part.strip()]
    if len(parts) > MAX_PRACTITIONERS:
        raise invalid(
            f"Trop d'identifiants dans « {IDENTIFIER_PARAM} » : {len(parts)}. {MAX_PRACTITIONERS} au plus par requête."
        )
    found = []
    for part in parts:
        system, _, value = part.rpartition("|")
        if system != systems.IDNPS:
            raise invalid(
                f"Identifiant « {part} » : le système attendu est « {systems.IDNPS} » ({systems.IDNPS}|8<RPPS>)."
            )
        if not (len(value) == 12 and value.startswith("8") and is_valid_rpps(value[1:])):
            raise invalid(
                f"Identifiant national invalide : « {value} ». Attendu : 8 suivi d'un RPPS de 11 chiffres "
                "à la clé de contrôle (Luhn) valide."
            )
        if value not in found:
            found.append(value)
    return tuple(found)


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
    national_ids = _national_ids(params)
    _status(params)
    count = min(_integer(params, "_count", MAX_COUNT), MAX_COUNT)
    return SlotSearch(start, end, national_ids, _includes(params), count, _integer(params, "_offset", 0))

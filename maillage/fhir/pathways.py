"""The patients' pathways as FHIR R4 (issue 15, ADR 0029): CarePlan, CareTeam and Task, read only.

Unlike the directory, this is patient data. Who reads is the person of a personal API token
(`Authorization: Bearer mlg_…`, ADR 0026) or of a session with its second factor (ADR 0016); what
they read is decided by `pathways.access.fhir_visible_to` — the same rules as the pages: an active
member of the care team, or the CPTS's coordinator, who gets the task notes only while the
patient's consent to sharing with the coordination is in force. Anything else is as if it did not
exist: an empty searchset, a 404 on a read. Every answer that carries a patient is audited with the
health-data flag.

Ids: a CarePlan and its CareTeam have the pathway's key (one plan and one team per pathway), a Task
its own key. There is no Patient resource: the patient is a logical reference (the INS when the
pathway has one, the pathway's reference otherwise) with the name the team sees, and the CarePlan
contains a Patient with the identity traits of the enrolment.
"""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from maillage.accounts import api_tokens
from maillage.accounts.roles import needs_second_factor
from maillage.accounts.second_factor import has_totp, signed_in_with_psc
from maillage.core import audit
from maillage.fhir import systems
from maillage.fhir.errors import FhirError, invalid, not_found, not_supported
from maillage.fhir.resources import identifier, reference
from maillage.fhir.sas import cpts_id
from maillage.fhir.search import DEFAULT_COUNT, MAX_COUNT, integer_value, token, value_parts
from maillage.pathways import access
from maillage.pathways.models import CareTeamMember, Pathway, Task
from maillage.pathways.states import PathwayStatus, TaskStatus

RESOURCE_TYPES = ("CarePlan", "CareTeam", "Task")
PATIENT = "#patient"  # the contained Patient of a CarePlan
CARE_PLAN_STATUS = {
    PathwayStatus.ACTIVE: "active",
    PathwayStatus.CLOSED: "completed",
    # Handed over to another CPTS: this plan ends here; the other CPTS's pathway is another plan.
    PathwayStatus.TRANSFERRED: "revoked",
}
TASK_STATUS = {
    TaskStatus.IN_PROGRESS: "in-progress",
    TaskStatus.DONE: "completed",
    TaskStatus.CANCELLED: "cancelled",
}  # « à faire »: requested while nobody is assigned, ready once someone is
GENDER = {"F": "female", "M": "male"}
_PATHWAY_REFERENCE = re.compile(r"^PA-(\d{1,18})$", re.IGNORECASE)
_KEY = re.compile(r"^\d{1,18}$")


def pathway_system(base: str) -> str:
    """The identifier system of this instance's pathways (`PA-000123`): its own namespace."""
    return f"{base}sid/parcours"


# Who reads --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    user: object
    channel: str  # for the audit entry: « jeton d'API mlg_abc123 » or « session »


def unauthorized(diagnostics: str) -> FhirError:
    return FhirError(401, "login", diagnostics)


def authenticate(request) -> Reader:
    """A personal API token first (a bad one is a 401 even beside a session, as in the API), then
    the session, which must have its second factor; nobody: a 401 OperationOutcome."""
    scheme, _, secret = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme:
        found = api_tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
        if found is None:
            raise unauthorized(
                "Jeton d'API invalide, expiré ou révoqué (en-tête « Authorization: Bearer mlg_… », "
                "créé dans Maillage, Mon espace › Jetons d'API)."
            )
        return Reader(found.user, f"jeton d'API {found.prefix}")
    user = request.user
    if not user.is_authenticated:
        raise unauthorized(
            "Authentification requise : les parcours des patients ne sont lus qu'avec un jeton d'API personnel "
            "(en-tête « Authorization: Bearer mlg_… ») ou une session Maillage."
        )
    if (
        not settings.DEMO_RELAX_MFA
        and needs_second_factor(user)
        and not (has_totp(user) or signed_in_with_psc(request, user))
    ):
        raise FhirError(
            403,
            "security",
            "Double authentification requise : configurez-la dans Maillage avant de lire les parcours des patients.",
        )
    return Reader(user, "session")


# Resources --------------------------------------------------------------------------------------


def _date(value) -> str:
    return value.isoformat()


def _moment(value) -> str:
    return timezone.localtime(value).isoformat()


def patient_identifier(base: str, pathway: Pathway) -> dict:
    if pathway.ins:
        return identifier(systems.INS_NIR, "INS-NIR", pathway.ins)
    return {"use": "usual", "system": pathway_system(base), "value": pathway.reference}


def patient_reference(base: str, pathway: Pathway) -> dict:
    """A logical reference: no Patient resource is served, the team's systems match the identifier."""
    return {"type": "Patient", "identifier": patient_identifier(base, pathway), "display": pathway.full_name}


def _patient(base: str, pathway: Pathway) -> dict:
    """The identity traits of the enrolment, as the care team reads them on the pathway's page."""
    identifiers = [patient_identifier(base, pathway)]
    if pathway.ins:
        identifiers.append({"use": "usual", "system": pathway_system(base), "value": pathway.reference})
    resource = {
        "resourceType": "Patient",
        "id": PATIENT[1:],
        "identifier": identifiers,
        "name": [{"use": "official", "family": pathway.last_name, "given": [pathway.first_name]}],
        "gender": GENDER.get(pathway.sex, "unknown"),
        "birthDate": _date(pathway.birth_date),
        "address": [{"use": "home", "city": pathway.commune.name}],
    }
    if pathway.phone:
        resource["telecom"] = [{"system": "phone", "value": pathway.phone, "use": "home"}]
    return resource


def _member_reference(member: CareTeamMember) -> dict:
    if member.professional_id:
        p = member.professional
        value = reference("Practitioner", p.national_id, p.full_name)
        value["identifier"] = {"system": systems.IDNPS, "value": p.national_id}
        return value
    # A partner of the CPTS (a DAC, a social service): no resource here, its name only.
    return {"type": "Organization", "display": member.partner.name}


def care_plan(base: str, pathway: Pathway, task_ids: list[int]) -> dict:
    period = {"start": _date(pathway.start_date)}
    if pathway.status != PathwayStatus.ACTIVE:
        period["end"] = _date(timezone.localdate(pathway.status_changed_at))
    resource = {
        "resourceType": "CarePlan",
        "id": str(pathway.pk),
        "language": "fr",
        "contained": [_patient(base, pathway)],
        "identifier": [{"use": "official", "system": pathway_system(base), "value": pathway.reference}],
        "status": CARE_PLAN_STATUS.get(pathway.status, "unknown"),
        "intent": "plan",
        "title": pathway.template.name,
        "subject": {"reference": PATIENT, "type": "Patient", "display": pathway.full_name},
        "period": period,
        "created": _moment(pathway.created_at),
        "careTeam": [reference("CareTeam", str(pathway.pk))],
    }
    if task_ids:
        resource["activity"] = [{"reference": reference("Task", str(pk))} for pk in task_ids]
    return resource


def care_team(base: str, pathway: Pathway, members: list[CareTeamMember]) -> dict:
    resource = {
        "resourceType": "CareTeam",
        "id": str(pathway.pk),
        "language": "fr",
        "status": "active" if pathway.status == PathwayStatus.ACTIVE else "inactive",
        "name": f"Équipe de soins — {pathway.template.name}",
        "subject": patient_reference(base, pathway),
        "period": {"start": _date(pathway.start_date)},
        "managingOrganization": [reference("Organization", cpts_id(pathway.cpts_id), pathway.cpts.name)],
    }
    participants = []
    for member in members:
        participant = {
            "role": [{"text": member.get_role_display()}],
            "member": _member_reference(member),
            "period": {"start": _moment(member.added_at)},
        }
        if member.left_at is not None:
            participant["period"]["end"] = _moment(member.left_at)
        participants.append(participant)
    if participants:
        resource["participant"] = participants
    return resource


def task_status(task: Task) -> str:
    if task.status == TaskStatus.TODO:
        return "ready" if task.assignee_id else "requested"
    return TASK_STATUS[task.status]


def task(base: str, row: Task, pathway: Pathway, *, clinical: bool) -> dict:
    resource = {
        "resourceType": "Task",
        "id": str(row.pk),
        "language": "fr",
        "basedOn": [reference("CarePlan", str(pathway.pk))],
        "status": task_status(row),
        "businessStatus": {"text": row.get_status_display()},
        "intent": "plan",
        "description": row.title,
        "for": patient_reference(base, pathway),
        "authoredOn": _moment(row.created_at),
        "restriction": {"period": {"end": _date(row.due_on)}},
    }
    if row.done_on is not None:
        resource["executionPeriod"] = {"end": _date(row.done_on)}
    if row.assignee_id:
        resource["owner"] = _member_reference(row.assignee)
    if row.step_id:
        resource["code"] = {"text": row.step.title}
    if clinical and row.note:
        resource["note"] = [{"text": row.note}]
    return resource


# Search -----------------------------------------------------------------------------------------

PARAMS = {
    "CarePlan": ("patient", "subject", "status"),
    "CareTeam": ("patient", "subject", "status"),
    "Task": ("patient", "based-on", "status"),
}
DOCUMENTATION = {
    "patient": (
        "reference",
        f"Obligatoire (ou based-on) : l'INS du patient ({systems.INS_NIR}|<NIR>) ou la référence de son "
        "parcours (PA-000123) ; patient:identifier=<système>|<valeur> aussi.",
    ),
    "subject": ("reference", "Comme patient."),
    "based-on": ("reference", "CarePlan/<id> : les tâches d'un parcours."),
    "status": ("token", "État FHIR de la ressource."),
}
STATUSES = {
    "CarePlan": {code: Q(status=status) for status, code in CARE_PLAN_STATUS.items()},
    "CareTeam": {"active": Q(status=PathwayStatus.ACTIVE), "inactive": ~Q(status=PathwayStatus.ACTIVE)},
    "Task": {
        "requested": Q(status=TaskStatus.TODO, assignee__isnull=True),
        "ready": Q(status=TaskStatus.TODO, assignee__isnull=False),
        **{code: Q(status=status) for status, code in TASK_STATUS.items()},
    },
}
NOTHING = Q(pk__in=[])


@dataclass
class Criteria:
    pathway: list[Q] = field(default_factory=list)  # ANDed, on Pathway
    own: list[Q] = field(default_factory=list)  # ANDed, on the resource's own rows (Task's status)
    count: int = DEFAULT_COUNT
    offset: int = 0


def _patient_identifier(value: str, base: str, param: str) -> Q:
    system, code = token(value, param)
    if system == systems.INS_NIR or (system is None and code.isdigit() and len(code) == 15):
        if not (code.isascii() and len(code) == 15):
            raise invalid(f"INS invalide pour le paramètre « {param} » : « {code} ». 15 caractères sont attendus.")
        return Q(ins=code.upper())
    if system in (None, pathway_system(base)):
        match = _PATHWAY_REFERENCE.match(code)
        if match:
            return Q(pk=int(match.group(1)))
        if system is None:
            raise invalid(
                f"Valeur invalide pour le paramètre « {param} » : « {value} ». Attendu : l'INS du patient "
                f"({systems.INS_NIR}|<NIR>, 15 caractères) ou la référence de son parcours (PA-000123)."
            )
        raise invalid(f"Référence de parcours invalide pour le paramètre « {param} » : « {code} » (PA-000123).")
    raise invalid(
        f"Système non pris en charge pour le paramètre « {param} » : « {system} ». "
        f"Systèmes acceptés : {systems.INS_NIR} (INS-NIR), {pathway_system(base)} (parcours)."
    )


def _patient_param(value: str, base: str, param: str, modifier: str) -> Q:
    if modifier == "identifier" or "|" in value:
        return _patient_identifier(value, base, param)
    # A reference: Patient/<id>, where the id is the pathway's reference (no Patient is served).
    parts = value.rstrip("/").split("/")
    if len(parts) > 1 and parts[-2] != "Patient":
        raise invalid(f"Le paramètre « {param} » attend un patient : « {value} ».")
    return _patient_identifier(parts[-1], base, param) if len(parts) > 1 else _patient_identifier(value, base, param)


def _based_on(value: str) -> Q:
    parts = value.rstrip("/").split("/")
    if len(parts) > 1 and parts[-2] != "CarePlan":
        raise invalid(f"Le paramètre « based-on » attend une référence « CarePlan/<id> » : « {value} ».")
    key = parts[-1]
    if not _KEY.match(key):
        raise invalid(f"Identifiant de CarePlan invalide pour « based-on » : « {value} ».")
    return Q(pk=int(key))


def _status(resource_type: str, value: str) -> Q:
    _, code = token(value, "status")
    accepted = STATUSES[resource_type]
    if code not in accepted:
        raise invalid(
            f"Valeur invalide pour le paramètre « status » de {resource_type} : « {code} ». "
            f"Valeurs acceptées : {', '.join(accepted)}."
        )
    return accepted[code]


def parse(resource_type: str, params, base: str) -> Criteria:
    """The query string → the criteria, every value checked before the database is asked: an
    unknown parameter or modifier, a malformed value, a search naming no patient is a 400."""
    criteria = Criteria()
    named = False
    for raw_name, values in params.lists():
        name, _, modifier = raw_name.partition(":")
        if name == "_format":
            continue
        if name in ("_count", "_offset"):
            number = integer_value(name, values[-1])
            if name == "_count":
                criteria.count = min(number, MAX_COUNT)
            else:
                criteria.offset = number
            continue
        if name not in PARAMS[resource_type]:
            raise not_supported(
                f"Paramètre de recherche non pris en charge pour {resource_type} : « {raw_name} ». "
                f"Paramètres acceptés : {', '.join([*PARAMS[resource_type], '_count', '_offset', '_format'])}."
            )
        if modifier and not (name in ("patient", "subject") and modifier == "identifier"):
            raise not_supported(f"Le modificateur « :{modifier} » n'est pas pris en charge (paramètre « {name} »).")
        for value in values:
            parts = value_parts(name, value)
            if not parts:
                continue  # an empty parameter is ignored, as FHIR asks
            if name in ("patient", "subject"):
                criteria.pathway.append(reduce(or_, (_patient_param(p, base, name, modifier) for p in parts)))
                named = True
            elif name == "based-on":
                criteria.pathway.append(reduce(or_, (_based_on(p) for p in parts)))
                named = True
            elif resource_type == "Task":
                criteria.own.append(reduce(or_, (_status(resource_type, p) for p in parts)))
            else:
                criteria.pathway.append(reduce(or_, (_status(resource_type, p) for p in parts)))
    if not named:
        needed = "patient (ou based-on)" if resource_type == "Task" else "patient"
        raise invalid(
            f"Précisez le patient : une recherche de {resource_type} demande le paramètre {needed}, "
            f"par exemple {resource_type}?patient={systems.INS_NIR}|<NIR> ou {resource_type}?patient=PA-000123."
        )
    return criteria


# Answers ----------------------------------------------------------------------------------------


def _pathways(reader: Reader):
    return access.fhir_visible_to(reader.user).select_related("template", "commune", "cpts")


def _build(base: str, resource_type: str, rows: list, clinical: dict[int, bool]) -> list[dict]:
    """The resources of `rows` (pathways for CarePlan and CareTeam, tasks for Task), in a few queries."""
    if resource_type == "Task":
        return [task(base, row, row.pathway, clinical=clinical[row.pathway_id]) for row in rows]
    ids = [row.pk for row in rows]
    if resource_type == "CarePlan":
        tasks: dict[int, list[int]] = {pk: [] for pk in ids}
        for pathway_id, pk in (
            Task.objects.filter(pathway_id__in=ids).order_by("due_on", "id").values_list("pathway_id", "pk")
        ):
            tasks[pathway_id].append(pk)
        return [care_plan(base, row, tasks[row.pk]) for row in rows]
    members: dict[int, list] = {pk: [] for pk in ids}
    for member in CareTeamMember.objects.filter(pathway_id__in=ids).select_related("professional", "partner"):
        members[member.pathway_id].append(member)
    return [care_team(base, row, members[row.pk]) for row in rows]


def _tasks(pathways):
    return Task.objects.filter(pathway__in=pathways.values("pk")).select_related(
        "pathway__template", "pathway__commune", "pathway__cpts", "assignee__professional", "assignee__partner", "step"
    )


def _audit(reader: Reader, action: str, resource_type: str, pathways: list[Pathway], clinical: dict, **details):
    """One health-data entry per CPTS concerned (the journal of each CPTS shows its own reads)."""
    by_cpts: dict[int, list[Pathway]] = {}
    for pathway in pathways:
        by_cpts.setdefault(pathway.cpts_id, []).append(pathway)
    for group in by_cpts.values():
        audit.record_health_read(
            action,
            actor=reader.user,
            cpts=group[0].cpts,
            obj=group[0] if len(group) == 1 else None,
            details={
                "ressource": resource_type,
                "parcours": [p.reference for p in group],
                "contenu_clinique": "oui" if all(clinical[p.pk] for p in group) else "non",
                "canal": reader.channel,
                **details,
            },
        )


def search(reader: Reader, resource_type: str, params, base: str) -> tuple[list[dict], int, Criteria]:
    """The page of resources the reader may see, its total, and the criteria (for the links)."""
    criteria = parse(resource_type, params, base)
    pathways = _pathways(reader)
    for condition in criteria.pathway:
        pathways = pathways.filter(condition)
    if resource_type == "Task":
        queryset = _tasks(pathways).order_by("pathway_id", "due_on", "id")
        for condition in criteria.own:
            queryset = queryset.filter(condition)
    else:
        queryset = pathways.order_by("pk")
    rows = list(queryset[criteria.offset : criteria.offset + criteria.count]) if criteria.count else []
    short_page = criteria.count and len(rows) < criteria.count and (rows or not criteria.offset)
    total = criteria.offset + len(rows) if short_page else queryset.count()
    if resource_type == "Task":
        seen = {row.pathway_id: row.pathway for row in rows}
        clinical = dict(_pathways(reader).filter(pk__in=list(seen)).values_list("pk", "clinical"))
        concerned = list(seen.values())
    else:
        clinical = {row.pk: row.clinical for row in rows}
        concerned = rows
    resources = _build(base, resource_type, rows, clinical)
    if rows:
        _audit(reader, "pathways.fhir.searched", resource_type, concerned, clinical)
    return resources, total, criteria


def read(reader: Reader, resource_type: str, resource_id: str, base: str) -> dict:
    missing = not_found(f"Ressource introuvable : {resource_type}/{resource_id}.")
    if not _KEY.match(resource_id):
        raise missing
    pathways = _pathways(reader)
    if resource_type == "Task":
        row = _tasks(pathways).filter(pk=int(resource_id)).first()
        if row is None:
            raise missing
        pathway = row.pathway
        clinical = {pathway.pk: pathways.filter(pk=pathway.pk).values_list("clinical", flat=True).get()}
    else:
        row = pathway = pathways.filter(pk=int(resource_id)).first()
        if row is None:
            raise missing
        clinical = {pathway.pk: pathway.clinical}
    resource = _build(base, resource_type, [row], clinical)[0]
    _audit(reader, "pathways.fhir.read", resource_type, [pathway], clinical, id=f"{resource_type}/{resource_id}")
    return resource

"""Appointment feedback to the SAS (issue 18; guide SAS 1.1.0, flow INT_R03 « gestion de
rendez-vous »): a booking made in Maillage for a request that came from the SAS regulation is sent
to the SAS platform as an Appointment (POST [base]/Appointment), its cancellation as the same
Appointment with status cancelled (conditional update, PUT [base]/Appointment?identifier=…), and
whether it was honoured the same way (fulfilled / noshow: the guide's « honoré, non honoré »).
Requests taken by the CPTS's own desk are not the SAS's business: nothing is sent for them.

The desk's actions call `report_booked` / `report_cancelled` inside their transaction: the report
row and its task are written with the booking (ADR 0020's outbox) and the worker sends them after
the commit. `send_report` retries transient failures (network, timeouts, 5xx, 408/429) with the
jobs' backoff (core/jobs.py); any other 4xx is the SAS refusing the resource (it says why in an
OperationOutcome): recorded as failed at once, not retried, until the coordinator retries it from
the desk. A cancellation waits for its creation to be sent: the SAS finds the appointment by the
identifier the creation gave it.

Importing maillage.fhir.sas_appointment from here goes up a layer; the builder is a leaf (it reads
only maillage.fhir.systems), kept with the other FHIR shapes.
"""

import json
import logging
import ssl
import urllib.error
import urllib.parse
import urllib.request
import uuid

from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django_tasks import task

from maillage.accounts.models import Role, RoleKind
from maillage.core import audit, jobs
from maillage.fhir import sas_appointment
from maillage.unscheduled.enums import Origin
from maillage.unscheduled.models import SasReport, SasReportKind, SasReportStatus

logger = logging.getLogger(__name__)

OFF = "transmission au SAS désactivée sur cette plateforme (adresse du SAS non configurée)"
WAITING_CREATE = "en attente de la transmission de la création du rendez-vous"
NO_OPERATOR = (
    "le régulateur qui a pris ce rendez-vous n'a pas d'identifiant national connu (ni connexion par "
    "Pro Santé Connect, ni RPPS enregistré sur son rôle de régulateur du SAS) : le SAS exige de savoir "
    "qui a pris le rendez-vous"
)
# Client errors that say "later", not "never".
TRANSIENT_4XX = {408, 425, 429}
FHIR_JSON = "application/fhir+json"


class SasError(Exception):
    """The SAS did not take the message; `permanent` when sending it again would not help."""

    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


# Called by the desk's actions, inside their transaction --------------------------------------------


def report_booked(booking) -> SasReport | None:
    if booking.request.origin != Origin.SAS:
        return None
    report = SasReport.objects.create(
        booking=booking,
        kind=SasReportKind.CREATE,
        appointment_system=settings.SAS_APPOINTMENT_SYSTEM,
        appointment_value=str(uuid.uuid4()),
    )
    send_report.enqueue(report_id=report.pk)
    return report


def report_cancelled(booking) -> SasReport | None:
    return _update(booking, SasReportKind.CANCEL)


def report_outcome(booking) -> SasReport | None:
    """Honoured or not: the SAS reads fulfilled and noshow too. Said again (the professional
    corrects it), the same report is sent again with the booking's status of the moment."""
    return _update(booking, SasReportKind.OUTCOME)


def _update(booking, kind: str) -> SasReport | None:
    if booking.request.origin != Origin.SAS:
        return None
    created = SasReport.objects.filter(booking=booking, kind=SasReportKind.CREATE).first()
    if created is None:  # booked before the SAS was told of bookings: it never knew this one
        return None
    report, new = SasReport.objects.get_or_create(
        booking=booking,
        kind=kind,
        defaults={"appointment_system": created.appointment_system, "appointment_value": created.appointment_value},
    )
    if not new:
        report.status, report.last_error, report.next_attempt_at = SasReportStatus.PENDING, "", None
        report.save(update_fields=["status", "last_error", "next_attempt_at"])
    send_report.enqueue(report_id=report.pk)
    return report


def retry(report: SasReport, actor) -> SasReport:
    """The desk sends again a report that failed with no retry planned (the SAS refused it, or
    every attempt failed); the attempts start again from the first."""
    with transaction.atomic():
        done = SasReport.objects.filter(
            pk=report.pk, status=SasReportStatus.FAILED, next_attempt_at__isnull=True
        ).update(status=SasReportStatus.PENDING, last_error="")
        if not done:
            raise SasError("Cette transmission est déjà faite ou déjà prévue.", permanent=True)
        report.refresh_from_db()
        send_report.enqueue(report_id=report.pk)
        audit.record(
            "unscheduled.sas_report.retried",
            actor=actor,
            cpts=report.booking.request.cpts,
            obj=report.booking,
            details={"transmission": report.pk, "message": report.get_kind_display()},
        )
    return report


# Who booked, as the SAS knows them ------------------------------------------------------------------


def regulator_of(booking) -> tuple[str, str] | None:
    """The regulator's identifier for the appointmentOperator extension: the national identifier
    (8 + RPPS…) Pro Santé Connect gave when they logged in with it, else the RPPS registered on
    their « régulateur du SAS » role (a local account). None when neither is known: nothing the
    SAS could match."""
    if booking.booked_by_id is None:
        return None
    uid = (
        SocialAccount.objects.filter(user_id=booking.booked_by_id, provider=settings.PSC_PROVIDER_ID)
        .values_list("uid", flat=True)
        .first()
    )
    if not uid:
        rpps = (
            Role.objects.filter(user_id=booking.booked_by_id, kind=RoleKind.SAS_REGULATOR)
            .exclude(rpps="")
            .values_list("rpps", flat=True)
            .first()
        )
        uid = f"8{rpps}" if rpps else ""
    return (sas_appointment.NATIONAL, uid) if uid else None


# The worker's side ----------------------------------------------------------------------------------


@task()
def send_report(report_id: int, attempt: int = 1) -> str:
    report = (
        SasReport.objects.select_related("booking__slot__professional", "booking__request__cpts")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.status == SasReportStatus.SENT:
        return "rien à transmettre"
    if not settings.SAS_APPOINTMENT_URL:
        _save(report, status=SasReportStatus.PENDING, last_error=OFF, next_attempt_at=None)
        return OFF
    if report.kind != SasReportKind.CREATE:
        created = SasReport.objects.filter(booking=report.booking_id, kind=SasReportKind.CREATE).first()
        if created is None or created.status != SasReportStatus.SENT:
            # Sent by the creation's task once it succeeds (`_after_sent`).
            _save(report, status=SasReportStatus.PENDING, last_error=WAITING_CREATE, next_attempt_at=None)
            return WAITING_CREATE
    regulator = regulator_of(report.booking)
    if regulator is None:
        _failed(report, attempt, SasError(NO_OPERATOR, permanent=True))
        return NO_OPERATOR
    resource = _resource(report, regulator)
    try:
        location = _deliver(report, resource)
    except SasError as exc:
        _failed(report, attempt, exc)
        if exc.permanent:
            return str(exc)
        with jobs.retrying(send_report, attempt, report_id=report_id):
            raise
    _sent(report, attempt, location)
    return "transmis"


def _status(report: SasReport) -> str:
    if report.kind == SasReportKind.CREATE:
        return sas_appointment.BOOKED
    if report.kind == SasReportKind.CANCEL:
        return sas_appointment.CANCELLED
    return sas_appointment.OUTCOMES.get(report.booking.status, sas_appointment.BOOKED)


def _resource(report: SasReport, regulator: tuple[str, str]) -> dict:
    status = _status(report)
    return sas_appointment.for_booking(
        report.booking,
        status=status,
        system=report.appointment_system,
        value=report.appointment_value,
        operator_type=regulator[0],
        operator_value=regulator[1],
    )


def _deliver(report: SasReport, resource: dict) -> str:
    base = settings.SAS_APPOINTMENT_URL
    if report.kind == SasReportKind.CREATE:
        method, url = "POST", f"{base}/Appointment"
    else:
        token = f"{report.appointment_system}|{report.appointment_value}"
        method, url = "PUT", f"{base}/Appointment?{urllib.parse.urlencode({'identifier': token})}"
    # The base is http(s):// only: settings refuse any other scheme.
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(resource).encode(),
        method=method,
        headers={"Content-Type": f"{FHIR_JSON}; charset=utf-8", "Accept": FHIR_JSON},
    )
    try:
        opened = urllib.request.urlopen(request, timeout=settings.SAS_APPOINTMENT_TIMEOUT, context=_tls())  # noqa: S310
        with opened as answer:
            return answer.headers.get("Location") or answer.headers.get("Content-Location") or ""
    except urllib.error.HTTPError as exc:
        with exc:  # its body is the answer's: read, then closed
            reason = _outcome_text(exc)
        permanent = 400 <= exc.code < 500 and exc.code not in TRANSIENT_4XX
        raise SasError(f"HTTP {exc.code}{' : ' + reason if reason else ''}", permanent=permanent) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        cause = getattr(exc, "reason", exc)
        raise SasError(f"SAS injoignable ({type(cause).__name__} : {cause})", permanent=False) from exc


def _tls() -> ssl.SSLContext | None:
    if not settings.SAS_APPOINTMENT_URL.startswith("https:"):
        return None
    context = ssl.create_default_context(cafile=settings.SAS_APPOINTMENT_CA or None)
    if settings.SAS_APPOINTMENT_CERT:
        context.load_cert_chain(settings.SAS_APPOINTMENT_CERT, settings.SAS_APPOINTMENT_KEY or None)
    return context


def _outcome_text(exc: urllib.error.HTTPError) -> str:
    """The OperationOutcome's first issue, in a few words: what the SAS objects to."""
    try:
        body = json.loads(exc.read(20_000) or b"{}")
    except (ValueError, OSError):
        return ""
    if not isinstance(body, dict) or body.get("resourceType") != "OperationOutcome":
        return ""
    for issue in body.get("issue") or []:
        if isinstance(issue, dict):
            text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or issue.get("code")
            if text:
                return str(text)[:180]
    return ""


def _save(report: SasReport, **fields) -> None:
    for name, value in fields.items():
        setattr(report, name, value)
    report.save(update_fields=list(fields))


def _failed(report: SasReport, attempt: int, exc: SasError) -> None:
    retry_at = None
    if not exc.permanent and attempt < jobs.MAX_ATTEMPTS:
        retry_at = timezone.now() + jobs.BACKOFF[attempt - 1]
    _save(
        report,
        status=SasReportStatus.FAILED,
        attempts=report.attempts + 1,
        last_error=str(exc)[:255],
        next_attempt_at=retry_at,
    )
    if retry_at is None:
        booking = report.booking
        audit.record(
            "unscheduled.sas_report.failed",
            cpts=booking.request.cpts,
            obj=booking,
            details={"transmission": report.pk, "message": report.get_kind_display(), "erreur": report.last_error},
        )
    logger.warning("SAS report %s not sent (attempt %d): %s", report.pk, attempt, exc)


def _sent(report: SasReport, attempt: int, location: str) -> None:
    remote_id = _remote_id(location)
    _save(
        report,
        status=SasReportStatus.SENT,
        attempts=report.attempts + 1,
        last_error="",
        next_attempt_at=None,
        sent_at=timezone.now(),
        remote_location=location[:500],
        remote_id=remote_id[:64],
    )
    booking = report.booking
    audit.record(
        "unscheduled.sas_report.sent",
        cpts=booking.request.cpts,
        obj=booking,
        details={"transmission": report.pk, "message": report.get_kind_display(), "identifiant_sas": remote_id},
    )
    if report.kind == SasReportKind.CREATE:
        for waiting in SasReport.objects.filter(booking=booking, status=SasReportStatus.PENDING).exclude(
            kind=SasReportKind.CREATE
        ):
            send_report.enqueue(report_id=waiting.pk)


def _remote_id(location: str) -> str:
    """`[base]/Appointment/12345` (or `…/_history/2`) → `12345`."""
    parts = urllib.parse.urlsplit(location).path.rstrip("/").split("/")
    if "_history" in parts:
        parts = parts[: parts.index("_history")]
    return parts[-1] if len(parts) >= 2 and parts[-2] == "Appointment" else ""


# What the desk shows ----------------------------------------------------------------------------------


def when(value) -> str:
    """« dimanche 6 décembre 2026 à 14 h 05 », local time."""
    return formats.date_format(timezone.localtime(value), r"l j F Y à G \h i")


# What each report is, and its past participle agreed with it.
_WHAT = {
    SasReportKind.CREATE: ("rendez-vous", "transmis"),
    SasReportKind.CANCEL: ("annulation", "transmise"),
    SasReportKind.OUTCOME: ("issue du rendez-vous", "transmise"),
}


def describe(report: SasReport) -> str:
    what, sent = _WHAT[report.kind]
    if report.status == SasReportStatus.SENT:
        return f"{what[0].upper()}{what[1:]} {sent} au SAS le {when(report.sent_at)}"
    if report.status == SasReportStatus.PENDING:
        reason = f" : {report.last_error}" if report.last_error else ""
        return f"{what[0].upper()}{what[1:]} en attente de transmission au SAS{reason}"
    if report.next_attempt_at is not None:
        at = timezone.localtime(report.next_attempt_at)
        today = at.date() == timezone.localdate()
        hour = formats.date_format(at, r"G \h i")
        then = f"nouvel essai à {hour}" if today else f"nouvel essai le {when(at)}"
    else:
        then = "pas de nouvel essai automatique"
    return f"Échec de transmission au SAS ({what}) : {report.last_error} ({then})"


def may_retry(report: SasReport) -> bool:
    return report.status == SasReportStatus.FAILED and report.next_attempt_at is None


# Reports that waited while reporting was off are sent once it is on (periodic.py).
def resend_waiting(now=None) -> int:
    if not settings.SAS_APPOINTMENT_URL:
        return 0
    waiting = list(
        SasReport.objects.filter(status=SasReportStatus.PENDING, last_error=OFF).values_list("pk", flat=True)
    )
    with transaction.atomic():
        SasReport.objects.filter(pk__in=waiting).update(last_error="")
        jobs.enqueue_many(send_report, [{"report_id": pk} for pk in waiting])
    return len(waiting)

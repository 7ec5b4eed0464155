"""Appointment feedback to the SAS (issue 18): bookings and cancellations of SAS-origin requests
sent as FHIR Appointments to a real HTTP server started here (no mock of the HTTP layer), by the
worker's own task runner, with its retries; and what the desk shows of them."""

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.conf import settings as django_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from maillage.accounts.models import RoleKind
from maillage.core.jobs import run_pending
from maillage.core.models import AuditEntry
from maillage.unscheduled import sas_feedback
from maillage.unscheduled.actions.desk import book, cancel, take_request
from maillage.unscheduled.enums import Origin
from maillage.unscheduled.models import SasReport, SasReportKind, SasReportStatus
from maillage.unscheduled.periodic import resend_sas_reports
from tests.factories import RegionFactory, RoleFactory

pytestmark = pytest.mark.django_db

REGULATOR_IDNAT = "899700000001"
OUTCOME_400 = {
    "resourceType": "OperationOutcome",
    "issue": [{"severity": "error", "code": "invalid", "diagnostics": "Appointment.start : valeur obligatoire"}],
}


class FakeSas:
    """A FHIR server on 127.0.0.1: answers from `script` (status, headers, body) in turn — 201 with a
    Location when the script is empty — and keeps what it received."""

    def __init__(self):
        self.received: list[dict] = []
        self.script: list[tuple[int, dict, dict | None]] = []
        sas = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                sas.received.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                     "body": json.loads(body or b"{}")})  # fmt: skip
                default = (201, {"Location": f"{sas.base}/Appointment/{len(sas.received)}/_history/1"}, None)
                status, headers, payload = sas.script.pop(0) if sas.script else default
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_POST = do_PUT = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}/fhir"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sas(settings):
    server = FakeSas()
    settings.SAS_APPOINTMENT_URL = server.base
    settings.SAS_APPOINTMENT_SYSTEM = "https://maillage.example/sas/rendez-vous"
    yield server
    server.close()


@pytest.fixture
def sas_regulator(idf):
    """A regulator of the SAS, logged in through Pro Santé Connect (their national identifier)."""
    user = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    SocialAccount.objects.create(user=user, provider=django_settings.PSC_PROVIDER_ID, uid=REGULATOR_IDNAT)
    return user


@pytest.fixture
def sas_request(idf, sas_regulator):
    def make(origin=Origin.SAS):
        data = {"last_name": "Petit", "first_name": "Jeanne", "phone": "0600000000", "commune": idf["communes"]["92020"],
                "reason": "fièvre depuis 3 jours", "urgency": "24h"}  # fmt: skip
        care = take_request(idf["cmv"], data, sas_regulator, confirm_duplicate=True)
        care.origin = origin
        care.save(update_fields=["origin"])
        return care

    return make


@pytest.fixture
def booked(gp, slot_of, soon, sas_request, sas_regulator):
    def make(origin=Origin.SAS):
        return book(sas_request(origin), slot_of(gp, soon), sas_regulator)

    return make


def _time_passes():
    """The retries planned by the backoff become due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def test_a_sas_booking_is_posted_and_the_location_recorded(sas, booked, gp):
    booking = booked()
    report = SasReport.objects.get()
    assert report.status == SasReportStatus.PENDING and report.kind == SasReportKind.CREATE
    assert not sas.received  # nothing leaves before the worker runs, after the commit
    run_pending()
    [sent] = sas.received
    assert sent["method"] == "POST" and sent["path"] == "/fhir/Appointment"
    assert sent["headers"]["Content-Type"].startswith("application/fhir+json")
    resource = sent["body"]
    assert resource["status"] == "booked"
    assert resource["meta"]["profile"] == ["http://sas.fr/fhir/StructureDefinition/FrAppointmentSAS"]
    assert resource["identifier"] == [{"system": "https://maillage.example/sas/rendez-vous",
                                       "value": report.appointment_value}]  # fmt: skip
    assert resource["participant"][0]["actor"]["identifier"]["value"] == gp.national_id
    assert resource["extension"][0]["valueReference"]["identifier"]["value"] == REGULATOR_IDNAT
    assert "Petit" not in json.dumps(resource) and "0600000000" not in json.dumps(resource)
    report.refresh_from_db()
    assert report.status == SasReportStatus.SENT and report.attempts == 1 and report.sent_at
    assert report.remote_id == "1" and report.remote_location == f"{sas.base}/Appointment/1/_history/1"
    entry = AuditEntry.objects.get(action="unscheduled.sas_report.sent")
    assert entry.object_id == str(booking.pk) and entry.actor_label == "système"


def test_a_server_error_is_retried_with_backoff_then_succeeds(sas, booked):
    sas.script = [(500, {}, None)]
    booked()
    run_pending()
    report = SasReport.objects.get()
    assert report.status == SasReportStatus.FAILED and report.last_error == "HTTP 500"
    assert report.next_attempt_at > timezone.now() + timedelta(seconds=50)  # 1 min later
    assert "nouvel essai à" in sas_feedback.describe(report) or "nouvel essai le" in sas_feedback.describe(report)
    assert run_pending() == 0  # not before its time
    _time_passes()
    run_pending()
    report.refresh_from_db()
    assert report.status == SasReportStatus.SENT and report.attempts == 2 and report.remote_id == "2"
    assert [r["method"] for r in sas.received] == ["POST", "POST"]
    assert sas.received[0]["body"]["identifier"] == sas.received[1]["body"]["identifier"]


def test_a_refusal_with_an_operation_outcome_is_final_until_the_desk_retries(sas, booked, sas_regulator):
    sas.script = [(400, {}, OUTCOME_400)]
    booked()
    run_pending()
    report = SasReport.objects.get()
    assert report.status == SasReportStatus.FAILED and report.next_attempt_at is None
    assert report.last_error == "HTTP 400 : Appointment.start : valeur obligatoire"
    assert sas_feedback.describe(report) == (
        "Échec de transmission au SAS (rendez-vous) : HTTP 400 : Appointment.start : valeur obligatoire "
        "(pas de nouvel essai automatique)"
    )
    _time_passes()
    assert run_pending() == 0  # no retry queued
    assert AuditEntry.objects.filter(action="unscheduled.sas_report.failed").count() == 1
    sas_feedback.retry(report, sas_regulator)
    with pytest.raises(sas_feedback.SasError):
        sas_feedback.retry(report, sas_regulator)  # already on its way
    run_pending()
    report.refresh_from_db()
    assert report.status == SasReportStatus.SENT and report.attempts == 2
    assert AuditEntry.objects.filter(action="unscheduled.sas_report.retried").count() == 1


def test_the_sas_unreachable_is_retried(settings, booked):
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.SAS_APPOINTMENT_URL = f"http://127.0.0.1:{port}/fhir"
    booked()
    run_pending()
    report = SasReport.objects.get()
    assert report.status == SasReportStatus.FAILED and report.next_attempt_at is not None
    assert report.last_error.startswith("SAS injoignable")
    assert DBTaskResult.objects.filter(status="READY").count() == 1  # the next attempt


def test_a_cancellation_is_a_conditional_update_with_status_cancelled(sas, booked, sas_regulator):
    booking = booked()
    run_pending()
    cancel(booking, sas_regulator)
    run_pending()
    post, put = sas.received
    created = SasReport.objects.get(kind=SasReportKind.CREATE)
    assert put["method"] == "PUT"
    path = urlsplit(put["path"])
    assert path.path == "/fhir/Appointment"
    assert parse_qs(path.query) == {
        "identifier": [f"https://maillage.example/sas/rendez-vous|{created.appointment_value}"]
    }
    assert put["body"]["status"] == "cancelled" and post["body"]["status"] == "booked"
    assert put["body"]["identifier"] == post["body"]["identifier"]
    assert SasReport.objects.get(kind=SasReportKind.CANCEL).status == SasReportStatus.SENT


def test_a_cancellation_waits_for_its_creation(sas, booked, sas_regulator):
    sas.script = [(503, {}, None)]
    booking = booked()
    cancel(booking, sas_regulator)
    run_pending()
    assert [r["method"] for r in sas.received] == ["POST"]  # the cancellation did not overtake it
    cancelled = SasReport.objects.get(kind=SasReportKind.CANCEL)
    assert cancelled.status == SasReportStatus.PENDING and cancelled.last_error == sas_feedback.WAITING_CREATE
    _time_passes()
    run_pending()
    assert [r["method"] for r in sas.received] == ["POST", "POST", "PUT"]
    assert set(SasReport.objects.values_list("status", flat=True)) == {SasReportStatus.SENT}


def test_desk_bookings_are_not_the_sas_business(sas, booked, sas_regulator):
    booking = booked(Origin.DESK)
    cancel(booking, sas_regulator)
    run_pending()
    assert not SasReport.objects.exists() and not sas.received


def test_reporting_off_keeps_the_reports_waiting_then_sends_them(settings, sas, booked):
    settings.SAS_APPOINTMENT_URL = ""
    booked()
    run_pending()
    report = SasReport.objects.get()
    assert report.status == SasReportStatus.PENDING and report.last_error == sas_feedback.OFF
    assert sas_feedback.describe(report) == (
        "Rendez-vous en attente de transmission au SAS : transmission au SAS désactivée sur cette plateforme "
        "(adresse du SAS non configurée)"
    )
    assert resend_sas_reports(timezone.now()) == "0 transmission relancée"
    settings.SAS_APPOINTMENT_URL = sas.base
    assert resend_sas_reports(timezone.now()) == "1 transmission relancée"
    run_pending()
    report.refresh_from_db()
    assert report.status == SasReportStatus.SENT and len(sas.received) == 1


def test_a_regulator_without_national_identifier_cannot_be_reported(sas, idf, gp, slot_of, soon, sas_request):
    local = RoleFactory(regulator=True, cpts=idf["cmv"]).user
    book(sas_request(), slot_of(gp, soon), local)
    run_pending()
    report = SasReport.objects.get()
    assert report.status == SasReportStatus.FAILED and report.next_attempt_at is None
    assert report.last_error.startswith("le régulateur qui a pris ce rendez-vous n'a pas d'identifiant national")
    assert not sas.received


def test_a_local_sas_regulator_is_reported_by_the_rpps_of_their_role(sas, idf, gp, slot_of, soon, sas_request):
    """Without Pro Santé Connect (the demo's local account), the RPPS the platform's admin registered
    on the « régulateur du SAS » role names who booked."""
    local = RoleFactory(kind=RoleKind.SAS_REGULATOR, cpts=None, region=RegionFactory(), rpps="10009998880").user
    book(sas_request(), slot_of(gp, soon), local)
    run_pending()
    [sent] = sas.received
    operator = sent["body"]["extension"][0]["valueReference"]["identifier"]
    assert operator["value"] == "810009998880" and operator["system"] == "urn:oid:1.2.250.1.71.4.2.1"
    assert SasReport.objects.get().status == SasReportStatus.SENT


def test_the_desk_shows_each_state_and_retries(sas, booked, idf, login):
    sas.script = [(422, {}, OUTCOME_400)]
    booking = booked()
    client = login(RoleFactory(coordinator=True, cpts=idf["cmv"]).user, with_mfa=True)
    page = client.get(f"/c/cmv/snp/{booking.request_id}/").content.decode()
    assert "Transmission au SAS" in page and "Rendez-vous en attente de transmission au SAS" in page
    run_pending()
    page = client.get(f"/c/cmv/snp/{booking.request_id}/").content.decode()
    assert "Échec de transmission au SAS (rendez-vous) : HTTP 422 : Appointment.start : valeur obligatoire" in page
    assert "Relancer la transmission" in page
    report = SasReport.objects.get()
    answer = client.post(f"/c/cmv/snp/sas/{report.pk}/relancer/", follow=True).content.decode()
    assert "Transmission au SAS relancée" in answer
    run_pending()
    page = client.get(f"/c/cmv/snp/{booking.request_id}/").content.decode()
    assert "Rendez-vous transmis au SAS le " in page and "Relancer la transmission" not in page
    other = client.post(f"/c/cmv/snp/sas/{report.pk}/relancer/", follow=True).content.decode()
    assert "déjà faite ou déjà prévue" in other


def test_honoured_or_not_is_reported_as_fulfilled_or_noshow(sas, booked, gp, sas_regulator):
    from maillage.unscheduled.actions.desk import mark_outcome

    booking = booked()
    run_pending()
    booking.slot.__class__.objects.filter(pk=booking.slot_id).update(
        start=timezone.now() - timedelta(hours=1), end=timezone.now() - timedelta(minutes=40)
    )
    booking.refresh_from_db()
    mark_outcome(booking, honoured=True, actor=sas_regulator)
    run_pending()
    mark_outcome(booking, honoured=False, actor=sas_regulator)  # corrected: the same report, sent again
    run_pending()
    assert [(r["method"], r["body"]["status"]) for r in sas.received] == [
        ("POST", "booked"), ("PUT", "fulfilled"), ("PUT", "noshow")
    ]  # fmt: skip
    report = SasReport.objects.get(kind=SasReportKind.OUTCOME)
    assert report.status == SasReportStatus.SENT
    assert sas_feedback.describe(report).startswith("Issue du rendez-vous transmise au SAS le ")


def _certificates(directory):
    """A throwaway CA, the SAS's server certificate for 127.0.0.1 and Maillage's client certificate."""
    import ipaddress
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.now(UTC)

    def name(cn, ou=None):
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if ou:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, ou))
        return x509.Name(attributes)

    def issue(subject, key, issuer, issuer_key, *, ca=False, extensions=()):
        builder = (
            x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )  # fmt: skip
        for extension in extensions:
            builder = builder.add_extension(extension, critical=False)
        return builder.sign(issuer_key, hashes.SHA256())

    def write(stem, cert, key=None):
        (directory / f"{stem}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        if key is not None:
            (directory / f"{stem}.key").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ))  # fmt: skip

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue(name("CA de test"), ca_key, name("CA de test"), ca_key, ca=True)
    server_key, client_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    server = issue(name("sas.test"), server_key, ca.subject, ca_key, extensions=[
        x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
        x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
    ])  # fmt: skip
    client = issue(name("maillage.test", "CPTS"), client_key, ca.subject, ca_key,
                   extensions=[x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH])])  # fmt: skip
    write("ca", ca)
    write("server", server, server_key)
    write("client", client, client_key)


def test_the_sas_is_reached_over_mutual_tls(settings, tmp_path, booked):
    import ssl

    _certificates(tmp_path)
    sas = FakeSas()
    peers = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    context.load_verify_locations(tmp_path / "ca.pem")
    context.verify_mode = ssl.CERT_REQUIRED  # no client certificate, no answer
    sas.server.socket = context.wrap_socket(sas.server.socket, server_side=True)
    original = sas.server.finish_request

    def finish_request(request, address):
        peers.append(dict(item for rdn in request.getpeercert()["subject"] for item in rdn))
        original(request, address)

    sas.server.finish_request = finish_request
    try:
        settings.SAS_APPOINTMENT_URL = sas.base.replace("http://", "https://")
        settings.SAS_APPOINTMENT_CA = str(tmp_path / "ca.pem")
        settings.SAS_APPOINTMENT_CERT = settings.SAS_APPOINTMENT_KEY = ""
        booked()
        run_pending()
        report = SasReport.objects.get()
        # Without a client certificate the SAS refuses the handshake: a retry is planned.
        assert report.status == SasReportStatus.FAILED and report.next_attempt_at is not None
        assert report.last_error.startswith("SAS injoignable")
        assert not sas.received
        settings.SAS_APPOINTMENT_CERT = str(tmp_path / "client.pem")
        settings.SAS_APPOINTMENT_KEY = str(tmp_path / "client.key")
        _time_passes()
        run_pending()
        report.refresh_from_db()
        assert report.status == SasReportStatus.SENT and report.remote_id == "1"
        assert peers[-1] == {"commonName": "maillage.test", "organizationalUnitName": "CPTS"}
    finally:
        sas.close()

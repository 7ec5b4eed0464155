# ruff: noqa: F811 (the agenda fixture of test_sas, imported, is an argument of the tests)
"""The SAS's mutual TLS end to end: a real nginx (Debian's) configured as docs/operations.md says,
certificates from a throwaway authority made here, the live server behind. Skipped when nginx is
absent, except in CI (MAILLAGE_REQUIRE_NGINX=1)."""

import subprocess
import sys
from pathlib import Path

import pytest

from config.operations import sas_trusted_proxies
from maillage.unscheduled.models import SasConsumer
from tests.fhir.conformance import sas_profiles
from tests.fhir.helpers import validate
from tests.fhir.mtls import PROXY_ADDRESS, SAS_CN, SAS_OU, Nginx, fetch, nginx_or_skip
from tests.fhir.test_sas import RPPS, agenda, criteria  # noqa: F401 (the agenda fixture)

ROOT = Path(__file__).resolve().parents[2]
FORGED = {"X-SSL-Client-S-DN": f"CN={SAS_CN},OU={SAS_OU},C=FR", "X-SSL-Client-Verify": "SUCCESS"}


@pytest.fixture(scope="module")
def nginx(live_server, tmp_path_factory):
    nginx_or_skip()
    server = Nginx(tmp_path_factory.mktemp("nginx"), live_server.url)
    yield server
    server.stop()


@pytest.fixture
def sas(nginx, agenda, settings):
    settings.SAS_TRUSTED_PROXIES = sas_trusted_proxies(PROXY_ADDRESS)
    return SasConsumer.objects.create(name="Plateforme SAS", certificate_cn=SAS_CN, certificate_ou=SAS_OU)


def fhir(answer, status: int, resource_type: str) -> dict:
    assert answer.status == status, answer.text
    assert answer.content_type.startswith("application/fhir+json"), answer.text
    body = validate(answer.json())
    assert body["resourceType"] == resource_type
    return body


def refusal(answer, status: int) -> str:
    outcome = fhir(answer, status, "OperationOutcome")
    assert outcome["issue"][0]["severity"] == "error"
    return outcome["issue"][0]["diagnostics"]


def test_the_sas_certificate_gets_the_slots(nginx, sas):
    bundle = fhir(nginx.get("Slot", criteria()), 200, "Bundle")
    assert bundle["type"] == "searchset" and bundle["total"] == 4
    assert "/fhir/Slot?start=ge" in bundle["link"][0]["url"]
    sas.refresh_from_db()
    assert sas.last_used_at is not None


def test_the_guides_example_query_through_the_proxy_meets_the_sas_profiles(nginx, sas):
    """The « Done when » of issue 18: the guide's CPTS query (its four includes), sent through the
    mutual-TLS path with a test certificate, answers a Bundle the conformance suite accepts."""
    includes = {
        "_include": ["Slot:schedule", "Slot:service-type-reference"],
        "_include:iterate": ["Schedule:actor", "HealthcareService:organization"],
    }
    bundle = fhir(nginx.get("Slot", criteria(**includes)), 200, "Bundle")
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert kinds == {"Slot", "Schedule", "Practitioner", "PractitionerRole", "HealthcareService", "Organization"}
    assert sas_profiles.check(bundle) == []


def test_without_a_client_certificate_maillage_answers_in_fhir(nginx, sas):
    assert "Aucun certificat client présenté" in refusal(nginx.get("Slot", criteria(), client=None), 401)


@pytest.mark.parametrize("client", ["wrong-cn", "wrong-ou"])
def test_a_certificate_of_the_right_authority_with_another_cn_or_ou_is_forbidden(nginx, sas, client):
    text = refusal(nginx.get("Slot", criteria(), client=client), 403)
    assert "non enregistré" in text


@pytest.mark.parametrize(("client", "reason"), [("other-ca", "unable to"), ("expired", "expired")])
def test_a_certificate_nginx_cannot_verify_is_refused(nginx, sas, client, reason):
    text = refusal(nginx.get("Slot", criteria(), client=client), 401)
    assert "refusé par le mandataire" in text and reason in text


def test_a_forged_subject_sent_straight_to_django_is_refused(nginx, sas, live_server):
    answer = fetch(f"{live_server.url}/fhir/Slot?start=ge2031-06-12&start=le2031-06-14", headers=FORGED)
    assert "n'est pas un mandataire de confiance" in refusal(answer, 401)


def test_nginx_overwrites_a_forged_subject(nginx, sas):
    # Without a certificate: nginx drops the forged subject and says NONE.
    assert "Aucun certificat client présenté" in refusal(
        nginx.get("Slot", criteria(), client=None, headers=FORGED), 401
    )
    # With another certificate: its own subject, not the forged one.
    assert "autre.test.sante.fr" in refusal(nginx.get("Slot", criteria(), client="wrong-cn", headers=FORGED), 403)


def test_a_key_still_works_through_the_proxy_without_a_certificate(nginx, sas):
    _, key = SasConsumer.create_with_key("Banc de test")
    headers = {"Authorization": f"Bearer {key}"}
    assert fhir(nginx.get("Slot", criteria(), client=None, headers=headers), 200, "Bundle")["total"] == 4


def test_bad_input_through_the_proxy_is_a_french_operation_outcome(nginx, sas):
    many = criteria() | {"schedule.actor:Practitioner.identifier": ",".join([f"8{RPPS}"] * 26)}
    assert "Trop d'identifiants" in refusal(nginx.get("Slot", many), 400)
    short = criteria() | {"schedule.actor:Practitioner.identifier": "urn:oid:1.2.250.1.71.4.2.1|123"}
    assert "Aucun identifiant utilisable" in refusal(nginx.get("Slot", short), 400)


def test_the_dry_run_script_passes_against_the_proxy(nginx, sas):
    client_cert, client_key = nginx.pki.clients["sas"]
    command = [
        sys.executable,
        str(ROOT / "scripts" / "sas-dry-run"),
        "--base-url",
        nginx.base,
        "--cert",
        str(client_cert),
        "--key",
        str(client_key),
        "--ca",
        str(nginx.pki.ca),
        "--ids",
        f"8{RPPS}",
        "--start",
        "2031-06-12",
        "--expect-slots",
    ]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ÉCHEC" not in run.stdout and run.stdout.count("OK ") >= 10, run.stdout
    # And it fails when the instance does: with a certificate Maillage does not know.
    wrong_cert, wrong_key = nginx.pki.clients["wrong-cn"]
    command[command.index(str(client_cert))] = str(wrong_cert)
    command[command.index(str(client_key))] = str(wrong_key)
    run = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 1 and "ÉCHEC" in run.stdout, run.stdout + run.stderr

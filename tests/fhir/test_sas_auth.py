# ruff: noqa: F811 (the agenda fixture of test_sas, imported, is an argument of the tests)
"""Who may call the SAS interface: the client certificate the mutual-TLS proxy verified (CN and OU
registered per consumer), only from a trusted proxy, or a consumer's key; and the 1 to 25
identifiers, where one unusable identifier no longer costs the others their slots.

The headers are sent here as nginx would write them; tests/fhir/test_sas_mtls.py goes through a
real nginx."""

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client

from config.operations import sas_trusted_proxies
from maillage.core.client_certificate import parse_subject
from maillage.core.models import AuditEntry
from maillage.fhir import systems
from maillage.unscheduled.models import SasConsumer
from tests.factories import ProfessionalFactory, with_check_digit
from tests.fhir.helpers import FHIR_JSON, diagnostics, validate
from tests.fhir.test_sas import RPPS, agenda, criteria, entries  # noqa: F401 (the agenda fixture)

PROXY = "10.8.0.2"
SAS_DN = "CN=sas-agregateur.sante.fr,OU=318751275100020,O=GIP SESAN,L=Paris,C=FR"


@pytest.fixture
def sas_platform(db, settings):
    settings.SAS_TRUSTED_PROXIES = sas_trusted_proxies("10.8.0.0/24, ::1")
    return SasConsumer.objects.create(
        name="Plateforme SAS", certificate_cn="sas-agregateur.sante.fr", certificate_ou="318751275100020"
    )


def call(params=None, *, peer=PROXY, dn=SAS_DN, verify="SUCCESS", path="/fhir/Slot", status=200, **headers):
    if dn is not None:
        headers["X-SSL-Client-S-DN"] = dn
    if verify is not None:
        headers["X-SSL-Client-Verify"] = verify
    response = Client().get(path, params if params is not None else criteria(), headers=headers, REMOTE_ADDR=peer)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == FHIR_JSON
    body = validate(response.json())
    if status >= 400:
        assert body["resourceType"] == "OperationOutcome" and body["issue"][0]["severity"] == "error"
        assert response.status_code != 401 or response["WWW-Authenticate"]
    return body


def test_the_verified_certificate_of_a_registered_consumer_is_let_in(sas_platform, agenda):
    bundle = call()
    assert bundle["resourceType"] == "Bundle" and bundle["total"] == 4
    sas_platform.refresh_from_db()
    assert sas_platform.last_used_at is not None
    # The SAS reads too.
    slot = agenda["slots"]["practice"]
    assert call({}, path=f"/fhir/Slot/{slot.pk}")["id"] == str(slot.pk)


@pytest.mark.parametrize(
    "dn",
    [
        # nginx's $ssl_client_s_dn: RFC 2253, most specific first; case and spacing do not count.
        "CN=SAS-Agregateur.sante.fr,OU=318751275100020,O=GIP SESAN,C=FR",
        "C=FR,O=GIP SESAN,OU=318751275100020,CN=sas-agregateur.sante.fr",
        # Several OU, one of them the registered one; an escaped comma inside another.
        r"CN=sas-agregateur.sante.fr,OU=Service\, SAS,OU=318751275100020,O=GIP SESAN\, Paris,C=FR",
        # A multi-valued RDN and an e-mail address (OpenSSL's short name).
        "emailAddress=sas@sante.fr,CN=sas-agregateur.sante.fr+OU=318751275100020,C=FR",
    ],
)
def test_subjects_as_nginx_writes_them(sas_platform, agenda, dn):
    assert call(dn=dn)["resourceType"] == "Bundle"


@pytest.mark.parametrize(
    ("dn", "words"),
    [
        ("CN=autre.sante.fr,OU=318751275100020,O=GIP SESAN,C=FR", "non enregistré"),
        ("CN=sas-agregateur.sante.fr,OU=999999999,O=GIP SESAN,C=FR", "non enregistré"),
        ("CN=sas-agregateur.sante.fr,O=GIP SESAN,C=FR", "non enregistré"),
        # An OU that only contains the registered one is another OU.
        ("CN=sas-agregateur.sante.fr,OU=318751275100020 bis,C=FR", "non enregistré"),
        (r"CN=sas-agregateur.sante.fr\,OU=318751275100020,C=FR", "non enregistré"),
    ],
)
def test_a_verified_certificate_with_another_cn_or_ou_is_forbidden(sas_platform, agenda, dn, words):
    outcome = call(dn=dn, status=403)
    assert outcome["issue"][0]["code"] == "forbidden"
    assert words in diagnostics(outcome) and "CN « " in diagnostics(outcome)


def test_a_deactivated_consumer_is_forbidden_even_with_its_certificate(sas_platform, agenda):
    sas_platform.active = False
    sas_platform.save()
    assert "désactivé" in diagnostics(call(status=403))


@pytest.mark.parametrize(
    ("dn", "verify", "words"),
    [
        ("CN=x,C=FR", "FAILED:unable to verify the first certificate", "unable to verify the first certificate"),
        ("CN=x,C=FR", "FAILED:certificate has expired", "refusé par le mandataire"),
        (SAS_DN, None, "incomplète"),  # a subject without the verification result: not believed
        (SAS_DN, "NONE", "incomplète"),
        ("", "SUCCESS", "incomplète"),
        ("/C=FR/O=GIP SESAN/CN=sas", "SUCCESS", "illisible"),  # nginx's legacy form
        ("CN=sas,OU", "SUCCESS", "illisible"),
    ],
)
def test_what_the_proxy_did_not_verify_is_refused(sas_platform, agenda, dn, verify, words):
    outcome = call(dn=dn, verify=verify, status=401)
    assert outcome["issue"][0]["code"] == "login"
    assert words in diagnostics(outcome)


@pytest.mark.parametrize(
    "dn",
    [r"CN=\C3", r"CN=\ZZ", "CN=#zz", "CN=a\x00b", "CN=" + "a" * 5000, ",,,", "+", "CN=a,,OU=b", 'CN="a, b",OU=1'],
)
def test_a_hostile_subject_is_a_french_refusal_never_a_500(sas_platform, agenda, dn):
    assert "illisible" in diagnostics(call(dn=dn, status=401))


def test_without_a_certificate_the_key_remains_the_way_in(sas_platform, agenda):
    outcome = call(dn=None, verify="NONE", status=401)
    assert "Aucun certificat client présenté" in diagnostics(outcome)
    _, key = SasConsumer.create_with_key("Banc de test")
    assert call(dn=None, verify="NONE", Authorization=f"Bearer {key}")["total"] == 4
    # Through the proxy's other sites, that write no certificate header at all.
    assert call(dn=None, verify=None, Authorization=f"Bearer {key}")["total"] == 4


@pytest.mark.parametrize("peer", ["127.0.0.1", "10.8.1.2", "192.0.2.7", "::2"])
def test_the_headers_from_a_peer_that_is_not_a_trusted_proxy_are_refused(sas_platform, agenda, peer):
    _, key = SasConsumer.create_with_key("Banc de test")
    # A forged subject is refused, even beside a valid key: it is never believed, never ignored in silence.
    for headers in ({}, {"Authorization": f"Bearer {key}"}):
        outcome = call(peer=peer, status=401, **headers)
        assert "n'est pas un mandataire de confiance" in diagnostics(outcome)
        assert "MAILLAGE_SAS_TRUSTED_PROXIES" in diagnostics(outcome)
    assert "mandataire de confiance" in diagnostics(call(peer=peer, dn=None, status=401))  # the result alone too


def test_the_certificate_path_is_off_by_default(db, settings, agenda):
    assert settings.SAS_TRUSTED_PROXIES == ()
    SasConsumer.objects.create(name="SAS", certificate_cn="sas-agregateur.sante.fr", certificate_ou="318751275100020")
    assert "mandataire de confiance" in diagnostics(call(status=401))


def test_the_general_trusted_proxies_do_not_vouch_for_a_certificate(sas_platform, agenda, settings):
    """X-Forwarded-For's trust (ADR 0023) says where a client is, not who it is: the peer itself
    must be a SAS proxy."""
    settings.TRUSTED_PROXIES = 2
    outcome = call(peer="127.0.0.1", status=401, HTTP_X_FORWARDED_FOR=PROXY)
    assert "mandataire de confiance" in diagnostics(outcome)


def test_the_setting_takes_addresses_and_networks_only():
    assert [str(n) for n in sas_trusted_proxies(" 127.0.0.1 , 10.0.0.0/8,::1")] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "::1/128",
    ]
    assert sas_trusted_proxies("") == ()
    for wrong in ("1", "nginx", "10.0.0.0/33"):
        with pytest.raises(ImproperlyConfigured, match="MAILLAGE_SAS_TRUSTED_PROXIES"):
            sas_trusted_proxies(wrong)


def test_subjects_are_parsed_as_rfc_2253():
    subject = parse_subject(r"CN=Jos\C3\A9 \2C fils,OU=a+OU=b\, c,ou=d,O=GIP\, SAS,C=FR")
    assert subject.common_names == ("José , fils",)
    assert sorted(subject.units) == ["a", "b, c", "d"]
    for wrong in ("", "   ", "pas un DN", "CN=a,=b", "XX=a"):
        with pytest.raises(ValueError):
            parse_subject(wrong)


def test_a_consumer_has_a_key_a_certificate_or_both(db):
    keyless = SasConsumer(name="SAS")
    with pytest.raises(ValidationError, match="doit avoir un certificat"):
        keyless.full_clean()
    with pytest.raises(ValidationError, match="ensemble"):
        SasConsumer(name="SAS", certificate_cn="sas.sante.fr").full_clean()
    SasConsumer(name="SAS", certificate_cn=" sas.sante.fr ", certificate_ou="1").full_clean()
    SasConsumer.create_with_key("SAS", certificate_cn="sas.sante.fr", certificate_ou="1")
    with pytest.raises(ValidationError, match="déjà ceux du client « SAS »"):
        SasConsumer(name="Autre", certificate_cn="SAS.sante.fr", certificate_ou=" 1").full_clean()


def test_the_admin_registers_a_certificate_and_audits_it(db, login):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True, email="admin@maillage.example")
    client = login(admin)
    form = {"name": "Plateforme SAS", "certificate_cn": "sas.sante.fr", "certificate_ou": "", "active": "on"}
    page = client.post("/admin/unscheduled/sasconsumer/add/", form | {"_save": "Enregistrer"})
    assert page.status_code == 200 and "ensemble" in page.content.decode()
    form["certificate_ou"] = "318751275100020"
    assert client.post("/admin/unscheduled/sasconsumer/add/", form | {"_save": "Enregistrer"}).status_code == 302
    consumer = SasConsumer.objects.get()
    assert (consumer.key_digest, consumer.certificate_ou) == (None, "318751275100020")
    created = AuditEntry.objects.get(action="unscheduled.sas_consumer.created")
    assert created.details == {
        "name": "Plateforme SAS",
        "certificate_cn": "sas.sante.fr",
        "certificate_ou": "318751275100020",
    }
    url = f"/admin/unscheduled/sasconsumer/{consumer.pk}/change/"
    assert "318751275100020" in client.get(url).content.decode()
    change = {"certificate_cn": "sas2.sante.fr", "certificate_ou": "318751275100020", "active": "on"}
    assert client.post(url, change | {"_save": "Enregistrer"}).status_code == 302
    assert AuditEntry.objects.get(action="unscheduled.sas_certificate.changed").details["certificate_cn"] == (
        "sas2.sante.fr"
    )
    assert "sas2.sante.fr" in client.get("/admin/unscheduled/sasconsumer/").content.decode()


# --- 1 to 25 identifiers ------------------------------------------------------------------------


def idnps(*values: str) -> str:
    return ",".join(v if "|" in v else f"{systems.IDNPS}|{v}" for v in values)


def search(sas_platform, *values, status=200):
    return call(criteria() | {"schedule.actor:Practitioner.identifier": idnps(*values)}, status=status)


def warning(bundle) -> str:
    [outcome] = entries(bundle, "OperationOutcome", "outcome")
    [issue] = outcome["resource"]["issue"]
    assert issue["severity"] == "warning" and issue["code"] == "invalid"
    return issue["diagnostics"]


def test_unusable_identifiers_among_valid_ones_are_ignored_and_named(sas_platform, agenda):
    bad_key = f"8{RPPS[:-1]}{(int(RPPS[-1]) + 1) % 10}"
    bundle = search(sas_platform, f"8{RPPS}", "123", bad_key, f"https://rpps.example|8{RPPS}", "0ABC")
    assert bundle["total"] == 4 and len(entries(bundle, "Slot")) == 4
    text = warning(bundle)
    assert text.startswith("4 identifiants ignorés dans « schedule.actor:Practitioner.identifier »")
    for words in ("« urn:oid:1.2.250.1.71.4.2.1|123 »", bad_key, "clé de contrôle", "système attendu", "0ABC"):
        assert words in text
    assert f"|8{RPPS} »" not in text.replace(f"https://rpps.example|8{RPPS}", "")
    # One alone: « 1 identifiant ignoré ».
    assert warning(search(sas_platform, f"8{RPPS}", "123")).startswith("1 identifiant ignoré dans")


def test_unknown_identifiers_match_nothing_without_a_warning(sas_platform, agenda):
    unknown = f"8{with_check_digit('1999999999')}"
    bundle = search(sas_platform, unknown, f"8{RPPS}", f"8{RPPS}")
    assert bundle["total"] == 4 and not entries(bundle, "OperationOutcome")
    alone = search(sas_platform, unknown)
    assert alone["total"] == 0 and "entry" not in alone


def test_an_adeli_professional_with_slots_is_found(sas_platform, agenda):
    nurse = ProfessionalFactory(adeli=True)
    slot = agenda["slots"]["practice"]
    slot.pk = None
    slot.professional = nurse
    slot.activity = None
    slot.save()
    assert nurse.national_id.startswith("0") and len(nurse.national_id) == 10
    bundle = search(sas_platform, nurse.national_id)
    assert [e["resource"]["id"] for e in entries(bundle, "Slot")] == [str(slot.pk)]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        (["123"], "Aucun identifiant utilisable"),
        (["123", "abc", ""], "« urn:oid:1.2.250.1.71.4.2.1|abc »"),
        ([f"http://autre|8{RPPS}"], "système attendu"),
        ([f"8{with_check_digit(f'10{n:08d}')}" for n in range(26)], "Trop d'identifiants"),
        ([*[f"8{with_check_digit(f'10{n:08d}')}" for n in range(25)], "123"], "26. 25 au plus"),
    ],
)
def test_no_usable_identifier_or_more_than_25_is_refused(sas_platform, agenda, values, words):
    outcome = search(sas_platform, *values, status=400)
    assert outcome["issue"][0]["code"] == "invalid"
    assert words in diagnostics(outcome)


def test_twenty_five_identifiers_with_bad_ones_run(sas_platform, agenda):
    values = [f"8{RPPS}", *[f"8{with_check_digit(f'10{n:08d}')}" for n in range(22)], "123", "12345"]
    bundle = search(sas_platform, *values)
    assert bundle["total"] == 4 and warning(bundle).startswith("2 identifiants ignorés")

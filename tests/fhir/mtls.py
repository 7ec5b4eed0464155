"""A throwaway IGC-Santé stand-in and a real nginx in front of the live server, for the tests of the
SAS's mutual TLS (test_sas_mtls.py). The nginx configuration is the one docs/operations.md gives,
with the paths of a temporary folder; it binds its upstream connections to 127.0.0.2, the address
Maillage is told to trust, so that a client reaching Django directly from 127.0.0.1 is not a proxy.
"""

import datetime
import grp
import ipaddress
import json
import os
import pwd
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NGINX = Path(os.environ.get("MAILLAGE_NGINX", "/usr/sbin/nginx"))
PROXY_ADDRESS = "127.0.0.2"
SAS_CN = "sas-agregateur.test.sante.fr"
SAS_OU = "318751275100020"


def nginx_or_skip() -> Path:
    """Debian's nginx; skipped with a reason when it is absent, except in CI (MAILLAGE_REQUIRE_NGINX=1)."""
    if NGINX.is_file() and os.access(NGINX, os.X_OK):
        return NGINX
    reason = f"nginx introuvable ({NGINX}) : installez le paquet Debian « nginx »"
    if os.environ.get("MAILLAGE_REQUIRE_NGINX", "") == "1":
        pytest.fail(f"{reason} (MAILLAGE_REQUIRE_NGINX=1).")
    pytest.skip(reason)


def _name(cn: str, *units: str, organization: str = "GIP SESAN, Paris") -> x509.Name:
    # A comma in O and two OU: nginx escapes the one and lists both in $ssl_client_s_dn.
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
    ]
    attributes += [x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit) for unit in units]
    return x509.Name([*attributes, x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@dataclass
class Authority:
    name: x509.Name
    key: ec.EllipticCurvePrivateKey
    certificate: x509.Certificate

    @classmethod
    def create(cls, cn: str) -> "Authority":
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        now = datetime.datetime.now(datetime.UTC)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256())
        )
        return cls(name, key, certificate)

    def issue(self, subject: x509.Name, *, server: bool = False, expired: bool = False):
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.datetime.now(datetime.UTC)
        start = now - datetime.timedelta(days=10 if expired else 1)
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(now - datetime.timedelta(days=2) if expired else now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]),
                critical=False,
            )
        )
        if server:
            builder = builder.add_extension(
                x509.SubjectAlternativeName(
                    [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
                ),
                critical=False,
            )
        return key, builder.sign(self.key, hashes.SHA256())


def _write(folder: Path, stem: str, key, certificate) -> tuple[Path, Path]:
    cert_path, key_path = folder / f"{stem}.pem", folder / f"{stem}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path


@dataclass
class Pki:
    """The files: the CA nginx trusts, the server's certificate, and client certificates by name."""

    ca: Path
    server: tuple[Path, Path]
    clients: dict[str, tuple[Path, Path]]


def make_pki(folder: Path) -> Pki:
    folder.mkdir(parents=True, exist_ok=True)
    igc = Authority.create("AC IGC-Santé de test")
    other = Authority.create("Une autre autorité")
    ca = folder / "igc-sante-test-chain.pem"
    ca.write_bytes(igc.certificate.public_bytes(serialization.Encoding.PEM))
    server = _write(folder, "server", *igc.issue(_name("localhost"), server=True))
    clients = {
        "sas": _write(folder, "sas", *igc.issue(_name(SAS_CN, "Service SAS", SAS_OU))),
        "wrong-cn": _write(folder, "wrong-cn", *igc.issue(_name("autre.test.sante.fr", SAS_OU))),
        "wrong-ou": _write(folder, "wrong-ou", *igc.issue(_name(SAS_CN, "999999999"))),
        "other-ca": _write(folder, "other-ca", *other.issue(_name(SAS_CN, SAS_OU))),
        "expired": _write(folder, "expired", *igc.issue(_name(SAS_CN, SAS_OU), expired=True)),
    }
    return Pki(ca, server, clients)


PROXY_HEADERS = """
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;
            proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
            proxy_bind {proxy_address};
            proxy_pass http://maillage;"""


def nginx_config(folder: Path, pki: Pki, *, port: int, upstream: str) -> str:
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir(exist_ok=True)
    user = ""
    if os.geteuid() == 0:  # as root (CI containers) the workers keep the files' owner
        user = f"user {pwd.getpwuid(os.getuid()).pw_name} {grp.getgrgid(os.getgid()).gr_name};"
    headers = PROXY_HEADERS.format(proxy_address=PROXY_ADDRESS)
    return f"""
{user}
daemon off;
master_process on;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    upstream maillage {{ server {upstream}; }}
    server {{
        listen 127.0.0.1:{port} ssl;
        server_name localhost;
        ssl_certificate {pki.server[0]};
        ssl_certificate_key {pki.server[1]};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_client_certificate {pki.ca};
        ssl_verify_client optional;
        ssl_verify_depth 2;
        error_page 495 = @certificate_refused;
        location /fhir/ {{{headers}
        }}
        location @certificate_refused {{{headers}
        }}
        location / {{ return 404; }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Nginx:
    def __init__(self, folder: Path, live_server_url: str):
        self.folder = folder
        self.pki = make_pki(folder / "pki")
        self.port = free_port()
        upstream = urlsplit(live_server_url)
        config = folder / "nginx.conf"
        config.write_text(nginx_config(folder, self.pki, port=self.port, upstream=f"127.0.0.1:{upstream.port}"))
        command = [str(nginx_or_skip()), "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)]
        test = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
        assert test.returncode == 0, test.stderr
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.base = f"https://127.0.0.1:{self.port}/fhir/"
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"nginx n'a pas démarré : {(folder / 'error.log').read_text()}") from None
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()

    def context(self, client: str | None) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=str(self.pki.ca))
        if client:
            cert, key = self.pki.clients[client]
            context.load_cert_chain(str(cert), str(key))
        return context

    def get(self, path: str, params=None, *, client: str | None = "sas", headers=None):
        url = self.base + path + (("?" + urlencode(params, doseq=True, safe=":|,")) if params else "")
        return fetch(url, context=self.context(client), headers=headers)


@dataclass
class Answer:
    status: int
    content_type: str
    text: str

    def json(self) -> dict:
        return json.loads(self.text)


def fetch(url: str, *, context: ssl.SSLContext | None = None, headers=None) -> Answer:
    request = urllib.request.Request(url, headers={"Accept": "application/fhir+json", **(headers or {})})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30, context=context) as answer:  # noqa: S310 (loopback)
            return Answer(answer.status, answer.headers.get("Content-Type", ""), answer.read().decode())
    except urllib.error.HTTPError as refused:
        with refused:
            return Answer(refused.code, refused.headers.get("Content-Type", ""), refused.read().decode())

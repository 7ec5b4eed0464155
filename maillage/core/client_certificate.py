"""The client certificate a reverse proxy verified, as it passes it on (settings.SAS_TRUSTED_PROXIES).

Mutual TLS ends at nginx: Maillage never sees the certificate, only two headers nginx writes,
`X-SSL-Client-Verify` ($ssl_client_verify: SUCCESS, FAILED:<reason> or NONE) and
`X-SSL-Client-S-DN` ($ssl_client_s_dn, the subject in RFC 2253 form). Anyone can send those
headers, so they are read only from a peer the deployment declared; from any other peer their mere
presence is a refusal (a forged identity, or a proxy missing from the setting), never ignored in
silence and never believed.
"""

import ipaddress
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID
from django.conf import settings

SUBJECT_HEADER = "X-SSL-Client-S-DN"
VERIFY_HEADER = "X-SSL-Client-Verify"
_SUBJECT_META = "HTTP_X_SSL_CLIENT_S_DN"
_VERIFY_META = "HTTP_X_SSL_CLIENT_VERIFY"

# OpenSSL's short names (nginx prints the subject with them) that RFC 4514 does not define.
_OPENSSL_NAMES = {
    "emailAddress": NameOID.EMAIL_ADDRESS,
    "serialNumber": NameOID.SERIAL_NUMBER,
    "SN": NameOID.SURNAME,
    "GN": NameOID.GIVEN_NAME,
    "givenName": NameOID.GIVEN_NAME,
    "title": NameOID.TITLE,
    "initials": NameOID.INITIALS,
    "pseudonym": NameOID.PSEUDONYM,
    "dnQualifier": NameOID.DN_QUALIFIER,
    "organizationIdentifier": NameOID.ORGANIZATION_IDENTIFIER,
    "businessCategory": NameOID.BUSINESS_CATEGORY,
    "postalCode": NameOID.POSTAL_CODE,
    "street": NameOID.STREET_ADDRESS,
    "name": x509.ObjectIdentifier("2.5.4.41"),
    "description": x509.ObjectIdentifier("2.5.4.13"),
}
# RFC 4514 names are case-insensitive; nginx writes them in capitals, a hand-written test may not.
_OPENSSL_NAMES |= {
    short.lower(): oid
    for short, oid in (
        ("CN", NameOID.COMMON_NAME),
        ("OU", NameOID.ORGANIZATIONAL_UNIT_NAME),
        ("O", NameOID.ORGANIZATION_NAME),
        ("C", NameOID.COUNTRY_NAME),
        ("L", NameOID.LOCALITY_NAME),
        ("ST", NameOID.STATE_OR_PROVINCE_NAME),
    )
}


class CertificateRefused(Exception):
    """Why the certificate path refuses the request, in French; `status` 401 or 403."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Subject:
    dn: str
    common_names: tuple[str, ...]
    units: tuple[str, ...]  # every OU, in the order of the DN


@dataclass(frozen=True)
class Presented:
    """What the proxy says: `subject` is None when the client presented no certificate."""

    subject: Subject | None


def comparable(value: str) -> str:
    """CN and OU compare as X.500 does for directory strings: case and inner spaces do not count."""
    return " ".join(value.split()).casefold()


def parse_subject(dn: str) -> Subject:
    """An RFC 2253 / 4514 subject (nginx's $ssl_client_s_dn): escaped commas, « + » in a multi-valued
    RDN, several OU, non-ASCII bytes as \\XX escapes. ValueError if it cannot be read."""
    if not dn.strip():
        raise ValueError("empty subject")
    name = x509.Name.from_rfc4514_string(dn.strip(), _OPENSSL_NAMES)

    def values(oid) -> tuple[str, ...]:
        return tuple(str(attribute.value) for attribute in name.get_attributes_for_oid(oid))

    return Subject(dn, values(NameOID.COMMON_NAME), values(NameOID.ORGANIZATIONAL_UNIT_NAME))


def from_certificate_proxy(request) -> bool:
    remote = request.META.get("REMOTE_ADDR", "").strip()
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in network for network in settings.SAS_TRUSTED_PROXIES)


def presented(request) -> Presented | None:
    """The certificate the proxy verified; None when the request did not come through the mutual TLS
    path (no header: a key is then the way in). CertificateRefused for everything else."""
    dn = request.META.get(_SUBJECT_META)
    verify = request.META.get(_VERIFY_META)
    if dn is None and verify is None:
        return None
    if not from_certificate_proxy(request):
        raise CertificateRefused(
            f"En-tête « {SUBJECT_HEADER} » ou « {VERIFY_HEADER} » reçu d'une adresse qui n'est pas un "
            "mandataire de confiance (réglage MAILLAGE_SAS_TRUSTED_PROXIES) : il n'est pas pris en compte "
            "et la requête est refusée. Passez par le mandataire qui vérifie les certificats clients, ou "
            "envoyez votre clé d'accès sans ces en-têtes."
        )
    verify = (verify or "").strip()
    dn = (dn or "").strip()
    if verify == "NONE" and not dn:
        return Presented(None)
    if verify.startswith("FAILED"):
        reason = verify.partition(":")[2].strip() or "raison non précisée"
        raise CertificateRefused(
            f"Certificat client refusé par le mandataire ({reason}) : un certificat de l'IGC-Santé, valide, "
            "émis par une autorité reconnue par le mandataire, est attendu."
        )
    if verify != "SUCCESS" or not dn:
        # E.g. a proxy that passes the subject without the verification result: nothing to believe.
        raise CertificateRefused(
            f"Configuration du mandataire incomplète : « {VERIFY_HEADER}: SUCCESS » et « {SUBJECT_HEADER} » "
            f"sont attendus ensemble (reçu : {VERIFY_HEADER} « {verify[:40]} »)."
        )
    try:
        return Presented(parse_subject(dn))
    except ValueError:
        raise CertificateRefused(
            f"Sujet du certificat client illisible : « {dn[:200]} » (format RFC 2253 attendu, "
            "celui de la variable $ssl_client_s_dn de nginx)."
        ) from None

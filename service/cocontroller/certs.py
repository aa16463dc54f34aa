"""Development certificates, as mkcert makes them: a CA, a server certificate for the
loopback names, and one client certificate per role whose SAN URI names the role
(api/access.py reads it). `cocontroller init` writes them; production brings its own.

Keys are ECDSA P-256 (fast to make, which the test session relies on) and written 0600.
"""

import datetime as dt
import ipaddress
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from . import config
from .model import Role

TRUST_DOMAIN = "cocontroller.local"
# The demo network's dealer that gets a development dealer certificate.
DEMO_DEALER = "dlr-gent"
SERVER_NAMES = ("localhost", "127.0.0.1", "::1")
_VALID = dt.timedelta(days=825)


def role_uri(role: Role, dealer_id: str = "", tenant: str = "") -> str:
    """The SAN URI of a role's certificate: spiffe://cocontroller.local/role/dealer/dlr-gent;
    confined to a tenant, spiffe://cocontroller.local/tenant/toyota-be/role/crm."""
    return (f"spiffe://{TRUST_DOMAIN}/" + (f"tenant/{tenant}/" if tenant else "") + f"role/{role}"
            + (f"/{dealer_id}" if dealer_id else ""))


def identities(dealer_ids=(DEMO_DEALER,)) -> dict[str, str]:
    """Development identity name (the file stem the CLI's --identity picks) -> SAN URI."""
    names = {str(role): role_uri(role) for role in Role if role is not Role.DEALER}
    names |= {config.dealer_identity(d): role_uri(Role.DEALER, d) for d in dealer_ids}
    return names


def create_dev_certificates(directory: Path | str, dealer_ids=(DEMO_DEALER,)) -> list[Path]:
    """Writes into `directory` whichever of the CA, the server's and the clients'
    certificates are absent; returns the files written. An existing CA signs the new ones,
    so certificates made earlier stay valid."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    written = _ensure_ca(directory)
    server = [x509.DNSName("localhost"), *(x509.IPAddress(ipaddress.ip_address(a)) for a in SERVER_NAMES[1:])]
    written += issue(directory, config.SERVER, "cocontroller server", server, server=True)
    for stem, uri in identities(dealer_ids).items():
        written += issue(directory, stem, f"cocontroller {stem}", [x509.UniformResourceIdentifier(uri)])
    return written


def issue(directory: Path, stem: str, common_name: str, sans: list[x509.GeneralName],
          server: bool = False) -> list[Path]:
    """A certificate signed by the development CA in `directory`, unless it exists."""
    cert_path, key_path = config.cert_files(directory, stem)
    if cert_path.exists() and key_path.exists():
        return []
    ca_cert_path, ca_key_path = config.cert_files(directory, config.CA)
    ca_key = serialization.load_pem_private_key(ca_key_path.read_bytes(), None)
    ca_cert = x509.load_pem_x509_certificate(ca_cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (_builder(subject, ca_cert.subject, key.public_key())
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage(
                   [ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return _write(cert_path, key_path, builder.sign(ca_key, hashes.SHA256()), key)


def _ensure_ca(directory: Path) -> list[Path]:
    cert_path, key_path = config.cert_files(directory, config.CA)
    if cert_path.exists() and key_path.exists():
        return []
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cocontroller development CA")])
    cert = (_builder(name, name, key.public_key())
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return _write(cert_path, key_path, cert, key)


def _builder(subject: x509.Name, issuer: x509.Name, public_key) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + _VALID))


def _write(cert_path: Path, key_path: Path, cert: x509.Certificate, key) -> list[Path]:
    """The key is created 0600 before any byte is written to it."""
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return [cert_path, key_path]

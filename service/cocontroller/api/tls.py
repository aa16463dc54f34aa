"""The server's TLS credentials, from its settings. The server speaks mTLS only: every
connection presents a client certificate of the configured CA, which is where callers' roles
come from (access.py). There is no plaintext mode: on loopback it would answer every RPC but
health UNAUTHENTICATED, and off loopback it would carry personal data in the clear."""

import ipaddress
from pathlib import Path

import grpc

from ..config import Settings
from ..errors import FailedPrecondition


def server_credentials(settings: Settings, address: str) -> grpc.ServerCredentials:
    """mTLS credentials, or FailedPrecondition naming the missing file and what to do."""
    files = dict(zip(("certificate", "key", "client CA"), settings.server_tls_files()))
    missing = [f"{what} {path}" for what, path in files.items() if not Path(path).is_file()]
    if missing:
        host = address.rsplit(":", 1)[0]
        where = "" if is_loopback(host) else \
            f"refusing to serve {host} without TLS: personal data would cross the network in the clear; "
        raise FailedPrecondition(
            f"{where}no TLS {', '.join(missing)}: run `cocontroller init --certs-only` for development "
            "certificates, or name production ones with --server-cert, --server-key and --client-ca")
    read = {what: Path(path).read_bytes() for what, path in files.items()}
    return grpc.ssl_server_credentials([(read["key"], read["certificate"])],
                                       root_certificates=read["client CA"], require_client_auth=True)


def is_loopback(host: str) -> bool:
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

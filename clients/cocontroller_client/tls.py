"""A client's mTLS credentials: the CA that signs the server, and the client's certificate
and key, whose identity names its role on the server. From `Settings`: flags or
COCONTROLLER_CA / _CERT / _KEY, else the development certificate `identity` (default admin)
in certs_dir, which `cocontroller init` makes."""

from pathlib import Path

import grpc

from cocontroller.config import Settings

from .errors import ClientError


def channel_credentials(settings: Settings | None = None) -> grpc.ChannelCredentials:
    """Credentials for `grpc.secure_channel`; ClientError NO_CREDENTIALS naming a missing file."""
    settings = settings or Settings.from_env()
    ca, cert, key = settings.client_tls_files()
    return grpc.ssl_channel_credentials(
        _read(ca, "no CA certificate"), _read(key, "no client key"), _read(cert, "no client certificate"))


def _read(path: Path, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        raise ClientError(
            "NO_CREDENTIALS",
            f"{what} at {path}: run `cocontroller init --certs-only` for development certificates "
            "(--identity picks one), or name yours with --ca, --cert and --key", []) from None

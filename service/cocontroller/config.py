"""Settings in one place: defaults, then `COCONTROLLER_*` environment variables, then flags.

Only the standard library is imported, so the client CLI can read its target here too.
"""

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "COCONTROLLER_"
# The gRPC metadata every call names its tenant in (server: api/tenancy.py; the client).
TENANT_KEY = "x-cocontroller-tenant"
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    # The SQLite database file (or PostgreSQL URL) of the default tenant; the others' derive
    # from it unless the tenants file names them (tenants.py). `serve` refuses a file that
    # does not exist (`init` makes it).
    db: str = "var/cocontroller.db"
    # The tenants file (TOML, tenants.py): which tenants this deployment serves; None: the
    # shipped one (Lexus BE, then Toyota BE).
    tenants: Path | None = None
    # The tenant a client names on every call (metadata x-cocontroller-tenant) and whose
    # database a server-side command (init, reassign --local, ...) opens.
    tenant: str = "lexus-be"
    host: str = "localhost"
    port: int = 50051
    # Worker threads for the calls that do not run on the server's event loop (api/handlers.py):
    # with one GIL on a small machine more threads only add wake-ups.
    workers: int = 4
    # Light calls (all but lists, resolutions and streams) running at once; one more is
    # refused at once with RESOURCE_EXHAUSTED and a retry delay (api/shedding.py). Also the
    # calls that may wait in gRPC core before the wait below is enforced.
    max_concurrent_rpcs: int = 8
    # Light calls are refused (with a retry delay) while the calls waiting in gRPC core would
    # take longer than this at the recent pace: the sign that calls queue (api/shedding.py).
    # Measured on 2 cores: p99 14 ms at 512 clients, none refused at 4.
    max_queue_ms: float = 3.0
    # On SQLite, the CRM's writes (leads and the others: api/apart.py METHODS) run in a
    # process of their own beside the event loop, on another core; off, or on one core, on
    # the loop.
    leads_apart: bool = True
    # Heavy calls (lists, resolution) running at once, fewer than the workers, so lookups
    # always find a thread; with one GIL, more would only slow the lookups beside them.
    heavy_calls: int = 1
    # A network change may take effect up to this many days before the day it is recorded
    # with a reason alone; further back it must also be confirmed as a correction, since it
    # rewrites what was known of all the days in between.
    backdate_window_days: int = 7
    # The largest request accepted, in bytes.
    max_message_bytes: int = 1024 * 1024
    # Where the rule packs and the geodata are read; None: the copies shipped in the package.
    rules_dir: Path | None = None
    data_dir: Path | None = None
    log_format: str = "text"
    # Customer ids appear in logs only as HMAC-SHA256 with this key; empty: the key in the
    # file `<db>.logkey` beside the database, made when absent, so hashes stay comparable
    # across restarts of one installation and differ between installations.
    log_key: str = ""
    # An erased customer is remembered only as HMAC-SHA256 of their id (and enterprise
    # number) under this key, so a re-import is caught but the list names no one; empty: the
    # key in the file `<db>.erasurekey`, made when absent. Losing it forgets the erasures.
    erasure_key: str = ""
    # The server sweeps retention once a day at this hour (Brussels time, 0-23); -1: never
    # (the DPO runs `cocontroller retention sweep` instead).
    sweep_hour: int = 3
    # Customers are told this many days before a scheduled network change moves them to
    # another controller (domain/schedule.py gives the legal reading).
    notice_lead_days: int = 30
    # Serve as if it were this instant (ISO 8601), the clock running on from it: a rehearsal
    # of a scheduled change's day on a copy of the data, and the tests' injectable clock.
    # Empty: the real time. Never on a live database: scheduled jobs would run early.
    clock_at: str = ""
    # A job is shared by every process running it, batch by batch: a process that dies holds
    # its batch this long before another takes it (seconds). It must outlast a batch's work.
    claim_hold_s: float = 60.0
    # Prometheus metrics on http://host:metrics_port/metrics; 0 turns them off.
    metrics_port: int = 9464
    # On SIGTERM or SIGINT: how long calls in flight, and a running job's last batch, may
    # take before the process exits (seconds).
    shutdown_grace: float = 10.0
    # A plaintext port serving the health service alone, for load balancers without a client
    # certificate; 0: none.
    health_port: int = 0
    # A job stream whose client takes no message for this long is cancelled (seconds).
    stream_stall_s: float = 30.0
    # The server the client commands talk to.
    target: str = "localhost:50051"
    # TLS is always on. `cocontroller init` makes a development CA and certificates here (as
    # mkcert does), relative to the working directory like `db`; the files below default to
    # them, and production names its own.
    certs_dir: Path = Path("var/certs")
    # The server's certificate chain and key, and the CA client certificates must chain to.
    server_cert: Path | None = None
    server_key: Path | None = None
    client_ca: Path | None = None
    # A client's: the CA that signs the server, its own certificate and key, and which of the
    # development certificates (a file stem in certs_dir) stands in when they are not given.
    ca: Path | None = None
    cert: Path | None = None
    key: Path | None = None
    identity: str = "admin"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        """Defaults overridden by the `COCONTROLLER_<FIELD>` variables that are set."""
        environ = os.environ if environ is None else environ
        values = {}
        for f in dataclasses.fields(cls):
            text = environ.get(ENV_PREFIX + f.name.upper())
            if text:
                values[f.name] = _parse(f.name, f.type, text)
        return cls(**values)

    def server_tls_files(self) -> tuple[Path, Path, Path]:
        """(certificate chain, key, client CA) of the server."""
        cert, key = cert_files(self.certs_dir, SERVER)
        return self.server_cert or cert, self.server_key or key, self.client_ca or cert_files(self.certs_dir, CA)[0]

    def client_tls_files(self) -> tuple[Path, Path, Path]:
        """(CA of the server, certificate, key) of a client."""
        cert, key = cert_files(self.certs_dir, self.identity)
        return self.ca or cert_files(self.certs_dir, CA)[0], self.cert or cert, self.key or key

    def with_flags(self, **flags) -> "Settings":
        """These settings with the flags that were given (None means not given)."""
        settings = dataclasses.replace(self, **{k: v for k, v in flags.items() if v is not None})
        if settings.log_format not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
        if not -1 <= settings.sweep_hour <= 23:
            raise ValueError("the sweep hour must be -1 (never) or 0 to 23")
        if not 0 <= settings.notice_lead_days <= 366:
            raise ValueError("the notice lead time must be 0 to 366 days")
        if not 0 < settings.claim_hold_s <= 86400:
            raise ValueError("a job's claim must be held for more than 0 seconds and at most a day")
        return settings


# The development certificates' file stems in certs_dir: the CA, the server, and one per
# client identity (a role's name, or dealer-<dealer id>).
CA = "ca"
SERVER = "server"


def dealer_identity(dealer_id: str) -> str:
    return f"dealer-{dealer_id}"


def cert_files(directory: Path | str, stem: str) -> tuple[Path, Path]:
    """A development certificate's (certificate, key) files."""
    return Path(directory) / f"{stem}.pem", Path(directory) / f"{stem}-key.pem"


def _parse(name: str, kind, text: str):
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be a number, got {text!r}") from None
    if kind is bool:
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be true or false, got {text!r}")
    if "Path" in str(kind):
        return Path(text)
    return text

"""Helpers for tests in any folder: `from support import make_app, copy_database, serve`.

They live here, not in conftest.py: tests/ is on sys.path (pytest's prepend import mode puts
the directory of tests/conftest.py there), but with more than one conftest.py in the tree
(tests/cli/ has its own) the name `conftest` means whichever was loaded last, so
`from conftest import ...` may find the wrong one. tests/conftest.py builds its fixtures
from these.
"""

import atexit
import functools
import shutil
import socket
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status
from cocontroller import bootstrap, certs, resources, tenants
from cocontroller.model import ConsentProof, ConsentSource
from cocontroller.store.dialect import is_url
from cocontroller.api.apart import Apart
from cocontroller.api.operations import Operations
from cocontroller.api.server import build_server
from cocontroller.config import ENV_PREFIX, Settings
from cocontroller_client.client import Client
from cocontroller_client.tls import channel_credentials


# The backend the store, use-case and API tests run on: `make test` runs them on both.
BACKEND = os.environ.get("COCONTROLLER_TEST_BACKEND", "sqlite")
# The keys a PostgreSQL database is given (it has no file beside it to keep them in).
PG_KEYS = {"log_key": "test-log-key", "erasure_key": "test-erasure-key"}
_pg_databases: dict[str, str] = {}


def database(db_path) -> str:
    """What a test's database path stands for on the backend under test: the path itself
    on SQLite; on PostgreSQL, a database of its own on the session's server, the same one
    each time the test names the path."""
    if BACKEND != "postgresql" or is_url(str(db_path)):
        return str(db_path)
    key = str(db_path)
    if key not in _pg_databases:
        from postgres_server import shared_server

        _pg_databases[key] = shared_server().new_database()
    return _pg_databases[key]


def app_settings(db_path, **settings) -> Settings:
    """The settings of the application over the test's database (see make_app): the session's
    certificates, and on PostgreSQL the keys."""
    db = database(db_path)
    return Settings(db=db, **{"certs_dir": certs_dir(), **(PG_KEYS if is_url(db) else {}),
                              **settings})


def key_variables() -> dict[str, str]:
    """PG_KEYS as the variables a `cocontroller` process reads them from: on PostgreSQL the
    CLI run in-process and the servers and CLIs run as subprocesses are given them
    (tests/conftest.py), as make_app gives PG_KEYS; none on SQLite, whose keys are files
    beside the database."""
    if BACKEND != "postgresql":
        return {}
    return {ENV_PREFIX + name.upper(): value for name, value in PG_KEYS.items()}


def make_app(db_path, **settings) -> bootstrap.App:
    """The application over `db_path` (a file, or a PostgreSQL URL; a file path stands for a
    PostgreSQL database when the tests run on that backend), created with the demo dealer
    network if absent."""
    config = app_settings(db_path, **settings)
    if is_url(config.db):
        from cocontroller.store import Store

        store = Store(config.db)
        empty = not store.network.has_dealers()
        store.db.close_pool()
        if empty:
            bootstrap.create_database(config, demo=True)
    elif not Path(config.db).exists():
        bootstrap.create_database(config, demo=True)
    return bootstrap.build(config)


# The shipped tenants file's first tenant alone (rules/tenants.toml).
ONE_TENANT = """
[[tenant]]
id = "lexus-be"
brand = "Lexus"
country = "BE"
name = "Lexus Belgium"
rules = ""
demo_dealers = "demo-dealers.json"
"""


def tenant_apps(*apps: bootstrap.App) -> dict[str, bootstrap.App]:
    """Applications as `build_server` takes them: by tenant id, the default first."""
    return {app.settings.tenant: app for app in apps}


def serve(db_path, ops=None, **settings):
    """A real server over `db_path` (with these settings) on a loopback port, serving the
    default tenant alone: yields its target, then stops it. `ops`: the server's Operations
    (metrics, draining), if the test needs them."""
    server, port = build_server(tenant_apps(make_app(db_path, **settings)), "127.0.0.1:0", max_workers=4, ops=ops)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None).wait()


def serve_tenants(folder, ops=None, apart=False, **settings):
    """A real server of both shipped tenants (Lexus BE, then Toyota BE), each over a database
    of its own in `folder` (on PostgreSQL, each a database of its own) made with its demo
    network: yields (target, {tenant id: App}), then stops it. `apart`: leads are made in a
    process beside the event loop, as `serve` makes them on SQLite (`ops.apart`)."""
    lines = []
    for tenant in tenants.served(Settings()):
        db = database(Path(folder) / f"{tenant.id}.sqlite")
        lines += ["[[tenant]]", *(f'{key} = "{value}"' for key, value in (
            ("id", tenant.id), ("brand", tenant.brand), ("country", tenant.country), ("name", tenant.name),
            ("rules", tenant.rules_dir), ("demo_dealers", tenant.demo_dealers), ("db", db)))]
    path = Path(folder) / "tenants.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = app_settings(Path(folder) / "lexus-be.sqlite", tenants=path, **settings)
    for tenant in tenants.served(config):
        bootstrap.create_database(config, demo=True, tenant=tenant)
    apps = bootstrap.build_tenants(config)
    if apart:
        ops = ops or Operations()
        ops.apart = Apart.beside(apps, bootstrap.build)
    server, port = build_server(apps, "127.0.0.1:0", max_workers=4, ops=ops)
    try:
        yield f"127.0.0.1:{port}", apps
    finally:
        if apart:
            ops.stopping.set()
        server.stop(grace=None).wait()


def copy_database(source, target) -> None:
    """A consistent copy of the test's database: through sqlite3's backup API (committed WAL
    content included); on PostgreSQL, a database of its own for `target` made from the source
    (its sessions ended: see PostgresServer.new_database)."""
    source_db = database(source)
    if is_url(source_db):
        from postgres_server import shared_server

        _pg_databases[str(target)] = shared_server().new_database(template=source_db)
        return
    src, dst = sqlite3.connect(source_db), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def query(db, sql: str, params=()) -> list[tuple]:
    """The rows of a read of the test's database (SQLite's placeholders), on either backend:
    what a test checks behind the service's back."""
    return _read(db, sql, params)[1]


def records(db, sql: str, params=()) -> list[dict]:
    """The same rows as dicts by column name."""
    names, rows = _read(db, sql, params)
    return [dict(zip(names, row)) for row in rows]


def _read(db, sql: str, params) -> tuple[list[str], list[tuple]]:
    db = database(db)
    if is_url(db):
        import psycopg
        from cocontroller.store.postgres import placeholders

        with psycopg.connect(db) as conn:
            cursor = conn.execute(placeholders(sql), params or None)
            return [d.name for d in cursor.description], [tuple(row) for row in cursor]
    conn = sqlite3.connect(db, timeout=30)
    try:
        cursor = conn.execute(sql, params)
        return [d[0] for d in cursor.description], cursor.fetchall()
    finally:
        conn.close()


def tables(db) -> list[str]:
    """The names of the test database's tables, in order."""
    if is_url(database(db)):
        sql = ("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
               " AND table_type = 'BASE TABLE' ORDER BY table_name")
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    return [name for (name,) in query(db, sql)]


def columns(db, table: str) -> list[str]:
    """A table's columns, in their order."""
    if is_url(database(db)):
        sql = ("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
               " AND table_name = ? ORDER BY ordinal_position")
    else:
        sql = "SELECT name FROM pragma_table_info(?) ORDER BY cid"
    return [name for (name,) in query(db, sql, [table])]


def table_rows(db) -> dict[str, list]:
    """Every table's rows, ordered by all their columns: what must be equal when nothing was
    written."""
    found = {}
    for table in tables(db):
        order = ", ".join(str(n) for n in range(1, len(columns(db, table)) + 1))
        found[table] = query(db, f'SELECT * FROM "{table}" ORDER BY {order}')
    return found


def channel(target: str, options=(), role: str = "admin") -> grpc.Channel:
    """A channel to a test server, for raw calls (generic stubs, malformed bytes). Tests open
    channels only through here and `client_for`, so how a test client connects is decided in
    one place: mTLS with the session's development certificate for `role` (see certs_dir)."""
    return grpc.secure_channel(target, credentials(role), options=options)


def audited_assignment(target: str, customer_id: str, caller: str, reason: str) -> str:
    """Writes `customer_id` and assigns it as the CRM naming `caller`; the trigger the audit
    recorded for that assignment, as the DPO reads it."""
    with client_for(target, "crm", caller=caller) as crm:
        crm.upsert_customer(customer_id, "9000")
        crm.assign(customer_id, reason=reason)
    with client_for(target, "dpo") as dpo:
        [change] = dpo.assignment_changes(customer_id=customer_id)
    return change.trigger


def client_for(target: str, role: str = "admin", **options) -> Client:
    """A client library instance talking to a test server as `role` (options: Client's
    timeout, caller)."""
    return Client(target, credentials=credentials(role), **options)


@functools.cache
def certs_dir() -> Path:
    """The test session's development CA and certificates (cocontroller.certs), made once:
    servers from `make_app`/`serve` use them, and tests/conftest.py points
    COCONTROLLER_CERTS_DIR here for the CLI and the subprocesses."""
    directory = Path(tempfile.mkdtemp(prefix="cocontroller-test-certs-"))
    atexit.register(shutil.rmtree, directory, True)
    certs.create_dev_certificates(directory)
    return directory


def credentials(identity: str = "admin") -> grpc.ChannelCredentials:
    """mTLS credentials of a development identity: a role's name or dealer-<dealer id>."""
    return channel_credentials(Settings(certs_dir=certs_dir(), identity=identity))


def free_port() -> int:
    """A loopback port no one listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_serving(target: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Waits until the server process at `target` answers health SERVING; fails at once if
    the process exited."""
    deadline = time.monotonic() + timeout
    with channel(target) as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"server exited with {process.returncode}")
            try:
                if stub.Check(health_pb2.HealthCheckRequest(), timeout=0.5).status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                time.sleep(0.1)
    raise AssertionError(f"no server at {target} after {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 15.0) -> None:
    """Terminates a server process, and kills it if it has not exited within `timeout`."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def pages(call, request, field: str) -> list[list]:
    """Every page of a list RPC (AIP-158), as lists of items, with the request's page size."""
    found = []
    for _ in range(1000):
        response = call(request, timeout=10)
        found.append(list(getattr(response, field)))
        if not response.next_page_token:
            return found
        request.page_token = response.next_page_token
    raise AssertionError("the pages never end")


def rpc_failure(call, request) -> tuple[grpc.StatusCode, list[str]]:
    """(code, violated fields) of a raw stub call that must fail."""
    with pytest.raises(grpc.RpcError) as caught:
        call(request, timeout=10)
    fields = []
    status = rpc_status.from_call(caught.value)
    for detail in status.details if status else ():
        bad = error_details_pb2.BadRequest()
        if detail.Unpack(bad):
            fields += [v.field for v in bad.field_violations]
    return caught.value.code(), fields


# The proof a test's consent carries (GDPR art. 7(1)): for the use cases, and as the client
# library's keyword arguments.
PROOF = ConsentProof("Ja, ik wil de nieuwsbrief van Lexus ontvangen (v3)", ConsentSource.WEB_FORM, "form-88412")
CONSENT_PROOF = {"wording": PROOF.wording, "source": str(PROOF.source), "reference": PROOF.reference}


def serve_process(folder: Path, *options: str):
    """A new `cocontroller serve` process (with `options`) on a new demo database in `folder`
    and a copy of the shipped packs there, to change: yields (target, process, rules
    directory) once it serves, then stops it."""
    script = Path(sys.executable).parent / "cocontroller"
    rules = folder / "rules"
    shutil.copytree(resources.packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    db = database(folder / "served.db")
    init = subprocess.run([str(script), "init", "--demo", "--db", db], capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    target = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [str(script), "serve", "--db", db, "--host", "127.0.0.1", "--port", target.rsplit(":", 1)[1],
         "--rules-dir", str(rules), *options],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_serving(target, process)
        yield target, process, rules
    finally:
        stop(process)


def set_privacy_version(rules: Path, version: str) -> None:
    """Gives the privacy pack in `rules` another version (a change SIGHUP or a reload picks up)."""
    path = rules / "privacy" / "privacy.yaml"
    lines = [f'version: "{version}"' if line.startswith("version:") else line
             for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def wait_for_privacy_version(target: str, process: subprocess.Popen, version: str, timeout: float = 30.0) -> None:
    """Waits until the server at `target` serves the privacy pack `version` (a reload it was
    told to make); fails if the process exits or the time runs out."""
    deadline = time.monotonic() + timeout
    with client_for(target) as c:
        while ("privacy", version) not in {(p.name, p.version) for p in c.rule_packs()}:
            assert time.monotonic() < deadline, "the packs were not reloaded"
            assert process.poll() is None, f"server exited with {process.returncode}"
            time.sleep(0.1)

"""Shared fixtures: the application over a fresh database with the demo network, a real
gRPC server on a loopback port with a client for it, and the CLI run in-process."""

import pytest

# The helpers live in support.py; import them from there (`from support import make_app`):
# with more than one conftest.py in the tree, `from conftest import ...` may find another one.
import support
from support import certs_dir, client_for, copy_database, make_app, serve as _serve  # noqa: F401


@pytest.fixture(scope="session", autouse=True)
def dev_certificates():
    """The session's development certificates, where the CLI run in-process and the servers
    and CLIs run as subprocesses find them (COCONTROLLER_CERTS_DIR)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COCONTROLLER_CERTS_DIR", str(certs_dir()))
        yield certs_dir()


@pytest.fixture(scope="session", autouse=True)
def one_tenant(tmp_path_factory):
    """The CLI run in-process and the servers and CLIs run as subprocesses serve the default
    tenant alone (COCONTROLLER_TENANTS), as `serve(db)` does: a test names one database, and
    the tenancy tests (tests/api/test_tenants.py) name the second tenant's themselves."""
    path = tmp_path_factory.mktemp("tenants") / "tenants.toml"
    path.write_text(support.ONE_TENANT, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COCONTROLLER_TENANTS", str(path))
        yield path


@pytest.fixture(scope="session", autouse=True)
def database_keys():
    """On PostgreSQL, the keys a database there is given as settings, where the CLI run
    in-process and the servers and CLIs run as subprocesses find them (support.key_variables)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in support.key_variables().items():
            patch.setenv(name, value)
        yield


@pytest.fixture(scope="session", autouse=True)
def no_default_metrics_port():
    """Servers run as subprocesses serve no metrics unless a test names a port: the default
    port (9464) is one per machine, and a developer's `make run` may hold it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COCONTROLLER_METRICS_PORT", "0")
        yield


@pytest.fixture
def cli(capsys):
    """The CLI run in-process: (exit code, stdout, stderr)."""
    # Imported here: a CLI that fails to import fails the CLI tests, not the others.
    from cocontroller_client.cli import main

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def app(tmp_path):
    """The application over a fresh SQLite file, seeded with the demo dealer network."""
    return make_app(tmp_path / "db.sqlite")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The target ("127.0.0.1:PORT") of a real server over a fresh database, shared by the
    tests of one module: tests that need isolation use their own customer ids."""
    yield from _serve(tmp_path_factory.mktemp("server") / "db.sqlite")


@pytest.fixture
def fresh_server(tmp_path):
    """Like `server`, but private to one test."""
    yield from _serve(tmp_path / "db.sqlite")


@pytest.fixture
def client(server):
    """A Client on its own channel to `server`, closed after the test."""
    with client_for(server) as c:
        yield c


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server for the session (tests/postgres_server.py)."""
    from postgres_server import shared_server

    return shared_server()


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, the tests of what only a SQLite file has (its bytes, copies of it,
    its pragmas) are skipped: they are marked `sqlite_only`."""
    if support.BACKEND != "postgresql":
        return
    skip = pytest.mark.skip(reason="about the SQLite file itself")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)

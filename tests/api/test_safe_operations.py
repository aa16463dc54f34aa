"""Operations that could hurt production data are refused, through the installed script as an
operator runs it: a second server on a bound port, a server on a database that does not
exist, `init` over an existing file, and demo data written into a database a server holds."""

import subprocess
import sys
from pathlib import Path

import pytest

from support import database, free_port, stop, wait_serving

SCRIPT = Path(sys.executable).parent / "cocontroller"
EXIT_PRECONDITION = 5


def run(*argv, cwd=None, timeout=60):
    return subprocess.run([str(SCRIPT), *map(str, argv)], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd)


@pytest.fixture
def serving(tmp_path):
    """A real `cocontroller serve` on a new demo database: (db path, port)."""
    db = database(tmp_path / "live.db")
    assert run("init", "--demo", "--db", db).returncode == 0
    port = free_port()
    process = subprocess.Popen([str(SCRIPT), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_serving(f"127.0.0.1:{port}", process)
        yield db, port
    finally:
        stop(process)


def test_init_seeds_the_demo_network(tmp_path):
    done = run("init", "--demo", "--db", database(tmp_path / "new.db"), "--json")
    assert done.returncode == 0, done.stderr
    assert '"dealers": 22' in done.stdout


@pytest.mark.sqlite_only
def test_init_creates_a_database_and_refuses_an_existing_one(tmp_path):
    db = tmp_path / "new.db"
    done = run("init", "--demo", "--db", db, "--json")
    assert done.returncode == 0, done.stderr
    assert db.exists()
    again = run("init", "--db", db)
    assert again.returncode == EXIT_PRECONDITION and "exists" in again.stderr


@pytest.mark.sqlite_only
def test_serve_refuses_a_database_that_does_not_exist(tmp_path):
    typo = tmp_path / "cocontroler.db"
    done = run("serve", "--db", typo, "--host", "127.0.0.1", "--port", free_port(), timeout=30)
    assert done.returncode == EXIT_PRECONDITION
    assert "does not exist" in done.stderr and "init" in done.stderr
    assert not typo.exists()


def test_a_second_server_on_a_bound_port_is_refused(serving, tmp_path):
    _, port = serving
    other = database(tmp_path / "other.db")
    assert run("init", "--demo", "--db", other).returncode == 0
    done = run("serve", "--db", other, "--host", "127.0.0.1", "--port", port, timeout=30)
    assert done.returncode == EXIT_PRECONDITION and str(port) in done.stderr


@pytest.mark.sqlite_only
def test_a_second_server_on_a_held_database_is_refused(serving):
    db, _ = serving
    done = run("serve", "--db", db, "--host", "127.0.0.1", "--port", free_port(), timeout=30)
    assert done.returncode == EXIT_PRECONDITION and "held" in done.stderr


@pytest.mark.sqlite_only
def test_demo_data_refuses_a_database_a_server_holds(serving):
    db, _ = serving
    done = run("demo-data", "--customers", 10, "--db", db, "--quiet")
    assert done.returncode == EXIT_PRECONDITION and "held" in done.stderr
    rows = subprocess.run([sys.executable, "-c", f"import sqlite3; print(sqlite3.connect({str(db)!r})"
                           ".execute('SELECT count(*) FROM customers').fetchone()[0])"],
                          capture_output=True, text=True, timeout=30)
    assert rows.stdout.strip() == "0"


def test_demo_data_needs_a_named_database(tmp_path):
    done = run("demo-data", "--customers", 10, cwd=tmp_path)
    assert done.returncode == 2 and "--db" in done.stderr
    assert list(tmp_path.iterdir()) == []


def test_serve_refuses_to_start_without_tls(tmp_path):
    """No certificates: refused on loopback, and off loopback with the reason."""
    db = database(tmp_path / "plain.db")
    assert run("init", "--demo", "--db", db).returncode == 0
    for host in ("127.0.0.1", "0.0.0.0"):
        done = run("serve", "--db", db, "--host", host, "--port", free_port(), "--certs-dir", tmp_path / "none",
                   timeout=30)
        assert done.returncode == EXIT_PRECONDITION and "cocontroller init --certs-only" in done.stderr
        assert ("in the clear" in done.stderr) == (host == "0.0.0.0")

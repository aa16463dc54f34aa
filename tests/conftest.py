"""Shared fixtures: the domain object over a fresh database, and a real gRPC server on a
loopback port with a client for it."""

import sqlite3

import pytest

from cocontroller.app import CoController
from cocontroller.server import build_server
from cocontroller_client.client import Client


@pytest.fixture
def app(tmp_path):
    """A CoController over a fresh SQLite file, seeded with the demo dealer network."""
    return CoController(tmp_path / "db.sqlite")


def _serve(db_path):
    server, port = build_server(CoController(db_path), "127.0.0.1:0")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None).wait()


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
    with Client(server) as c:
        yield c


def copy_database(source, target) -> None:
    """A consistent copy through sqlite3's backup API (committed WAL content included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()

"""Shared fixtures: the application over a fresh database with the demo network, and a real
gRPC server on a loopback port with a client for it."""

import sqlite3
from pathlib import Path

import pytest
from cocontroller import bootstrap
from cocontroller.api.server import build_server
from cocontroller.config import Settings
from cocontroller_client.client import Client


def make_app(db_path, **settings) -> bootstrap.App:
    """The application over `db_path`, created with the demo dealer network if absent."""
    config = Settings(db=str(db_path), **settings)
    if not Path(config.db).exists():
        bootstrap.create_database(config, demo=True)
    return bootstrap.build(config)


@pytest.fixture
def app(tmp_path):
    """The application over a fresh SQLite file, seeded with the demo dealer network."""
    return make_app(tmp_path / "db.sqlite")


def _serve(db_path):
    server, port = build_server(make_app(db_path), "127.0.0.1:0", max_workers=4)
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

"""Helpers for tests in any folder: `from support import make_app, copy_database, serve`.

They live here, not in conftest.py: tests/ is on sys.path (pytest's prepend import mode puts
the directory of tests/conftest.py there), but with more than one conftest.py in the tree
(tests/cli/ has its own) the name `conftest` means whichever was loaded last, so
`from conftest import ...` may find the wrong one. tests/conftest.py builds its fixtures
from these.
"""

import sqlite3
from pathlib import Path

import grpc
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


def serve(db_path):
    """A real server over `db_path` on a loopback port: yields its target, then stops it."""
    server, port = build_server(make_app(db_path), "127.0.0.1:0", max_workers=4)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.stop(grace=None).wait()


def copy_database(source, target) -> None:
    """A consistent copy through sqlite3's backup API (committed WAL content included)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def channel(target: str) -> grpc.Channel:
    """A channel to a test server, for raw calls (generic stubs, malformed bytes). Tests open
    channels only through here and `client_for`, so how a test client connects is decided in
    one place."""
    return grpc.insecure_channel(target)


def client_for(target: str, role: str = "admin") -> Client:
    """A client library instance talking to a test server as `role`."""
    return Client(target)

"""A real PostgreSQL server for the tests: the `pgserver` wheel's binaries (installed by
`make install`), started in a temporary directory and stopped at the end of the session.
Each test gets a database of its own on it."""

import itertools
import tempfile
from collections.abc import Iterator

import pgserver
import psycopg

_names = itertools.count()


class PostgresServer:
    def __init__(self) -> None:
        self.directory = tempfile.TemporaryDirectory(prefix="cocontroller-pg-")
        self.server = pgserver.get_server(self.directory.name, cleanup_mode="stop")
        self.url = self.server.get_uri()

    def new_database(self) -> str:
        """The URL of a new, empty database on the server."""
        name = f"test_{next(_names)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.replace("/postgres?", f"/{name}?", 1)

    def stop(self) -> None:
        self.server.cleanup()
        self.directory.cleanup()


def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()

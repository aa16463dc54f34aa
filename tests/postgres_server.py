"""A real PostgreSQL server for the tests: the `pgserver` wheel's binaries (installed by
`make install`), started in a temporary directory and stopped at the end of the session.
Each test gets a database of its own on it."""

import atexit
import itertools
import tempfile

import pgserver
import psycopg

_names = itertools.count()


class PostgresServer:
    def __init__(self) -> None:
        self.directory = tempfile.TemporaryDirectory(prefix="cocontroller-pg-")
        self.server = pgserver.get_server(self.directory.name, cleanup_mode="stop")
        self.url = self.server.get_uri()

    def new_database(self, template: str = "") -> str:
        """The URL of a new, empty database on the server; with `template`, a copy of the
        database at that URL instead."""
        name = f"test_{next(_names)}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            if template:
                source = psycopg.conninfo.conninfo_to_dict(template)["dbname"]
                # A template must have no other session: an application's pool keeps one open.
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                             " WHERE datname = %s AND pid <> pg_backend_pid()", [source])
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
            else:
                conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.replace("/postgres?", f"/{name}?", 1)

    def stop(self) -> None:
        self.server.cleanup()
        self.directory.cleanup()


_shared: PostgresServer | None = None


def shared_server() -> PostgresServer:
    """The session's server, started on first use and stopped when the process exits."""
    global _shared
    if _shared is None:
        _shared = PostgresServer()
        atexit.register(_shared.stop)
    return _shared

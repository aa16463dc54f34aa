"""Secret keys kept in files beside the database: made once (0600) when absent, so what
they hash stays comparable across restarts of one installation and differs between
installations."""

import os
import secrets
from pathlib import Path

from .errors import FailedPrecondition
from .store.dialect import is_url


def key_beside(db: str, suffix: str, given: str = "") -> bytes:
    """`given`, else the key in the file `<db>.<suffix>`, written when absent. A database in
    memory has no place beside it: its key lives as long as the process."""
    if given:
        return given.encode()
    if db == ":memory:":
        return _PROCESS_KEY
    if is_url(db):
        # Every replica must hash alike, and the key must not sit in the database it protects.
        raise FailedPrecondition(
            f"a PostgreSQL database has no file beside it: give its {suffix} as COCONTROLLER_{_SETTING[suffix]}"
            " (the same on every replica)")
    path = Path(f"{db}.{suffix}")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip().encode()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")
    return path.read_text().strip().encode()


_PROCESS_KEY = secrets.token_hex(32).encode()

# The setting that gives each key instead of its file.
_SETTING = {"logkey": "LOG_KEY", "erasurekey": "ERASURE_KEY"}

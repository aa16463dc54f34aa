"""Settings in one place: defaults, then `COCONTROLLER_*` environment variables, then flags.

Only the standard library is imported, so the client CLI can read its target here too.
"""

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_PREFIX = "COCONTROLLER_"
LOG_FORMATS = ("text", "json")


@dataclass(frozen=True)
class Settings:
    # The SQLite database file. `serve` refuses a file that does not exist (`init` makes it).
    db: str = "var/cocontroller.db"
    host: str = "localhost"
    port: int = 50051
    # gRPC handler threads: with one GIL on a small machine more threads only add wake-ups.
    workers: int = 4
    # Where the rule packs and the geodata are read; None: the copies shipped in the package.
    rules_dir: Path | None = None
    data_dir: Path | None = None
    log_format: str = "text"
    # The server the client commands talk to.
    target: str = "localhost:50051"

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

    def with_flags(self, **flags) -> "Settings":
        """These settings with the flags that were given (None means not given)."""
        settings = dataclasses.replace(self, **{k: v for k, v in flags.items() if v is not None})
        if settings.log_format not in LOG_FORMATS:
            raise ValueError(f"log format must be one of {', '.join(LOG_FORMATS)}")
        return settings


def _parse(name: str, kind, text: str):
    if kind in (int, "int"):
        try:
            return int(text)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be an integer, got {text!r}") from None
    if "Path" in str(kind):
        return Path(text)
    return text

"""The tenants a deployment serves, from its tenants file (TOML): a tenant is a brand in a
country, with its own database, rule packs and demo dealer network. Nothing is shared
between tenants but the process: isolation is by construction, one database each.

The shipped file (`tenants.toml` beside the rule packs) lists Lexus BE, then Toyota BE; the
`tenants` setting names another. In a file:

- the first tenant is the default: it uses the `db` setting as it stands, so a deployment
  made before tenants keeps its database as Lexus BE's;
- another tenant's `db` is the one the file gives, else derived from `db`: a SQLite file
  gets `-<id>` before its suffix (`var/cocontroller.db` -> `var/cocontroller-toyota-be.db`),
  a PostgreSQL URL's database name gets `_<id>` with `-` as `_` (`.../cocontroller` ->
  `.../cocontroller_toyota_be`);
- `rules` is a folder under the rule packs directory (`rules_dir`, else the shipped packs;
  "" is that directory itself), `demo_dealers` a file under the data directory
  (`data_dir`, else the shipped geodata); absolute paths are taken as they are.

Only the standard library is imported, as in config.py.
"""

import dataclasses
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from . import resources
from .config import Settings
from .errors import FailedPrecondition, NotFound
from .model import Tenant

FILE_NAME = "tenants.toml"
# A tenant id: lower-case words joined by hyphens (brand-country), as metadata and file names
# carry it.
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_COUNTRY = re.compile(r"[A-Z]{2}")
_KEYS = {"id", "brand", "country", "name", "rules", "demo_dealers", "db"}
_REQUIRED = ("id", "brand", "country", "name", "rules", "demo_dealers")


def tenants_file(settings: Settings) -> Path:
    return Path(settings.tenants) if settings.tenants else resources.packs_dir() / FILE_NAME


def served(settings: Settings) -> tuple[Tenant, ...]:
    """The tenants of the settings' tenants file, resolved against the settings, the default
    first; FailedPrecondition naming the file and the entry when it is malformed."""
    path = tenants_file(settings)
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("tenant")
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise FailedPrecondition(f"the tenants file {path} cannot be read: {e}") from None
    if not isinstance(entries, list) or not entries:
        raise FailedPrecondition(f"the tenants file {path} lists no [[tenant]]")
    packs = Path(settings.rules_dir) if settings.rules_dir else resources.packs_dir()
    data = Path(settings.data_dir) if settings.data_dir else resources.data_dir()
    found: list[Tenant] = []
    for number, entry in enumerate(entries):
        problem = _problem(entry, {t.id for t in found})
        if problem:
            raise FailedPrecondition(f"the tenants file {path}, tenant {number + 1}: {problem}")
        db = entry.get("db") or (settings.db if not found else derived_db(settings.db, entry["id"]))
        found.append(Tenant(entry["id"], entry["brand"], entry["country"], entry["name"], db,
                            str(packs / entry["rules"]), str(data / entry["demo_dealers"])))
    return tuple(found)


def _problem(entry, taken: set[str]) -> str:
    if not isinstance(entry, dict):
        return "must be a table"
    unknown = sorted(set(entry) - _KEYS)
    missing = [key for key in _REQUIRED if key not in entry]
    if unknown or missing:
        return f"unknown keys {unknown}" if unknown else f"missing keys {missing}"
    if not all(isinstance(value, str) for value in entry.values()):
        return "every value is text"
    if not _ID.fullmatch(entry["id"]) or len(entry["id"]) > 64:
        return f"id {entry['id']!r} must be lower-case words joined by hyphens (brand-country)"
    if entry["id"] in taken:
        return f"id {entry['id']!r} appears twice"
    if not _COUNTRY.fullmatch(entry["country"]):
        return f"country {entry['country']!r} must be an ISO 3166 code such as BE"
    return ""


def derived_db(db: str, tenant_id: str) -> str:
    """Another tenant's database beside the default's (see the module docstring)."""
    parts = urlsplit(db)
    if parts.scheme in ("postgresql", "postgres"):
        # Written out, not urlunsplit: that drops the "//" of a URL without a host.
        name = parts.path.lstrip("/") or "postgres"
        return (f"{parts.scheme}://{parts.netloc}/{name}_{tenant_id.replace('-', '_')}"
                + (f"?{parts.query}" if parts.query else ""))
    path = Path(db)
    return str(path.with_name(f"{path.stem}-{tenant_id}{path.suffix}"))


def chosen(settings: Settings) -> Tenant:
    """The tenant `settings.tenant` names among those served."""
    tenants = served(settings)
    for tenant in tenants:
        if tenant.id == settings.tenant:
            return tenant
    raise NotFound(f"tenant {settings.tenant!r} is not served here (the tenants file lists "
                   f"{', '.join(t.id for t in tenants)})")


def settings_of(settings: Settings, tenant: Tenant) -> Settings:
    """The settings of one tenant's application: its database, its packs, its id."""
    return dataclasses.replace(settings, db=tenant.db, rules_dir=Path(tenant.rules_dir), tenant=tenant.id)

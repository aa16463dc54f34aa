"""Belgian postcodes and where they lie, read from geodata/postcodes.csv (built by
geodata/build.py), so a request's postcode is checked against the official list, not a regex."""

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_FOUR_DIGITS = re.compile(r"[0-9]{4}")


def geodata_dir() -> Path:
    """The repo's geodata/ folder, or $COCONTROLLER_GEODATA for an installed service"""
    override = os.environ.get("COCONTROLLER_GEODATA")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "geodata"


class PostcodeError(ValueError):
    """A postcode that is malformed, out of range or unknown; `reason` says which, for the API"""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Postcode:
    postcode: str
    lat: float
    lon: float
    point_source: str
    place: str
    municipality_refnis: str
    municipality_nl: str
    municipality_fr: str
    municipality_de: str
    province_refnis: str
    province_nl: str
    province_fr: str
    region_refnis: str
    region_nl: str
    region_fr: str
    language_area: str
    flags: tuple[str, ...]


def _postcode(row: dict[str, str]) -> Postcode:
    return Postcode(
        **{
            **row,
            "lat": float(row["lat"]),
            "lon": float(row["lon"]),
            "flags": tuple(row["flags"].split(";")) if row["flags"] else (),
        }
    )


class PostcodeDirectory:
    """Every Belgian postcode, by code"""

    def __init__(self, path: Path | None = None):
        path = path or geodata_dir() / "postcodes.csv"
        with open(path, encoding="utf-8", newline="") as f:
            self._by_code = {row["postcode"]: _postcode(row) for row in csv.DictReader(f)}

    def get(self, code: str) -> Postcode:
        """The postcode, after stripping whitespace; raises `PostcodeError` otherwise"""
        code = code.strip()
        if not _FOUR_DIGITS.fullmatch(code):
            raise PostcodeError("format", f"postcode must be 4 digits, got {code!r}")
        if code[0] == "0":
            raise PostcodeError(
                "range", f"postcode {code} is out of range: Belgian postcodes run 1000-9992"
            )
        if code not in self._by_code:
            raise PostcodeError("unknown", f"postcode {code} does not exist in Belgium")
        return self._by_code[code]

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Postcode]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

"""Belgian postcodes and where they lie, read from postcodes.csv in the data directory
(built by geodata/build.py), so a request's postcode is checked against the official list, not a regex."""

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import shown
from ..model import Postcode

_FOUR_DIGITS = re.compile(r"[0-9]{4}")


class PostcodeError(ValueError):
    """A postcode that is malformed, out of range or unknown; `reason` says which, for the API"""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


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

    def __init__(self, path: Path):
        with open(path, encoding="utf-8", newline="") as f:
            self._by_code = {row["postcode"]: _postcode(row) for row in csv.DictReader(f)}

    def get(self, code: str) -> Postcode:
        """The postcode, after stripping whitespace; raises `PostcodeError` otherwise"""
        code = code.strip()
        if not _FOUR_DIGITS.fullmatch(code):
            raise PostcodeError("format", f"postcode must be 4 digits, got {shown(code)}")
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

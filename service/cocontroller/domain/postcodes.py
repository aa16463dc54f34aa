"""Belgian postcodes and where they lie, read from postcodes.csv in the data directory
(built by geodata/build.py), so a request's postcode is checked against the official list, not a regex."""

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import shown
from ..model import Language, Postcode, in_language

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


# The language of a postcode's language area: what a place is answered in when no customer
# asks. Brussels (nl-fr) is bilingual; French, as for a new customer there (usecases/customers.py).
_AREA_LANGUAGE = {"nl": Language.NL, "fr": Language.FR, "de": Language.DE, "nl-fr": Language.FR}


def area_language(pc: Postcode) -> Language:
    return _AREA_LANGUAGE.get(pc.language_area, Language.FR)


def municipality_name(pc: Postcode, language: str) -> str:
    """The postcode's municipality as an answer in `language` names it: its Dutch, French or
    German name (Namur in French, Namen in Dutch; Eupen's German name in German), falling back
    as `model.FALLBACKS` says where it has none in that language (a Walloon town in German
    reads French). English has no names of its own here, so it uses the municipality's own
    language area: French in Wallonia, German in the German-speaking community, Dutch in
    Flanders, and both names in bilingual Brussels (`Bruxelles/Brussel`)."""
    names = {Language.NL: pc.municipality_nl, Language.FR: pc.municipality_fr, Language.DE: pc.municipality_de}
    if language == Language.EN:
        if pc.language_area == "nl-fr" and names[Language.FR] and names[Language.NL] \
                and names[Language.FR] != names[Language.NL]:
            return f"{names[Language.FR]}/{names[Language.NL]}"
        language = area_language(pc)
    return in_language(names, language)

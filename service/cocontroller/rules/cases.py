"""Runs the test cases kept beside each rule pack (`<pack>_test.yaml`), as OPA keeps
`*_test.rego` next to a policy.

A case gives the day, the facts that differ from their zero value, and what must fire: for
a pack with priorities (first match wins) the one rule id, or null for no match; for a pack
without (every match fires) the list of rule ids.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import RulePackError
from ..model import CaseResult
from .engine import RuleEngine, Ruleset
from .pack import RulePack, day_number, read_yaml

_ZERO = {"bool": False, "int": 0, "number": 0.0, "string": ""}


@dataclass(frozen=True)
class PackCase:
    name: str
    day: dt.date
    facts: dict
    expect: object
    cites: str


def cases_path(pack_path: Path) -> Path:
    return pack_path.with_name(pack_path.stem + "_test.yaml")


def pack_cases_path(pack: RulePack) -> Path:
    """A pack's cases: beside it, or beside the pack it extends (the same rules decide)."""
    return cases_path(pack.cases_of or pack.path)


def cases_digest(pack: RulePack) -> str:
    """SHA-256 of the pack's cases file; raises RulePackError when it is missing."""
    path = pack_cases_path(pack)
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise RulePackError(path, None, "(file)", f"every pack needs its test cases beside it: {e}") from None


def load_cases(pack: RulePack) -> list[PackCase]:
    """The pack's cases, checked against its declared facts."""
    path = pack_cases_path(pack)
    if not path.exists():
        raise RulePackError(path, None, "(file)", "every pack needs its test cases beside it")
    data = read_yaml(path) or {}
    raw_cases = data.get("cases")
    if not isinstance(raw_cases, list) or not raw_cases:
        raise RulePackError(path, None, "cases", "must be a non-empty list")
    cases = []
    for raw in raw_cases:
        name = str(raw.get("name", "?"))
        unknown = set(raw.get("facts", {})) - set(pack.facts)
        if unknown:
            raise RulePackError(path, None, f"cases[{name}].facts", f"unknown facts {sorted(unknown)}")
        try:
            day = dt.date.fromisoformat(str(raw["day"]))
        except (KeyError, ValueError):
            raise RulePackError(path, None, f"cases[{name}].day", "needs a YYYY-MM-DD day") from None
        if "expect" not in raw:
            raise RulePackError(path, None, f"cases[{name}].expect", "is required")
        cases.append(PackCase(name, day, dict(raw.get("facts", {})), raw["expect"], str(raw.get("cites", ""))))
    return cases


class CaseRunner:
    """One pack compiled once (or the ruleset it is about to serve with), deciding its cases
    one by one."""

    def __init__(self, pack: RulePack, engine: RuleEngine | None = None, ruleset: Ruleset | None = None):
        self.pack = pack
        self.engine = engine or RuleEngine()
        self.ruleset = ruleset or self.engine.compile(f"test_{pack.qualified_version}", pack.conditions())
        self.first_match = any(rule.priority is not None for rule in pack.rules)

    def run(self, case: PackCase) -> CaseResult:
        pack = self.pack
        facts = {name: _ZERO[type_] for name, type_ in pack.facts.items()}
        facts.update(case.facts, day=day_number(case.day))
        if self.first_match:
            key = self.engine.first_match(self.ruleset, facts)
            got = pack.rule(key).id if key else None
            expected = case.expect
        else:
            got = sorted({pack.rule(key).id for key in self.engine.all_matches(self.ruleset, facts)})
            expected = sorted(case.expect)
        return CaseResult(pack.name, case.name, got == expected, expected, got, case.cites)


def run_cases(pack: RulePack, engine: RuleEngine | None = None, ruleset: Ruleset | None = None) -> list[CaseResult]:
    cases = load_cases(pack)
    runner = CaseRunner(pack, engine, ruleset)
    return [runner.run(case) for case in cases]


def check_cases(pack: RulePack, engine: RuleEngine, ruleset: Ruleset) -> None:
    """Raises RulePackError naming the first failing case of the pack's own cases, run on
    the ruleset it is about to serve with."""
    results = run_cases(pack, engine, ruleset)
    failed = [r for r in results if not r.passed]
    if failed:
        first = failed[0]
        raise RulePackError(pack_cases_path(pack), None, f"cases[{first.name}]",
                            f"expected {first.expected!r}, got {first.got!r} "
                            f"({len(failed)} of {len(results)} cases fail)")

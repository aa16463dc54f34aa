"""Runs the test cases kept beside each rule pack (`<pack>_test.yaml`), as OPA keeps
`*_test.rego` next to a policy.

A case gives the day, the facts that differ from their zero value, and what must fire: for
a pack with priorities (first match wins) the one rule id, or null for no match; for a pack
without (every match fires) the list of rule ids.
"""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .engine import RuleEngine
from .rulepack import RulePack, RulePackError, day_number, read_yaml

_ZERO = {"bool": False, "int": 0, "number": 0.0, "string": ""}


@dataclass(frozen=True)
class CaseResult:
    pack: str
    name: str
    passed: bool
    expected: object
    got: object
    cites: str


def cases_path(pack_path: Path) -> Path:
    return pack_path.with_name(pack_path.stem + "_test.yaml")


def run_cases(pack: RulePack, engine: RuleEngine | None = None) -> list[CaseResult]:
    path = cases_path(pack.path)
    if not path.exists():
        raise RulePackError(path, None, "(file)", "every pack needs its test cases beside it")
    data = read_yaml(path) or {}
    cases = data.get("cases")
    if not isinstance(cases, list) or not cases:
        raise RulePackError(path, None, "cases", "must be a non-empty list")
    engine = engine or RuleEngine()
    ruleset = engine.compile(f"test_{pack.qualified_version}", pack.conditions())
    first_match = any(rule.priority is not None for rule in pack.rules)
    results = []
    for case in cases:
        name = case.get("name", "?")
        unknown = set(case.get("facts", {})) - set(pack.facts)
        if unknown:
            raise RulePackError(path, None, f"cases[{name}].facts", f"unknown facts {sorted(unknown)}")
        day = dt.date.fromisoformat(str(case["day"]))
        facts = {name_: _ZERO[type_] for name_, type_ in pack.facts.items()}
        facts.update(case.get("facts", {}), day=day_number(day))
        if first_match:
            key = engine.first_match(ruleset, facts)
            got = pack.rule(key).id if key else None
        else:
            got = sorted({pack.rule(key).id for key in engine.all_matches(ruleset, facts)})
        expected = case["expect"] if first_match else sorted(case["expect"])
        results.append(CaseResult(pack.name, name, got == expected, expected, got, case.get("cites", "")))
    return results

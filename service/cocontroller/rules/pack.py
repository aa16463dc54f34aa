"""Rule packs: YAML data, validated at load and compiled into durable-rules conditions.

A pack file holds its name, version, the facts its rules may test, parameters, and rules.
Every rule has an id, a version, effective dates, a citation of the policy sentence it
encodes, labels in nl, fr, de and en and a `when` condition. Rules with one id may appear in several
versions whose effective dates must not overlap. Test cases live beside the pack in
`<pack>_test.yaml` (see cases.py).

A pack may instead extend another (`extends: <path of its pack file>`): the same rules, cases
and facts, its own name, version and description, its `parameters` over the other's (key by
key), its version written after the other's (`2026.12.6.5+toyota-be.1`: a new version of
either is a new version), and `relabel`, a list of [text, replacement] pairs applied to every text of the rules
and parameters but the citations, which keep quoting the policy as written. Another brand
serving under the same policy text is such a pack (rules/toyota-be/README.md).

The condition language is small on purpose: a list of clauses, all of which must hold.
A clause is `{fact: value}` (equality), `{fact: {op: value}}` with op one of eq, ne, lt, lte,
gt, gte (value may be `{fact: other}` to compare two facts), `{any: [clauses]}` or
`{all: [clauses]}`. The effective dates are compiled into the condition too, so the engine
itself decides which version of a rule applies on the fact `day` (YYYYMMDD).
"""

import datetime as dt
import functools
import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ..errors import RulePackError
from ..model import LABEL_LANGUAGES, in_language
from .engine import RuleEngine, Ruleset

LANGUAGES = tuple(str(language) for language in LABEL_LANGUAGES)


class TextError(ValueError):
    """A per-language text that is missing or malformed; `where` names the part below the
    rule's field (`why.de` below `output`), so the pack's error names it exactly."""

    def __init__(self, where: str, problem: str):
        super().__init__(problem)
        self.where = where


def texts(value, where: str = "") -> dict[str, str]:
    """A text written in every language of an answer: a mapping of each of LANGUAGES (nl, fr,
    de, en) to non-empty text, nothing else. Packs are data reviewed like code, so a missing
    language is refused at load (TextError naming it) rather than falling back at run time."""
    prefix = f"{where}." if where else ""
    if not isinstance(value, dict):
        raise TextError(where, f"must map {', '.join(LANGUAGES)} to text")
    for language in LANGUAGES:
        text = value.get(language)
        if not isinstance(text, str) or not text.strip():
            raise TextError(prefix + language, "is missing")
    unknown = sorted(str(key) for key in set(value) - set(LANGUAGES))
    if unknown:
        raise TextError(prefix + unknown[0], "unknown language")
    return {language: value[language].strip() for language in LANGUAGES}
_OPS = {"eq": None, "ne": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}
_FACT_TYPES = {"bool": bool, "int": int, "number": (int, float), "string": str}
_PACK_KEYS = {"pack", "version", "description", "source", "facts", "parameters", "rules", "include"}
# What a pack that extends another may say itself; the rest is the other's.
_OVERLAY_KEYS = {"pack", "version", "description", "extends", "relabel", "parameters"}
_RULE_KEYS = {
    "id", "version", "effective_from", "effective_until", "citation", "labels", "when", "priority",
    "records_from", "records_until",
}
# Which date picks the version of a rule: the day asked about (effective_from/until, every
# rule), and for a rule that also gives records_from/until, the date of each record it
# concerns, where the law says so (a document is kept under the regime of its own fiscal
# year, whatever day the question is asked).
AS_OF, RECORD_DATE = "as_of", "record_date"


class _Loader(yaml.SafeLoader):
    """Reads dates as text, so a bad date is reported against its rule and field rather
    than as a YAML error."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path):
    return parse_yaml(path.read_bytes())


def parse_yaml(raw: bytes):
    return yaml.load(raw.decode("utf-8"), Loader=_Loader)


@dataclass(frozen=True)
class Citation:
    section: str
    text: str


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    effective_from: dt.date
    effective_until: dt.date | None
    citation: Citation
    labels: dict[str, str]
    when: list
    priority: int | None
    # The file the rule is written in (the pack's, or a part it includes): errors name it.
    source: Path
    extra: dict[str, Any] = field(default_factory=dict)
    # The records this version governs, by their own date (None, None: not picked by record).
    records_from: dt.date | None = None
    records_until: dt.date | None = None

    @property
    def selected_by(self) -> str:
        return RECORD_DATE if self.records_from or self.records_until else AS_OF

    def governs(self, record_day: dt.date) -> bool:
        """Whether a record of that day falls under this version (see records_from)."""
        return (self.records_from is None or self.records_from <= record_day) and (
            self.records_until is None or record_day < self.records_until)

    @functools.cached_property
    def key(self) -> str:
        """Unique within a pack: the engine's rule name."""
        return f"{self.id}@v{self.version}"

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_until is None or day < self.effective_until
        )

    def label(self, language: str) -> str:
        return in_language(self.labels, language)


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    path: Path
    facts: dict[str, str]
    parameters: dict[str, Any]
    rules: tuple[Rule, ...]
    # SHA-256 of the pack file and the parts it includes: one version, one content.
    content_hash: str = ""
    description: str = ""
    # Every file the pack was read from (its own, the pack it extends, their parts).
    files: tuple[Path, ...] = ()
    # The pack file whose `<pack>_test.yaml` holds the cases: its own, or the one it extends.
    cases_of: Path | None = None

    @property
    def qualified_version(self) -> str:
        return f"{self.name}@{self.version}"

    def rule(self, key: str) -> Rule:
        return self._by_key[key]

    @cached_property
    def _by_key(self) -> dict[str, Rule]:
        return {r.key: r for r in self.rules}

    def conditions(self) -> dict[str, dict]:
        """The durable-rules definition of every rule, keyed by rule key."""
        return {rule.key: _compile_rule(rule) for rule in self.rules}


def load_pack(path: Path | str, extra_fields: dict[str, Any] | None = None) -> RulePack:
    """Loads and validates one pack file. `extra_fields` maps the rule fields this kind of
    pack adds to a validator that returns the cleaned value or raises ValueError."""
    path = Path(path)
    extra_fields = extra_fields or {}
    raw, data = _read_pack(path)
    content = hashlib.sha256(raw)
    overlay, relabel = {}, (lambda value: value)
    if "extends" in data:
        overlay, relabel = data, _relabelling(path, data)
        path_of_base = Path(os.path.normpath(path.parent / str(data["extends"])))
        base_raw, data = _read_pack(path_of_base)
        if "extends" in data:
            raise RulePackError(path_of_base, None, "extends", "a pack extends one that extends none")
        content.update(path_of_base.name.encode() + b"\0" + base_raw)
        files, cases_of = [path, path_of_base], path_of_base
    else:
        path_of_base, files, cases_of = path, [path], path
    for key in ("pack", "version", "facts"):
        if key not in data:
            raise RulePackError(path_of_base, None, key, "is required")
    facts = data["facts"]
    if not isinstance(facts, dict) or not facts:
        raise RulePackError(path_of_base, None, "facts", "must map fact names to types")
    for name, type_name in facts.items():
        if type_name not in _FACT_TYPES:
            raise RulePackError(
                path_of_base, None, f"facts.{name}", f"type must be one of {sorted(_FACT_TYPES)}"
            )
    facts = dict(facts, day="int")
    rules = []
    for part, raw_rules, part_bytes in _rule_lists(path_of_base, data):
        if part != path_of_base:
            content.update(part.name.encode() + b"\0" + part_bytes)
            files.append(part)
        rules += [_load_rule(part, relabel(rule), facts, extra_fields) for rule in raw_rules]
    if not rules:
        raise RulePackError(path, None, "rules", "the pack holds no rule")
    rules = tuple(rules)
    _check_versions(path, rules)
    if overlay:
        # The other pack's version in the overlay's: a new version of either is a new version.
        data = {**data, **{k: v for k, v in overlay.items() if k in ("pack", "description")},
                "version": f"{data['version']}+{overlay.get('version', '')}"}
    return RulePack(
        name=str(data["pack"]),
        version=str(data["version"]),
        path=path,
        facts=facts,
        parameters=relabel({**(data.get("parameters") or {}), **(overlay.get("parameters") or {})}),
        rules=rules,
        content_hash=content.hexdigest(),
        description=str(data.get("description", "")),
        files=tuple(files),
        cases_of=cases_of,
    )


def _read_pack(path: Path) -> tuple[bytes, dict]:
    """A pack file's bytes and mapping, its keys checked."""
    try:
        raw = path.read_bytes()
        data = parse_yaml(raw)
    except (OSError, yaml.YAMLError) as e:
        raise RulePackError(path, None, "(file)", f"cannot be read as YAML: {e}") from e
    if not isinstance(data, dict):
        raise RulePackError(path, None, "(file)", "must hold a mapping")
    for key in data:
        if key not in (_OVERLAY_KEYS if "extends" in data else _PACK_KEYS):
            raise RulePackError(path, None, key, "unknown field")
    return raw, data


def _relabelling(path: Path, data: dict):
    """The overlay's `relabel` as a function over a rule or the parameters: every text but a
    citation's, with each listed text replaced (the longest first, each place once)."""
    pairs = data.get("relabel") or []
    if not isinstance(pairs, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(t, str) and t for t in p) for p in pairs):
        raise RulePackError(path, None, "relabel", "must be a list of [text, replacement] pairs")
    replacements = dict(pairs)
    pattern = re.compile("|".join(re.escape(t) for t in sorted(replacements, key=len, reverse=True)))

    def relabel(value):
        if isinstance(value, str):
            return pattern.sub(lambda m: replacements[m.group()], value) if replacements else value
        if isinstance(value, list):
            return [relabel(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k == "citation" else relabel(v) for k, v in value.items()}
        return value

    return relabel


def _rule_lists(path: Path, data: dict):
    """The pack's own `rules`, then those of each file it includes (which hold nothing else),
    each with the file it came from and, for an included file, its bytes (the content hash
    covers them)."""
    if "rules" in data:
        if not isinstance(data["rules"], list):
            raise RulePackError(path, None, "rules", "must be a list")
        yield path, data["rules"], b""
    include = data.get("include", [])
    if not isinstance(include, list):
        raise RulePackError(path, None, "include", "must be a list of file names")
    for name in include:
        part = path.parent / str(name)
        try:
            part_bytes = part.read_bytes()
            part_data = parse_yaml(part_bytes)
        except (OSError, yaml.YAMLError) as e:
            raise RulePackError(part, None, "(file)", f"cannot be read as YAML: {e}") from e
        if not isinstance(part_data, dict) or set(part_data) != {"rules"}:
            raise RulePackError(part, None, "(file)", "an included file holds only `rules`")
        if not isinstance(part_data["rules"], list):
            raise RulePackError(part, None, "rules", "must be a list")
        yield part, part_data["rules"], part_bytes


def day_number(day: dt.date) -> int:
    """The `day` fact: YYYYMMDD as an integer, so the engine can compare dates."""
    return day.year * 10000 + day.month * 100 + day.day


def _load_rule(path, raw, facts, extra_fields) -> Rule:
    if not isinstance(raw, dict):
        raise RulePackError(path, None, "rules", "each rule must be a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RulePackError(path, None, "id", "every rule needs a string id")
    for key in raw:
        if key not in _RULE_KEYS and key not in extra_fields:
            raise RulePackError(path, rule_id, key, "unknown field")
    for key in ("version", "effective_from", "citation", "labels", "when"):
        if key not in raw:
            raise RulePackError(path, rule_id, key, "is required")
    version = raw["version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RulePackError(path, rule_id, "version", "must be a positive integer")
    start = _date(path, rule_id, "effective_from", raw["effective_from"])
    end = raw.get("effective_until")
    end = None if end is None else _date(path, rule_id, "effective_until", end)
    if end is not None and end <= start:
        raise RulePackError(path, rule_id, "effective_until", "must be after effective_from")
    citation = raw["citation"]
    if not isinstance(citation, dict) or set(citation) != {"section", "text"} or not all(
        isinstance(v, str) and v.strip() for v in citation.values()
    ):
        raise RulePackError(path, rule_id, "citation", "needs a non-empty section and text")
    try:
        labels = texts(raw["labels"], "labels")
    except TextError as e:
        raise RulePackError(path, rule_id, e.where, str(e)) from None
    when = raw["when"]
    if not isinstance(when, list):
        raise RulePackError(path, rule_id, "when", "must be a list of clauses")
    for clause in when:
        _check_clause(path, rule_id, clause, facts)
    priority = raw.get("priority")
    if priority is not None and (not isinstance(priority, int) or isinstance(priority, bool)):
        raise RulePackError(path, rule_id, "priority", "must be an integer")
    records_from, records_until = (
        None if raw.get(name) is None else _date(path, rule_id, name, raw[name]) for name in ("records_from", "records_until")
    )
    if records_from and records_until and records_until <= records_from:
        raise RulePackError(path, rule_id, "records_until", "must be after records_from")
    extra = {}
    for key, validate in extra_fields.items():
        try:
            extra[key] = validate(raw.get(key))
        except TextError as e:
            raise RulePackError(path, rule_id, f"{key}.{e.where}" if e.where else key, str(e)) from None
        except (TypeError, ValueError) as e:
            raise RulePackError(path, rule_id, key, str(e)) from e
    return Rule(
        id=rule_id,
        version=version,
        effective_from=start,
        effective_until=end,
        citation=Citation(citation["section"].strip(), " ".join(citation["text"].split())),
        labels=labels,
        when=when,
        priority=priority,
        source=path,
        extra=extra,
        records_from=records_from,
        records_until=records_until,
    )


def _date(path, rule_id, name, value) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RulePackError(path, rule_id, name, f"{value!r} is not a YYYY-MM-DD date") from None


def _check_clause(path, rule_id, clause, facts, where="when"):
    if not isinstance(clause, dict) or len(clause) != 1:
        raise RulePackError(path, rule_id, where, f"clause {clause!r} must have exactly one key")
    (name, value), = clause.items()
    if name in ("any", "all"):
        if not isinstance(value, list) or not value:
            raise RulePackError(path, rule_id, f"{where}.{name}", "must be a non-empty list")
        for inner in value:
            _check_clause(path, rule_id, inner, facts, f"{where}.{name}")
        return
    if name not in facts:
        raise RulePackError(path, rule_id, f"{where}.{name}", "is not a declared fact")
    if isinstance(value, dict):
        if len(value) != 1 or next(iter(value)) not in _OPS:
            raise RulePackError(
                path, rule_id, f"{where}.{name}", f"operator must be one of {sorted(_OPS)}"
            )
        (operand,) = value.values()
        if isinstance(operand, dict):
            if set(operand) != {"fact"} or operand["fact"] not in facts:
                raise RulePackError(
                    path, rule_id, f"{where}.{name}", f"{operand!r} names no declared fact"
                )
            return
        value = operand
    if not isinstance(value, _FACT_TYPES[facts[name]]):
        raise RulePackError(
            path, rule_id, f"{where}.{name}", f"{value!r} is not of type {facts[name]}"
        )


def _compile_clause(clause) -> dict:
    (name, value), = clause.items()
    if name in ("any", "all"):
        return {"$or" if name == "any" else "$and": [_compile_clause(c) for c in value]}
    if not isinstance(value, dict):
        return {name: value}
    (op, operand), = value.items()
    if isinstance(operand, dict):
        operand = {"$m": operand["fact"]}
    if _OPS[op] is None:
        return {name: operand}
    return {_OPS[op]: {name: operand}}


def _compile_rule(rule: Rule) -> dict:
    clauses = [_compile_clause(c) for c in rule.when]
    clauses.append({"$gte": {"day": day_number(rule.effective_from)}})
    if rule.effective_until is not None:
        clauses.append({"$lt": {"day": day_number(rule.effective_until)}})
    definition = {"all": [{"m": {"$and": clauses}}]}
    if rule.priority is not None:
        definition["pri"] = rule.priority
    return definition


def _check_versions(path, rules):
    by_id: dict[str, list[Rule]] = {}
    for rule in rules:
        by_id.setdefault(rule.id, []).append(rule)
    for rule_id, versions in by_id.items():
        if len({r.version for r in versions}) != len(versions):
            raise RulePackError(path, rule_id, "version", "appears twice")
        if all(r.selected_by == RECORD_DATE for r in versions):
            # Versions in force together, each for the records of its own period.
            _check_record_periods(path, rule_id, versions)
            continue
        versions.sort(key=lambda r: r.effective_from)
        for earlier, later in zip(versions, versions[1:]):
            if earlier.effective_until is None or earlier.effective_until > later.effective_from:
                raise RulePackError(
                    path,
                    rule_id,
                    "effective_from",
                    f"version {later.version} overlaps the effective dates of version "
                    f"{earlier.version}",
                )


def _check_record_periods(path, rule_id, versions):
    versions = sorted(versions, key=lambda r: r.records_from or dt.date.min)
    for earlier, later in zip(versions, versions[1:]):
        if earlier.records_until is None or later.records_from is None or earlier.records_until > later.records_from:
            raise RulePackError(path, rule_id, "records_from",
                                f"version {later.version} overlaps the records of version {earlier.version}")


@dataclass(frozen=True)
class CompiledPack:
    """A loaded pack and its ruleset in the engine: what a decision runs on."""

    pack: RulePack
    ruleset: Ruleset

    @property
    def version(self) -> str:
        return self.pack.qualified_version


def compile_pack(
    engine: RuleEngine, path: Path, extra_fields: dict[str, Any], check=None
) -> CompiledPack:
    """Loads, checks and compiles a pack file; raises RulePackError when it must not load."""
    pack = load_pack(path, extra_fields)
    if check is not None:
        check(pack)
    compiled = CompiledPack(pack, engine.compile(pack.qualified_version, pack.conditions()))
    # The ruleset lives as long as the compiled pack: a reload's old ones are freed.
    engine.release_with(compiled, compiled.ruleset)
    return compiled

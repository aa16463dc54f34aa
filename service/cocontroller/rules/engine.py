"""A thread-safe wrapper around the durable-rules engine.

durable_rules 2.0.28 is not safe to use as it comes (DEVELOPERS.md lists the traps):

- `engine.Host()` starts dispatcher timers that steal pending actions from any session, so
  decisions silently return nothing and threads crash the process: `_QuietHost` overrides the
  private `_run` that starts them (tests/test_engine.py pins that this still holds);
- sessions are found by a 32-bit hash of their id and a ruleset holds at most 1,024 live ones:
  every call here uses the one session id and deletes its state in `finally`;
- the engine is not thread-safe: one lock serialises every call;
- an action with two parameters is taken as asynchronous: actions here take one;
- a ruleset name can never be registered twice: every compiled ruleset gets a fresh name;
- `register_rulesets` mutates the dict it is given: it gets a copy;
- the first decision on a freshly registered ruleset that matches no rule segfaults the
  process in `delete_state`: every ruleset is compiled with a warm-up rule that only the
  warm-up fact matches, and that fact is posted once before the ruleset is handed out;
- a host never forgets a ruleset: `release_with` frees one (its native handle and the
  host's private `_ruleset_directory` and `_ruleset_list` entries) once its owner is garbage.
  The owner's finalizer only queues the name, since it may run while the lock is held; the
  next compile deletes the queued rulesets under the lock.
"""

import copy
import itertools
import queue
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

import durable_rules_engine
from durable import engine

from .signature import distinguisher

_SESSION = "decision"
# A fact name no pack may declare (pack facts are identifiers without a leading underscore).
_WARMUP = "__warmup__"


class _QuietHost(engine.Host):
    """A host without the background dispatcher: actions run inside post/assert_fact."""

    def _run(self):
        pass


@dataclass(frozen=True)
class Ruleset:
    """A compiled ruleset: its engine name and its rule ids in definition order, and
    `facts_key`: what of a fact its rules can tell apart (rules/signature.py), a key under
    which the engine's answer for one fact is its answer for another; None when the rules'
    conditions are not of the forms it reads."""

    name: str
    rule_ids: tuple[str, ...]
    facts_key: Callable[[dict], tuple | None] | None = field(default=None, compare=False, repr=False)


class RuleEngine:
    """One durable-rules host whose calls are serialised by one lock."""

    def __init__(self):
        self._host = _QuietHost()
        self._lock = threading.Lock()
        self._names = itertools.count(1)
        self._fired: list[str] = []
        # Names of rulesets no one uses any more; SimpleQueue.put is safe in a finalizer.
        self._released: queue.SimpleQueue[str] = queue.SimpleQueue()

    def compile(self, label: str, rules: dict[str, dict]) -> Ruleset:
        """Registers `rules` (rule id -> durable-rules JSON condition with optional `pri`)
        under a new unique name derived from `label`."""
        if _WARMUP in rules:
            raise ValueError(f"{_WARMUP} is reserved for the engine's warm-up rule")
        definition = {}
        for rule_id, condition in rules.items():
            rule = copy.deepcopy(condition)
            rule["run"] = self._recorder(rule_id)
            definition[rule_id] = rule
        definition[_WARMUP] = {"all": [{"m": {_WARMUP: True}}], "run": self._recorder(_WARMUP)}
        with self._lock:
            self._delete_released()
            name = f"{re.sub(r'[^A-Za-z0-9_]', '_', label)}_{next(self._names)}"
            self._host.register_rulesets({name: definition})
        ruleset = Ruleset(name, tuple(rules), distinguisher(rules, reserved=_WARMUP))
        # A decision that matches nothing is safe only after one that matched (see above).
        if self.all_matches(ruleset, {_WARMUP: True}) != [_WARMUP]:
            raise RuntimeError(f"durable-rules did not fire the warm-up rule of {name}")
        return ruleset

    def release_with(self, owner: object, ruleset: Ruleset) -> None:
        """Frees `ruleset` once `owner` (what decisions reach it through) is garbage: a
        runtime that calls in flight still hold keeps its rulesets."""
        weakref.finalize(owner, self._released.put, ruleset.name)

    def _delete_released(self) -> None:
        while True:
            try:
                name = self._released.get_nowait()
            except queue.Empty:
                return
            compiled = self._host._ruleset_directory.pop(name, None)
            if compiled is not None:
                self._host._ruleset_list.remove(compiled)
                durable_rules_engine.delete_ruleset(compiled._handle)

    def first_match(self, ruleset: Ruleset, fact: dict) -> str | None:
        """Posts `fact` as an event: the matching rule of highest priority fires.
        Returns its id, or None when no rule matched."""
        fired = self._run(self._host.post, ruleset, fact)
        return fired[0] if fired else None

    def all_matches(self, ruleset: Ruleset, fact: dict) -> list[str]:
        """Asserts `fact`: every matching rule fires. Returns their ids in firing order, each
        once: a rule whose condition has alternatives ($or) fires once per alternative that
        holds."""
        return list(dict.fromkeys(self._run(self._host.assert_fact, ruleset, fact)))

    def _run(self, call, ruleset: Ruleset, fact: dict) -> list[str]:
        message = dict(fact, sid=_SESSION)
        with self._lock:
            self._fired = []
            try:
                call(ruleset.name, message)
            except engine.MessageNotHandledException:
                pass
            finally:
                self._host.delete_state(ruleset.name, _SESSION)
            return self._fired

    def _recorder(self, rule_id: str):
        def action(c):
            self._fired.append(rule_id)

        return action

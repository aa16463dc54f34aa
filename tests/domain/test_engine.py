"""The durable-rules wrapper: the traps DEVELOPERS.md lists must stay closed."""

import gc
import importlib.metadata
import subprocess
import sys
import threading

import durable_rules_engine
from durable import engine as durable_engine

from cocontroller.rules.engine import RuleEngine, _QuietHost

PRECEDENCE = {
    "high": {"pri": 1, "all": [{"m": {"$and": [{"a": True}, {"$gt": {"x": {"$m": "y"}}}]}}]},
    "middle": {"pri": 2, "all": [{"m": {"a": True}}]},
    "low": {"pri": 3, "all": [{"m": {"b": True}}]},
}


def test_pinned_version_still_has_the_private_run_we_override():
    assert importlib.metadata.version("durable_rules") == "2.0.28"
    assert callable(durable_engine.Host._run)


def test_quiet_host_starts_no_dispatcher_threads():
    before = threading.active_count()
    _QuietHost()
    assert threading.active_count() == before


def test_post_fires_the_matching_rule_of_highest_priority():
    rules = RuleEngine()
    ruleset = rules.compile("precedence", PRECEDENCE)
    assert rules.first_match(ruleset, {"a": True, "b": True, "x": 2, "y": 1}) == "high"
    assert rules.first_match(ruleset, {"a": True, "b": True, "x": 1, "y": 2}) == "middle"
    assert rules.first_match(ruleset, {"a": False, "b": True, "x": 0, "y": 0}) == "low"
    assert rules.first_match(ruleset, {"a": False, "b": False, "x": 0, "y": 0}) is None


def test_assert_fires_every_matching_rule():
    rules = RuleEngine()
    ruleset = rules.compile("all", PRECEDENCE)
    fired = rules.all_matches(ruleset, {"a": True, "b": True, "x": 2, "y": 1})
    assert sorted(fired) == ["high", "low", "middle"]
    assert rules.all_matches(ruleset, {"a": False, "b": False, "x": 0, "y": 0}) == []


def test_same_label_compiles_under_a_new_name_and_the_old_one_keeps_working():
    rules = RuleEngine()
    first = rules.compile("pack@1", PRECEDENCE)
    second = rules.compile("pack@1", {"only": {"all": [{"m": {"b": True}}]}})
    assert first.name != second.name
    assert rules.first_match(first, {"a": True, "b": True, "x": 0, "y": 0}) == "middle"
    assert rules.first_match(second, {"a": True, "b": True, "x": 0, "y": 0}) == "only"


def test_the_definition_passed_in_is_not_mutated():
    rules = RuleEngine()
    definition = {"r": {"all": [{"m": {"a": True}}]}}
    rules.compile("mutation", definition)
    assert definition == {"r": {"all": [{"m": {"a": True}}]}}


def test_far_more_decisions_than_live_sessions_allowed():
    """A ruleset holds at most 1,024 live sessions: state must be deleted after each call,
    matched or not."""
    rules = RuleEngine()
    ruleset = rules.compile("sessions", PRECEDENCE)
    for i in range(3000):
        fact = {"a": i % 3 == 0, "b": i % 3 == 1, "x": 1, "y": 0}
        expected = "high" if i % 3 == 0 else "low" if i % 3 == 1 else None
        assert rules.first_match(ruleset, fact) == expected


def test_threads_share_one_engine_safely():
    rules = RuleEngine()
    ruleset = rules.compile("threads", PRECEDENCE)
    wrong = []

    def work(seed):
        for i in range(400):
            high = (i + seed) % 2 == 0
            got = rules.first_match(ruleset, {"a": True, "b": False, "x": 1 if high else 0, "y": 0})
            if got != ("high" if high else "middle"):
                wrong.append((seed, i, got))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_a_fresh_rulesets_first_decision_may_match_nothing():
    """durable-rules segfaults in delete_state when the first decision on a newly registered
    ruleset matches no rule; the wrapper's warm-up decision closes that. Run in a process
    of its own, so a regression shows as a crash there and a failure here."""
    code = (
        "from cocontroller.rules.engine import RuleEngine\n"
        "rules = RuleEngine()\n"
        "first = rules.compile('first', {'r': {'all': [{'m': {'a': True}}]}})\n"
        "assert rules.first_match(first, {'a': False}) is None\n"
        "second = rules.compile('second', {'r': {'all': [{'m': {'a': True}}]}})\n"
        "assert rules.all_matches(second, {'a': False}) == []\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def test_pinned_private_api_that_freeing_a_ruleset_relies_on():
    """RuleEngine._delete_released reaches into the host: its directory and list of rulesets,
    a ruleset's native handle, and the native delete_ruleset."""
    host = _QuietHost()
    host.register_rulesets({"pinned": {"r": {"all": [{"m": {"a": True}}], "run": lambda c: None}}})
    ruleset = host._ruleset_directory["pinned"]
    assert host._ruleset_list == [ruleset]
    assert isinstance(ruleset._handle, int)
    assert callable(durable_rules_engine.delete_ruleset)


def test_a_ruleset_is_freed_once_its_owner_is_garbage_and_not_before():
    class Owner:
        pass

    rules = RuleEngine()
    kept_owner, dropped_owner = Owner(), Owner()
    kept = rules.compile("kept", PRECEDENCE)
    dropped = rules.compile("dropped", PRECEDENCE)
    rules.release_with(kept_owner, kept)
    rules.release_with(dropped_owner, dropped)
    del dropped_owner
    gc.collect()
    rules.compile("next", PRECEDENCE)  # deletes what was released since the last compile
    directory = rules._host._ruleset_directory
    assert dropped.name not in directory and dropped.name not in [r._name for r in rules._host._ruleset_list]
    assert kept.name in directory
    assert rules.first_match(kept, {"a": True, "b": False, "x": 0, "y": 0}) == "middle"

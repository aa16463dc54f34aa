"""Reloading the rule packs frees the rulesets of the runtimes no one uses any more (each
reload compiles two new ones, about 0.7 MiB), and never those of a runtime a call still holds."""

import gc
import threading

from cocontroller import clock


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def test_200_reloads_keep_rss_flat_and_free_the_old_rulesets(app):
    host = app.runtime.engine._host
    first = app.runtime.current
    first_names = {first.assignment.ruleset.name, first.privacy.ruleset.name}
    del first
    for _ in range(20):
        app.runtime.reload_packs()
    gc.collect()
    before = rss_mib()
    for _ in range(200):
        app.runtime.reload_packs()
    gc.collect()
    growth = rss_mib() - before
    assert growth < 4, f"RSS grew {growth:.2f} MiB over 200 reloads"
    assert not first_names & set(host._ruleset_directory)
    # The runtime in use, and at most the previous one, whose names wait for the next compile.
    assert len(host._ruleset_directory) == len(host._ruleset_list) <= 4


def test_a_runtime_held_by_a_call_keeps_deciding_through_reloads(app):
    app.customers.upsert("held-1", "9000")
    held = app.runtime.current
    errors, decisions = [], []
    stop = threading.Event()

    def decide_on_held():
        while not stop.is_set():
            try:
                at = clock.now()
                snapshot = app.store.customers.snapshot("held-1", at)
                decisions.append(app.assignment.decide(snapshot, at, held).rules_version)
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)
                return

    thread = threading.Thread(target=decide_on_held)
    thread.start()
    try:
        for _ in range(10):
            app.runtime.reload_packs()
            gc.collect()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert errors == []
    assert decisions and set(decisions) == {held.assignment.version}
    assert held.assignment.ruleset.name in app.runtime.engine._host._ruleset_directory
    # Past the decision cache: the held ruleset itself still fires in the engine.
    assert app.runtime.engine.all_matches(held.assignment.ruleset, {"__warmup__": True}) == ["__warmup__"]
    at = clock.now()
    assert app.assignment.decide(app.store.customers.snapshot("held-1", at), at, held).dealer.dealer_id

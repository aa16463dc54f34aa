"""A decision that matches no rule is FAILED_PRECONDITION, never a dead server: as the first
decision of a freshly started `cocontroller serve`, and again as the first one after a
`ReloadRulePacks` call and after a SIGHUP, each followed by a health check.

durable-rules segfaults on the first decision of a freshly registered ruleset that matches
nothing; engine.py's warm-up closes that, and this is the proof through the whole server, in
a process of its own, as an operator runs it."""

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import grpc
import pytest
from support import client_for, database, free_port, stop, wait_serving

from cocontroller import resources
from cocontroller_client.client import ClientError

SCRIPT = Path(sys.executable).parent / "cocontroller"
# No dealer of the demo network was active yet: the assignment pack matches no candidate.
BEFORE_ANY_DEALER = "2005-01-01"


def assert_no_match_refused(target: str, process: subprocess.Popen) -> None:
    with client_for(target) as c, pytest.raises(ClientError) as e:
        c.responsible_for_location("9000", as_of=BEFORE_ANY_DEALER)
    assert e.value.code == grpc.StatusCode.FAILED_PRECONDITION, e.value
    wait_serving(target, process)


def set_privacy_version(rules: Path, version: str) -> None:
    path = rules / "privacy" / "privacy.yaml"
    lines = [f'version: "{version}"' if line.startswith("version:") else line
             for line in path.read_text(encoding="utf-8").splitlines()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def fresh_process(tmp_path):
    """A new `cocontroller serve` on a new demo database with a copy of the packs: (target,
    process, rules directory)."""
    rules = tmp_path / "rules"
    shutil.copytree(resources.packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    db = database(tmp_path / "fresh.db")
    init = subprocess.run([str(SCRIPT), "init", "--demo", "--db", db], capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    port = free_port()
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--db", db, "--host", "127.0.0.1", "--port", str(port), "--rules-dir", str(rules)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = f"127.0.0.1:{port}"
    try:
        wait_serving(target, process)
        yield target, process, rules
    finally:
        stop(process)


def test_a_no_match_decision_first_after_start_reload_and_sighup(fresh_process):
    target, process, rules = fresh_process
    assert_no_match_refused(target, process)

    with client_for(target) as c:
        c.reload_rule_packs()
    assert_no_match_refused(target, process)

    set_privacy_version(rules, "2099.1.1")
    process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    with client_for(target) as c:
        while ("privacy", "2099.1.1") not in {(p.name, p.version) for p in c.rule_packs()}:
            assert time.monotonic() < deadline, "SIGHUP did not reload the packs"
            assert process.poll() is None, f"server exited with {process.returncode}"
            time.sleep(0.1)
    assert_no_match_refused(target, process)

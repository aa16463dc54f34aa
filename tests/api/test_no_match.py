"""A decision that matches no rule is FAILED_PRECONDITION, never a dead server: as the first
decision of a freshly started `cocontroller serve`, and again as the first one after a
`ReloadRulePacks` call and after a SIGHUP, each followed by a health check.

durable-rules segfaults on the first decision of a freshly registered ruleset that matches
nothing; engine.py's warm-up closes that, and this is the proof through the whole server, in
a process of its own, as an operator runs it."""

import signal
import subprocess

import grpc
import pytest
from support import client_for, serve_process, set_privacy_version, wait_for_privacy_version, wait_serving

from cocontroller_client.client import ClientError

# No dealer of the demo network was active yet: the assignment pack matches no candidate.
BEFORE_ANY_DEALER = "2005-01-01"


def assert_no_match_refused(target: str, process: subprocess.Popen) -> None:
    with client_for(target) as c, pytest.raises(ClientError) as e:
        c.responsible_for_location("9000", as_of=BEFORE_ANY_DEALER)
    assert e.value.code == grpc.StatusCode.FAILED_PRECONDITION, e.value
    wait_serving(target, process)


@pytest.fixture
def fresh_process(tmp_path):
    """A new `cocontroller serve` on a new demo database with a copy of the packs: (target,
    process, rules directory)."""
    yield from serve_process(tmp_path)


def test_a_no_match_decision_first_after_start_reload_and_sighup(fresh_process):
    target, process, rules = fresh_process
    assert_no_match_refused(target, process)

    with client_for(target) as c:
        c.reload_rule_packs()
    assert_no_match_refused(target, process)

    set_privacy_version(rules, "2099.1.1")
    process.send_signal(signal.SIGHUP)
    wait_for_privacy_version(target, process, "2099.1.1")
    assert_no_match_refused(target, process)

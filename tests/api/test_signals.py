"""`cocontroller serve` obeys SIGHUP and SIGTERM whichever of its threads the kernel hands
them to. Python runs a signal's handler in the main thread only, and a signal delivered to
another thread does not wake a main thread blocked in a wait: there it waited for the next
signal that happened to reach it (a CI run's SIGHUP reload never came). Each signal here is
sent to a thread other than the main one (tgkill), the case the kernel may pick at random."""

import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import client_for, database, free_port, stop, wait_serving

from cocontroller import resources

SCRIPT = Path(sys.executable).parent / "cocontroller"
_SYS_TGKILL = 234  # x86-64

pytestmark = pytest.mark.skipif(sys.platform != "linux" or os.uname().machine != "x86_64",
                                reason="tgkill's number is x86-64 Linux's")


def to_another_thread(pid: int, sig: int) -> None:
    """Sends `sig` to one of the process's threads that is not its main one."""
    others = sorted(int(tid) for tid in os.listdir(f"/proc/{pid}/task") if int(tid) != pid)
    assert others, "the server runs no thread but its main one"
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.syscall(_SYS_TGKILL, pid, others[-1], sig) == 0, os.strerror(ctypes.get_errno())


@pytest.fixture
def served(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(resources.packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    db = database(tmp_path / "signals.db")
    init = subprocess.run([str(SCRIPT), "init", "--demo", "--db", db], capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    target = f"127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [str(SCRIPT), "serve", "--db", db, "--host", "127.0.0.1", "--port", target.rsplit(":", 1)[1],
         "--rules-dir", str(rules), "--metrics-port", "0", "--sweep-hour", "-1"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_serving(target, process)
        yield target, process, rules
    finally:
        stop(process)


def test_sighup_to_any_thread_reloads_the_packs(served):
    target, process, rules = served
    path = rules / "privacy" / "privacy.yaml"
    path.write_text("".join('version: "2099.2.2"\n' if line.startswith("version:") else line
                            for line in path.read_text(encoding="utf-8").splitlines(keepends=True)),
                    encoding="utf-8")
    to_another_thread(process.pid, signal.SIGHUP)
    deadline = time.monotonic() + 20
    with client_for(target) as c:
        while ("privacy", "2099.2.2") not in {(p.name, p.version) for p in c.rule_packs()}:
            assert time.monotonic() < deadline, "SIGHUP did not reload the packs"
            assert process.poll() is None, f"server exited with {process.returncode}"
            time.sleep(0.1)


def test_sigterm_to_any_thread_stops_the_server(served):
    _, process, _ = served
    to_another_thread(process.pid, signal.SIGTERM)
    assert process.wait(timeout=30) == 0

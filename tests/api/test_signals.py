"""`cocontroller serve` obeys SIGHUP and SIGTERM whichever of its threads the kernel hands
them to. Python runs a signal's handler in the main thread only, and a signal delivered to
another thread does not wake a main thread blocked in a wait: there it waited for the next
signal that happened to reach it (a CI run's SIGHUP reload never came). Each signal here is
sent to a thread other than the main one (tgkill), the case the kernel may pick at random."""

import ctypes
import os
import signal
import sys

import pytest
from support import serve_process, set_privacy_version, wait_for_privacy_version

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
    yield from serve_process(tmp_path, "--metrics-port", "0", "--sweep-hour", "-1")


def test_sighup_to_any_thread_reloads_the_packs(served):
    target, process, rules = served
    set_privacy_version(rules, "2099.2.2")
    to_another_thread(process.pid, signal.SIGHUP)
    wait_for_privacy_version(target, process, "2099.2.2", timeout=20)


def test_sigterm_to_any_thread_stops_the_server(served):
    _, process, _ = served
    to_another_thread(process.pid, signal.SIGTERM)
    assert process.wait(timeout=30) == 0

"""`serve` copies each SQLite tenant's log into its file from a thread of its own
(api/operations.py, store/db.py), which ends when the server stops."""

import pytest

from cocontroller.api.operations import Operations
from support import make_app

pytestmark = pytest.mark.sqlite_only


def test_each_tenant_gets_a_checkpoint_thread_that_ends_with_the_server(tmp_path):
    apps = {"lexus-be": make_app(tmp_path / "lexus.db"), "toyota-be": make_app(tmp_path / "toyota.db")}
    ops = Operations()
    threads = ops.checkpoint_apart(apps)
    assert [thread.name for thread in threads] == ["checkpoints", "checkpoints"]
    assert all(thread.is_alive() for thread in threads)
    ops.stopping.set()
    for thread in threads:
        thread.join(5)
    assert not any(thread.is_alive() for thread in threads)

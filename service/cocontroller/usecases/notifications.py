"""What the other servers on a shared (PostgreSQL) database tell this one: a rule-pack reload,
which this one repeats from its own files, and a network change, which it reads at once
(rather than at its next once-a-second look) and which may have scheduled work for its
scheduler. On SQLite one server holds the file and nothing is heard."""

import threading

from ..store import NETWORK_CHANGED, PACKS_CHANGED, Store
from .packs import PackService
from .runtime import RuntimeHolder
from .schedule import ScheduledChanges


class Notifications:
    def __init__(self, store: Store, runtime: RuntimeHolder, packs: PackService, schedule: ScheduledChanges):
        self.store = store
        self.runtime = runtime
        self.packs = packs
        self.schedule = schedule

    def listen(self, stop: threading.Event) -> None:
        """Acts on each notification until `stop` is set."""
        self.store.listen(self.heard, stop)

    def heard(self, topic: str) -> None:
        if topic == PACKS_CHANGED:
            self.packs.reload_heard()
        elif topic == NETWORK_CHANGED:
            self.runtime.refresh_network()
            self.schedule.wake.set()

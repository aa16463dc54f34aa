"""The network changes recorded ahead of their day, and the scheduler that acts on them.

A change effective after the day it is recorded is stored with its schedule (in the same
transaction, usecases/network.py). From its notice day the scheduler runs its announcement
job, which writes the notices of the customers it will move; from its effective day, its
re-assignment job, deciding as of the start of that day. Both are jobs with fixed ids, so a
server stopped or killed at any point resumes each at its last committed batch, and one
found finished writes nothing: each runs once, across restarts. A change whose notice day
had already passed when the server came back (it was down) is applied without an
announcement, and the re-assignment writes its notices as any job does.
"""

import datetime as dt
import logging
import threading
from collections.abc import Iterator

from .. import clock
from ..logs import event
from ..model import JobProgress, Page, PageRequest, ScheduledChange, ScheduleStatus
from ..store import Store
from .reassign import ReassignService

log = logging.getLogger(__name__)


class ScheduledChanges:
    def __init__(self, store: Store, reassign: ReassignService):
        self.store = store
        self.reassign = reassign
        # Set when this process schedules a change: a scheduler waiting for its next day
        # looks again (the new change's notices may be due today).
        self.wake = threading.Event()

    def listed(self, status: ScheduleStatus | None = None, page: PageRequest | None = None) -> Page[ScheduledChange]:
        """The scheduled changes by effective day, of one status when given."""
        return self.store.schedule.listed(status, page)

    def next_due(self) -> dt.datetime | None:
        """When something is next due: the start of the first open change's next day."""
        day = self.store.schedule.next_day()
        return clock.end_of_day(day - dt.timedelta(days=1)) if day else None

    def run_due(self, stop: threading.Event | None = None) -> list[ScheduledChange]:
        """Does what is due today, change by change in effective order, and returns the
        changes as they then stand. Stops after the batch it is writing once `stop` is set;
        the rest is done at the next run. A change whose job fails is logged and left due
        (its job resumes at the next run); the others go on."""
        done = []
        for change in self.store.schedule.due(clock.today()):
            if stop is not None and stop.is_set():
                break
            try:
                done.append(self._advance(change, stop))
            except Exception:
                log.exception("scheduled network change %d failed; it is tried again at the next run",
                              change.change_id)
        return done

    def _advance(self, change: ScheduledChange, stop: threading.Event | None) -> ScheduledChange:
        today = clock.today()
        if change.status == ScheduleStatus.SCHEDULED and change.effective > today:
            if _finished(self.reassign.run_scheduled(change, announce=True, stop=stop)):
                self._mark(change, ScheduleStatus.ANNOUNCED)
        elif change.effective <= today:
            if _finished(self.reassign.run_scheduled(change, announce=False, stop=stop)):
                self._mark(change, ScheduleStatus.APPLIED)
        return self.store.schedule.get(change.change_id)

    def _mark(self, change: ScheduledChange, status: ScheduleStatus) -> None:
        with self.store.transaction():
            self.store.schedule.mark(change.change_id, status, clock.now())
        event(log, "schedule." + status, change_id=change.change_id, dealer_id=change.dealer_id,
              effective=change.effective.isoformat())


def _finished(progress: Iterator[JobProgress]) -> bool:
    """Runs a job to its end; False when it was stopped before it."""
    finished = False
    for item in progress:
        finished = item.finished
    return finished

"""What a network change recorded ahead of its day owes: which customers it may move, and
from which day they are told. A closure can only move the dealer's own customers; an
opening, a move or a reopening may draw anyone nearer, so it walks them all."""

import datetime as dt

from ..model import NetworkChangeKind, ScheduledChange, ScheduleStatus, Scope

# Tell customers this many days before their controller changes. The new distributor receives
# the data from the importer, not from the customer, so GDPR art. 14(3)(a) (Regulation (EU)
# 2016/679, OJ L 119, 4.5.2016, CELEX 32016R0679) has it inform them "within a reasonable
# period ... at the latest within one month": told a month ahead, they know before it holds them.
DEFAULT_NOTICE_LEAD_DAYS = 30


def plan(change_id: int, kind: NetworkChangeKind, dealer_id: str, effective: dt.date, today: dt.date,
         lead_days: int, now: dt.datetime) -> ScheduledChange:
    """The schedule of a change effective after `today`: told `lead_days` before its day, or
    at once when that is already past."""
    scope = Scope(dealer_ids=(dealer_id,)) if kind == NetworkChangeKind.CLOSE else Scope()
    return ScheduledChange(
        change_id=change_id, kind=kind, dealer_id=dealer_id, effective=effective,
        notice_on=max(today, effective - dt.timedelta(days=lead_days)), scope=scope,
        status=ScheduleStatus.SCHEDULED, job_id=f"change-{change_id}", announce_job_id=f"change-{change_id}-notices",
        created_at=now,
    )

"""A network change recorded ahead of its day: previewed before it, its customers told a lead
time ahead, applied on the day and once only; a cancellation takes back its job and its
unsent notices. The clock is injected (clock.now patched), never slept on."""

import datetime as dt
import threading

import pytest

import support
from cocontroller import clock
from cocontroller.errors import FailedPrecondition
from cocontroller.model import DealerFields, NoticeKind, ScheduleStatus, Scope

DAY0 = dt.date(2031, 3, 3)
GENT = ("sch-1", "sch-2", "sch-3")
ELSEWHERE = "sch-brussels"


class Clock:
    """The instant every use case reads, moved by the test."""

    def __init__(self, monkeypatch, day: dt.date):
        self.instant = at(day, 10)
        monkeypatch.setattr(clock, "now", lambda: self.instant)

    def to(self, day: dt.date, hour: int = 0, minute: int = 1) -> None:
        self.instant = at(day, hour, minute)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), clock.BRUSSELS).astimezone(clock.UTC)


def start_of(day: dt.date) -> dt.datetime:
    return clock.end_of_day(day - dt.timedelta(days=1))


@pytest.fixture
def world(tmp_path, monkeypatch):
    """dlr-gent's three customers and one in Brussels, on DAY0."""
    now = Clock(monkeypatch, DAY0)
    app = support.make_app(tmp_path / "db.sqlite")
    for customer_id in GENT:
        app.customers.upsert(customer_id, "9000")
        app.assignment.assign(customer_id)
    app.customers.upsert(ELSEWHERE, "1000")
    app.assignment.assign(ELSEWHERE)
    assert {app.store.assignments.current(c).dealer_id for c in GENT} == {"dlr-gent"}
    yield app, now
    app.store.close()


def dealers(app) -> dict[str, str]:
    return {c: app.store.assignments.current(c).dealer_id for c in (*GENT, ELSEWHERE)}


def notices(app, pending_only: bool = False):
    return app.audit.notices(pending_only=pending_only).items


def versions(app) -> int:
    return app.store.db.execute("SELECT count(*) FROM assignments").fetchone()[0]


def test_a_closure_is_previewed_announced_at_the_lead_time_and_applied_on_its_day_once(world):
    app, now = world
    closing = DAY0 + dt.timedelta(days=40)
    change = app.network.close_dealer("dlr-gent", closing, "test")
    scheduled = change.scheduled
    assert scheduled.status == ScheduleStatus.SCHEDULED
    assert scheduled.notice_on == closing - dt.timedelta(days=30) and scheduled.scope == Scope(dealer_ids=("dlr-gent",))
    before = dealers(app)

    now.to(DAY0 + dt.timedelta(days=5))
    assert app.schedule.run_due() == []
    assert notices(app) == () and dealers(app) == before
    preview = list(app.reassign.run("preview", Scope(dealer_ids=("dlr-gent",)), True, at=start_of(closing)))
    assert {c.customer_id for p in preview for c in p.changes} == set(GENT)
    moved_to = {c.customer_id: c.new_dealer_id for p in preview for c in p.changes}

    now.to(scheduled.notice_on, 0)
    [announced] = app.schedule.run_due()
    assert announced.status == ScheduleStatus.ANNOUNCED
    told = notices(app, pending_only=True)
    assert {(n.customer_id, n.old_dealer_id, n.new_dealer_id) for n in told} == {
        (c, "dlr-gent", moved_to[c]) for c in GENT}
    assert all(n.kind == NoticeKind.ANNOUNCEMENT and n.assignment_id is None for n in told)
    assert all(n.letter.effective_date == closing and n.letter.old and n.letter.new for n in told)
    assert all(n.created_at == now.instant for n in told)
    assert dealers(app) == before  # told, not moved

    now.to(closing - dt.timedelta(days=1), 23, 59)
    assert app.schedule.run_due() == [] and dealers(app) == before

    now.to(closing, 0, 1)
    [applied] = app.schedule.run_due()
    assert applied.status == ScheduleStatus.APPLIED
    assert dealers(app) == {**before, **moved_to}
    for customer_id in GENT:
        assert app.store.assignments.current(customer_id).valid_from == start_of(closing)
    after = notices(app)
    assert [n.id for n in after] == [n.id for n in told]  # the announcements, now linked: no second letter
    assert all(n.assignment_id == app.store.assignments.current(n.customer_id).id for n in after)

    written = versions(app)
    now.to(closing + dt.timedelta(days=3))
    assert app.schedule.run_due() == []
    job = app.store.jobs.start(scheduled.job_id, scheduled.scope, start_of(closing), "test")
    assert job.status == "finished" and job.changed == len(GENT)
    assert versions(app) == written and len(notices(app)) == len(GENT)


def test_a_cancelled_change_withdraws_its_unsent_notices_and_never_runs(world):
    app, now = world
    closing = DAY0 + dt.timedelta(days=20)
    change = app.network.close_dealer("dlr-gent", closing, "test")
    now.to(DAY0 + dt.timedelta(days=1))
    app.schedule.run_due()
    told = notices(app, pending_only=True)
    assert len(told) == len(GENT)
    app.audit.mark_notices_exported([told[0].id])

    cancelled = app.network.cancel_change(change.id, "test", "the dealer found a buyer")
    assert cancelled.withdrawn_notices == len(GENT) - 1
    assert app.store.schedule.get(change.id).status == ScheduleStatus.CANCELLED
    assert notices(app, pending_only=True) == ()
    kept = {n.id: n for n in notices(app)}
    assert kept[told[0].id].exported_at is not None and kept[told[0].id].cancelled_at is None
    assert all(kept[n.id].cancelled_at is not None for n in told[1:])
    assert app.audit.mark_notices_exported([n.id for n in told[1:]])[0] == 0  # a withdrawn letter is never sent

    before, written = dealers(app), versions(app)
    now.to(closing, 1)
    assert app.schedule.run_due() == []
    assert dealers(app) == before and versions(app) == written


def test_an_announcement_the_day_does_not_bear_out_is_withdrawn(world):
    app, now = world
    closing = DAY0 + dt.timedelta(days=40)
    app.network.close_dealer("dlr-gent", closing, "test")
    now.to(DAY0 + dt.timedelta(days=10))
    app.schedule.run_due()
    told = {n.customer_id: n for n in notices(app, pending_only=True)}
    # Meanwhile one customer designates another dealer: they move now, with their own notice.
    chosen = next(d for d in app.network.list_dealers(None, True).items
                  if d.version.dealer_id not in ("dlr-gent", told["sch-1"].new_dealer_id)).version.dealer_id
    app.facts.set_preference("sch-1", chosen, None)
    assert app.store.assignments.current("sch-1").dealer_id == chosen

    now.to(closing)
    app.schedule.run_due()
    by_id = {n.id: n for n in notices(app)}
    assert by_id[told["sch-1"].id].cancelled_at is not None  # gent -> elsewhere never happened
    assert all(by_id[told[c].id].assignment_id is not None for c in ("sch-2", "sch-3"))
    assert app.store.assignments.current("sch-1").dealer_id == chosen


def test_a_change_that_fell_due_while_no_server_ran_is_applied_with_ordinary_notices(world):
    app, now = world
    closing = DAY0 + dt.timedelta(days=40)
    change = app.network.close_dealer("dlr-gent", closing, "test")
    now.to(closing + dt.timedelta(days=2), 9)
    [applied] = app.schedule.run_due()
    assert applied.status == ScheduleStatus.APPLIED and applied.announced_at is None
    moved = notices(app)
    assert {n.customer_id for n in moved} == set(GENT)
    assert all(n.kind == NoticeKind.CHANGE and n.trigger == f"job:{change.scheduled.job_id}" for n in moved)
    # Valid from the day it took effect, recorded when it was learnt: now.
    current = app.store.assignments.current("sch-1")
    assert current.valid_from == start_of(closing) and current.decided_at == now.instant


def test_an_opening_tells_the_customers_it_will_draw(world):
    app, now = world
    opening = DAY0 + dt.timedelta(days=60)
    fields = DealerFields(legal_name="Lexus Gent-Zuid NV", trade_name="Lexus Gent-Zuid", enterprise_number="0403170701",
                          street="Kortrijksesteenweg 1", postcode="9000", town="Gent", lat=51.05, lon=3.72,
                          languages=("nl",), roles=("sales", "service"))
    change = app.network.add_dealer("dlr-gent-zuid", fields, opening, "test")
    assert change.scheduled.scope == Scope() and change.scheduled.notice_on == opening - dt.timedelta(days=30)
    now.to(change.scheduled.notice_on)
    app.schedule.run_due()
    told = notices(app, pending_only=True)
    assert told and {n.new_dealer_id for n in told} == {"dlr-gent-zuid"}
    assert ELSEWHERE not in {n.customer_id for n in told}
    now.to(opening)
    app.schedule.run_due()
    assert {dealers(app)[n.customer_id] for n in told} == {"dlr-gent-zuid"}


def test_changes_from_today_on_are_not_scheduled(world):
    app, _ = world
    change = app.network.close_dealer("dlr-gent", DAY0, "test")
    assert change.scheduled is None and app.store.schedule.get(change.id) is None


def test_a_change_cancelled_while_its_announcement_runs_writes_no_more(world):
    app, now = world
    closing = DAY0 + dt.timedelta(days=10)
    change = app.network.close_dealer("dlr-gent", closing, "test").scheduled
    job = app.reassign.run_scheduled(change, announce=True, batch_size=1)
    first = next(job)
    assert first.processed == 1 and len(notices(app)) == first.changed == 1
    app.network.cancel_change(change.change_id, "test", "called off while the letters were written")
    with pytest.raises(FailedPrecondition, match="cancelled"):
        next(job)
    assert len(notices(app)) == 1 and notices(app, pending_only=True) == ()


def test_two_replicas_running_the_schedule_together_do_each_job_once(world, tmp_path):
    """Two servers' schedulers on one database (threads here, replicas in production) both
    find the change due: they share its jobs, so one announcement and one new version per
    customer, and the change is marked once."""
    app, now = world
    other = support.make_app(app.settings.db)
    closing = DAY0 + dt.timedelta(days=40)
    app.network.close_dealer("dlr-gent", closing, "test")
    before = versions(app)
    for day in (closing - dt.timedelta(days=30), closing):
        now.to(day)
        runs = [threading.Thread(target=replica.schedule.run_due) for replica in (app, other)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(timeout=60)
    assert sorted(n.customer_id for n in notices(app) if n.kind == NoticeKind.ANNOUNCEMENT) == sorted(GENT)
    assert versions(app) == before + len(GENT)
    assert app.store.schedule.due(closing) == []
    other.store.close()

"""Answers kept for a record read again unchanged: given again only while nothing they rest
on has changed (the record, the runtime, the day, the asked language, a recorded time still
ahead)."""

import datetime as dt

import pytest

from cocontroller import clock
from support import PROOF, make_app

TODAY = clock.today()


def at(hour: int, minute: int = 0) -> dt.datetime:
    """An instant of today in Brussels."""
    return dt.datetime.combine(TODAY, dt.time(hour, minute), clock.BRUSSELS).astimezone(clock.UTC)


@pytest.fixture
def app(tmp_path, monkeypatch):
    app = make_app(tmp_path / "db.sqlite")
    monkeypatch.setattr(clock, "now", lambda: at(8))
    app.customers.upsert("kept-1", "9000")
    app.assignment.assign("kept-1")
    yield app
    app.store.close()


def now_is(monkeypatch, instant: dt.datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: instant)


def test_the_same_record_on_the_same_day_gets_the_kept_answer(app, monkeypatch):
    now_is(monkeypatch, at(21))
    first = app.resolution.resolve("kept-1", None)
    now_is(monkeypatch, at(22))
    assert app.resolution.resolve("kept-1", None) is first
    assert app.resolution.answers_use.hits == 1


def test_a_new_fact_is_answered_anew(app, monkeypatch):
    before = app.resolution.resolve("kept-1", None)
    app.facts.record_consent("kept-1", "email", at(7), None, PROOF)
    after = app.resolution.resolve("kept-1", None)
    assert not before.facts["consent_email"] and after.facts["consent_email"]


def test_a_recorded_time_later_in_the_day_ends_the_kept_answer(app, monkeypatch):
    now_is(monkeypatch, at(13))
    app.facts.record_consent("kept-1", "email", at(12), None, PROOF)
    now_is(monkeypatch, at(10))
    early = app.resolution.resolve("kept-1", None)
    now_is(monkeypatch, at(11, 59))
    assert app.resolution.resolve("kept-1", None) is early
    assert not early.facts["consent_email"]
    now_is(monkeypatch, at(12, 1))
    assert app.resolution.resolve("kept-1", None).facts["consent_email"]


def test_another_language_day_or_runtime_is_answered_anew(app):
    first = app.resolution.resolve("kept-1", None, "nl")
    assert app.resolution.resolve("kept-1", None, "fr").language == "fr"
    assert app.resolution.resolve("kept-1", TODAY - dt.timedelta(days=1), "nl") is not first
    app.packs.reload()
    assert app.resolution.resolve("kept-1", None, "nl") is not first


def test_a_customer_without_a_stored_assignment_is_not_kept(app):
    app.customers.upsert("kept-2", "1000")
    first = app.resolution.resolve("kept-2", None)
    app.facts.set_preference("kept-2", "dlr-gent", None)  # not in the record the answer rests on
    second = app.resolution.resolve("kept-2", None)
    assert second is not first
    distributor = next(c for c in second.controllers if c.role == "distributor")
    assert distributor.id == "dlr-gent"

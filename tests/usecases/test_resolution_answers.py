"""Answers kept for a record read again unchanged: given again only while nothing they rest
on has changed (the record, the runtime, the day, the asked language, a recorded time still
ahead)."""

import datetime as dt

import pytest

from cocontroller import clock, errors
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


def test_an_objection_later_in_the_day_ends_the_kept_answer(app, monkeypatch):
    now_is(monkeypatch, at(13))
    app.facts.record_objection("kept-1", "direct_marketing", at(12))
    now_is(monkeypatch, at(10))
    early = app.resolution.resolve("kept-1", None)
    now_is(monkeypatch, at(11, 59))
    assert app.resolution.resolve("kept-1", None) is early
    now_is(monkeypatch, at(12, 1))
    assert app.resolution.resolve("kept-1", None) is not early


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


def test_kept_answers_equal_fresh_ones_whatever_happens_between(app, monkeypatch):
    """A seeded walk of recordings (contacts, consents given and withdrawn, contracts,
    disputes opened and closed, designations) and moves of the clock within a day and across
    days: after each step, the answers for today and for an earlier day equal those computed
    with nothing kept."""
    import random

    rng = random.Random(7)
    now = [at(9)]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    app.customers.upsert("walk-1", "9000")
    app.assignment.assign("walk-1")
    dealers = ["dlr-gent", "dlr-aalst", "dlr-brugge"]
    open_dispute = False
    for step in range(120):
        action = rng.choice(["contact", "consent", "withdraw", "contract", "dispute", "prefer", "clock", "clock",
                             "day"])
        back = now[0] - dt.timedelta(hours=rng.randint(0, 30), minutes=rng.randint(0, 59))
        try:
            if action == "contact":
                kind = rng.choice(["quote", "purchase", "service_visit", "test_drive_request", "brochure"])
                app.facts.record_contact("", "walk-1", rng.choice(dealers), kind, back)
            elif action == "consent":
                app.facts.record_consent("walk-1", rng.choice(["email", "sms", "post"]), back, None, PROOF)
            elif action == "withdraw":
                app.facts.record_consent("walk-1", rng.choice(["email", "sms", "post"]), None, now[0])
            elif action == "contract":
                start = clock.day_of(back) - dt.timedelta(days=rng.randint(0, 900))
                end = start + dt.timedelta(days=rng.randint(1, 1500)) if rng.random() < 0.7 else None
                app.facts.record_contract(f"walk-c{step}", "walk-1", rng.choice(["lease", "maintenance", "purchase"]),
                                          "Fictilease NV", "", start, end)
            elif action == "dispute":
                app.facts.record_dispute("walk-1", None if open_dispute else back, now[0] if open_dispute else None,
                                         "paint")
                open_dispute = not open_dispute
            elif action == "prefer":
                app.facts.set_preference("walk-1", rng.choice(dealers), back)
            elif action == "clock":
                now[0] += dt.timedelta(minutes=rng.randint(1, 240))
            else:
                now[0] += dt.timedelta(days=rng.randint(1, 400))
        except (errors.FailedPrecondition, errors.InvalidArgument):
            pass  # a recording the store refuses (a consent not in force, a time in the future)
        app.assignment.follow_up("walk-1", "walk")
        for language, as_of in (("", None), ("fr", None), ("", clock.day_of(back))):
            given = app.resolution.resolve("walk-1", as_of, language)
            app.resolution._answers.clear()
            assert given == app.resolution.resolve("walk-1", as_of, language), (step, action, as_of)


@pytest.mark.parametrize("kind", ["contact", "consent", "contract", "dispute"])
def test_a_retraction_is_answered_anew(app, monkeypatch, kind):
    """The kept answer rests on the one-statement read; a retraction changes what it returns,
    so the answer given after it is computed again, without the fact."""
    if kind == "contact":
        fact_id = app.facts.record_contact("", "kept-1", "dlr-aalst", "purchase", at(7))[0].event_id
    elif kind == "consent":
        fact_id = str(app.facts.record_consent("kept-1", "email", at(7), None, PROOF)[0][0].id)
    elif kind == "contract":
        fact_id = app.facts.record_contract("kept-c", "kept-1", "lease", "Fictilease NV", "", TODAY, None)[0].id
    else:
        fact_id = str(app.facts.record_dispute("kept-1", at(7), None, "paint").id)
    kept = app.resolution.resolve("kept-1", None)
    assert app.resolution.resolve("kept-1", None) is kept
    app.rights.rectify(kind, "kept-1", fact_id, "recorded in error")
    answered = app.resolution.resolve("kept-1", None)
    assert answered is not kept and answered != kept
    app.resolution._answers.clear()
    assert answered == app.resolution.resolve("kept-1", None)

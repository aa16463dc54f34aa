"""A network change announced for a later day can be previewed now: a dry run as of that
day shows who would move, locally and through the server; an applied job may not look
ahead."""

import datetime as dt

import grpc
import pytest

import support
from cocontroller import clock
from cocontroller.errors import InvalidArgument
from cocontroller.model import Scope
from cocontroller_client.client import ClientError

CUSTOMERS = ("prev-1", "prev-2", "prev-3")


@pytest.fixture(scope="module")
def announced(tmp_path_factory):
    """dlr-gent's customers, and its closure announced for ten days from now."""
    db = tmp_path_factory.mktemp("preview") / "db.sqlite"
    app = support.make_app(db)
    for customer_id in CUSTOMERS:
        app.customers.upsert(customer_id, "9000")
        app.assignment.assign(customer_id)
    closing = clock.today() + dt.timedelta(days=10)
    app.network.close_dealer("dlr-gent", closing, "test")
    app.store.close()
    return db, clock.end_of_day(closing)  # the first instant after the closing day's start


def changed(progress) -> set[str]:
    return {c.customer_id for p in progress for c in p.changes}


def test_a_dry_run_as_of_the_day_previews_who_would_move(announced):
    db, then = announced
    app = support.make_app(db)
    assert changed(app.reassign.run("now", Scope(dealer_ids=("dlr-gent",)), True)) == set()
    assert changed(app.reassign.run("then", Scope(dealer_ids=("dlr-gent",)), True, at=then)) == set(CUSTOMERS)
    assert all(app.store.assignments.current(c).dealer_id == "dlr-gent" for c in CUSTOMERS)  # nothing written
    with pytest.raises(InvalidArgument) as caught:
        list(app.reassign.run("applied", Scope(dealer_ids=("dlr-gent",)), False, at=then))
    assert [f for f, _ in caught.value.violations] == ["at"]


def test_the_server_previews_and_refuses_to_apply_ahead(announced, cli):
    db, then = announced
    for target in support.serve(db):
        with support.client_for(target, "batch") as batch:
            progress = list(batch.reassign("preview", dealer_ids=["dlr-gent"], dry_run=True, at=then))
            assert progress[-1].finished and progress[-1].changed == len(CUSTOMERS)
            with pytest.raises(ClientError) as caught:
                list(batch.reassign("ahead", dealer_ids=["dlr-gent"], at=then))
            assert caught.value.code == grpc.StatusCode.INVALID_ARGUMENT
        code, out, err = cli("reassign", "--job-id", "preview-cli", "--dealers", "dlr-gent", "--dry-run",
                             "--at", then.isoformat(), "--target", target, "--quiet")
        assert code == 0, err
        assert f"{len(CUSTOMERS)} changed" in out

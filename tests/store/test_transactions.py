"""The unit of work on both backends: a transaction whose COMMIT is refused ends there, so
the thread's next transaction starts clean instead of joining it."""

import pytest

import support


def test_a_commit_refused_by_a_deferred_foreign_key_leaves_no_transaction_open(tmp_path):
    app = support.make_app(tmp_path / "tx.db")
    db = app.store.db
    with pytest.raises(Exception, match="(?i)foreign key"):
        with db.transaction():
            db.execute(db.dialect.defer_keys)
            db.execute("INSERT INTO restrictions (customer_id, since, reason, request_id, erase_on, legal_hold)"
                       " VALUES ('nobody', '2026-01-01', 'request', 'r-1', NULL, 0)")
    assert not db.conn.in_transaction
    app.customers.upsert("somebody", "9000")  # the next transaction commits on its own
    assert support.query(app.settings.db, "SELECT count(*) FROM restrictions") == [(0,)]
    assert support.query(app.settings.db, "SELECT count(*) FROM customers WHERE id = 'somebody'") == [(1,)]
    app.store.close()

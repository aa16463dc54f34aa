"""The store. A SQLite file's schema moves forward by migrations, once each; its settings
hold; and a mistyped path never starts an empty database. On either backend, a row written
before proofs were kept reads without one."""

import pytest
from cocontroller.errors import FailedPrecondition
from cocontroller.store import Store
from cocontroller.store.migrations import MIGRATIONS
from support import database


@pytest.mark.sqlite_only
def test_migrations_apply_once_and_in_order(tmp_path):
    path = tmp_path / "store.db"
    first = Store(path, create=True)
    applied = first.db.applied_migrations()
    assert applied == ["m001_initial", "m002_privacy_facts", "m003_network_changes_jobs_audit",
                       "m004_rule_pack_versions", "m005_recorded_time",
                       "m006_point_outside_postcode", "m007_rule_pack_history",
                       "m008_customer_history", "m009_consent_proof",
                       "m010_objections", "m011_erasure", "m012_rectification", "m013_leads",
                       "m014_scheduled_changes", "m015_job_batches"]
    assert MIGRATIONS.pending(first.db.utils) == []
    again = Store(path)
    assert again.db.applied_migrations() == applied
    assert set(again.db.utils.table_names()) >= {
        "customers", "contact_events", "preferences", "assignments", "dealer_versions",
        "consents", "contracts", "disputes", "network_changes", "reassign_jobs", "notices",
    }


@pytest.mark.sqlite_only
def test_connections_use_wal_and_foreign_keys(tmp_path):
    store = Store(tmp_path / "store.db", create=True)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.sqlite_only
def test_null_and_blob_parameters_are_stored_as_given(tmp_path):
    store = Store(tmp_path / "store.db", create=True)
    row = store.db.execute("SELECT ?, typeof(?), ?, typeof(?), ?, ?", [None, None, b"\x00\xff", b"", 7, "x"]).fetchone()
    assert row == (None, "null", b"\x00\xff", "blob", 7, "x")


@pytest.mark.sqlite_only
def test_a_missing_file_is_created_only_when_asked(tmp_path):
    path = tmp_path / "typo.db"
    with pytest.raises(FailedPrecondition, match="does not exist"):
        Store(path)
    assert not path.exists()
    Store(path, create=True)
    assert path.exists()


def test_a_consent_recorded_before_proofs_were_kept_reads_without_one(tmp_path):
    store = Store(database(tmp_path / "store.db"), create=True)
    store.db.execute("INSERT INTO customers (id, postcode, language, kind, created_at, updated_at)"
                     " VALUES ('old-1', '9000', 'nl', 'private', '2020-01-01T00:00:00.000000Z',"
                     " '2020-01-01T00:00:00.000000Z')")
    store.db.execute("INSERT INTO consents (customer_id, channel, given_at, recorded_at)"
                     " VALUES ('old-1', 'email', '2020-05-01T10:00:00.000000Z', '2020-05-01T10:00:00.000000Z')")
    consent, = store.facts.consents("old-1")
    assert consent.proof is None and consent.channel == "email"

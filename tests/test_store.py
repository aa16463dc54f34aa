"""The SQLite store's schema moves forward by migrations, once each, and its settings hold."""

from cocontroller.store import MIGRATIONS, Store


def test_migrations_apply_once_and_in_order(tmp_path):
    path = tmp_path / "store.db"
    first = Store(path)
    applied = first.applied_migrations()
    assert applied == ["m001_initial", "m002_privacy_facts", "m003_network_changes_jobs_audit"]
    assert MIGRATIONS.pending(first.db) == []
    again = Store(path)
    assert again.applied_migrations() == applied
    assert set(again.db.table_names()) >= {
        "customers", "contact_events", "preferences", "assignments", "dealer_versions",
        "consents", "contracts", "disputes", "network_changes", "reassign_jobs", "notices",
    }


def test_connections_use_wal_and_foreign_keys(tmp_path):
    store = Store(tmp_path / "store.db")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1

"""The PostgreSQL backend beside SQLite: the same schema, and the same answers from the same
repositories, on a real server the tests start themselves."""

import sqlite3

import pytest

from cocontroller.errors import FailedPrecondition
from cocontroller.store import Store
from cocontroller.store.postgres import IDENTITY_TABLES, translate


def columns_sqlite(path) -> dict[str, list[str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\'"
            " AND name NOT LIKE 'sqlite%'")]
        return {t: sorted(r[1] for r in conn.execute(f'PRAGMA table_info("{t}")')) for t in sorted(tables)}
    finally:
        conn.close()


def columns_postgres(store: Store) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table, column in store.db.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name NOT LIKE '\\_%'"):
        found.setdefault(table, []).append(column)
    return {t: sorted(c) for t, c in sorted(found.items())}


@pytest.fixture
def pg_store(postgres):
    store = Store(postgres.new_database())
    yield store
    store.db.close_pool()


def test_both_backends_hold_the_same_tables_and_columns(tmp_path, pg_store):
    sqlite_store = Store(tmp_path / "schema.db", create=True)
    sqlite_store.close()
    assert columns_postgres(pg_store) == columns_sqlite(tmp_path / "schema.db")


def test_a_second_open_applies_nothing_again(postgres):
    url = postgres.new_database()
    first = Store(url)
    applied = first.db.applied_migrations()
    second = Store(url)
    assert second.db.applied_migrations() == applied == ["0001_schema.sql", "0002_job_batches.sql"]
    first.db.close_pool()
    second.db.close_pool()


@pytest.mark.parametrize("sql, expected", [
    ("SELECT * FROM customers WHERE id = ?", ("SELECT * FROM customers WHERE id = %s", False)),
    ("UPDATE t SET a = :a WHERE b LIKE 'x%'", ("UPDATE t SET a = %(a)s WHERE b LIKE 'x%%'", False)),
    ("INSERT INTO notices (a) VALUES (?)", ("INSERT INTO notices (a) VALUES (%s) RETURNING id", True)),
    ("INSERT INTO customers (id) VALUES (?)", ("INSERT INTO customers (id) VALUES (%s)", False)),
])
def test_statements_are_translated_for_psycopg(sql, expected):
    assert translate(sql) == expected


def test_an_id_a_rolled_back_transaction_took_is_given_again(tmp_path, pg_store):
    """Ids are one more than the largest held, on both backends: a killed job's last batch
    leaves no gap, so the resumed job stores the ids an uninterrupted one does."""
    insert = "INSERT INTO rule_pack_swaps (name, version, served_from) VALUES ('privacy', '1', '2026-12-06')"
    for store in (Store(tmp_path / "ids.db", create=True), pg_store):
        with store.transaction():
            assert store.db.execute(insert).lastrowid == 1
        with pytest.raises(ZeroDivisionError), store.transaction():
            assert store.db.execute(insert).lastrowid == 2
            1 / 0
        with store.transaction():
            assert store.db.execute(insert).lastrowid == 2, store.db.dialect.name


def test_the_tables_whose_insert_returns_its_id_are_those_the_schema_numbers(pg_store):
    numbered = {row[0] for row in pg_store.db.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
        " AND column_name = 'id' AND column_default LIKE 'next_id%'")}
    assert numbered == IDENTITY_TABLES


def test_a_missing_database_is_a_clear_error_and_init_creates_it(postgres):
    url = postgres.new_database().replace("/test_", "/absent_")
    with pytest.raises(FailedPrecondition, match="does not exist; `cocontroller init` creates it"):
        Store(url)
    created = Store(url, create=True)
    assert created.db.applied_migrations()[0] == "0001_schema.sql"
    created.db.close_pool()

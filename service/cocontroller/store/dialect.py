"""What the two backends spell differently: SQLite's JSON functions and PostgreSQL's, and
where each keeps its schema. Everything else the repositories write once for both.

A statement that gathers rows into JSON (a customer's whole record in one read) writes
`JSON_ROWS(a, b)` for the rows of a subquery as one JSON array of arrays (text, `[]` when
there are none) and `JSON_ROW(a, b)` for one array; `Dialect.sql` spells them for its
backend once, when the repository is made.
"""

import re
from dataclasses import dataclass

_JSON_ROWS = re.compile(r"JSON_ROWS\(([^()]*)\)")
_JSON_ROW = re.compile(r"JSON_ROW\(([^()]*)\)")


def is_url(target: str) -> bool:
    """Whether `--db` names a PostgreSQL database rather than a SQLite file."""
    return target.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class Dialect:
    name: str
    # a FROM item: the values of a JSON array given as one parameter, as rows of a column `value`
    json_values: str
    # makes this transaction's foreign keys checked at its commit
    defer_keys: str
    # the tables that have a given column: (table name,) rows, for one parameter
    tables_with_column: str
    # what JSON_ROWS(x) and JSON_ROW(x) become
    json_rows: str
    json_row: str
    # appended to a SELECT inside `Database.locking()`: locks the rows read, skipping those
    # another transaction holds (SQLite's one writer already excludes every other)
    skip_locked: str
    # appended to a SELECT inside `Database.locking()`: locks the rows read, waiting for them
    for_update: str

    def sql(self, statement: str) -> str:
        """`statement` with its JSON_ROWS and JSON_ROW spelled for this backend."""
        statement = _JSON_ROWS.sub(lambda m: self.json_rows.format(m.group(1)), statement)
        return _JSON_ROW.sub(lambda m: self.json_row.format(m.group(1)), statement)


SQLITE = Dialect(
    name="sqlite",
    json_values="json_each(?)",
    defer_keys="PRAGMA defer_foreign_keys = ON",
    tables_with_column="SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
                       " WHERE m.type = 'table' AND p.name = ? ORDER BY m.name",
    json_rows="json_group_array(json_array({}))", json_row="json_array({})",
    skip_locked="", for_update="",
)

POSTGRES = Dialect(
    name="postgresql",
    json_values="json_array_elements_text(CAST(? AS json)) AS j(value)",
    defer_keys="SET CONSTRAINTS ALL DEFERRED",
    tables_with_column="SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
                       " AND column_name = ? ORDER BY table_name",
    # json_agg of no rows is NULL, not []; psycopg would parse json itself, the repositories
    # parse the text as they do SQLite's
    json_rows="CAST(coalesce(json_agg(json_build_array({})), '[]') AS text)",
    json_row="CAST(json_build_array({}) AS text)",
    skip_locked=" FOR UPDATE SKIP LOCKED", for_update=" FOR UPDATE",
)

"""What the two backends spell differently: SQLite's JSON functions and PostgreSQL's, and
where each keeps its schema. Everything else the repositories write once for both."""

from dataclasses import dataclass


def is_url(target: str) -> bool:
    """Whether `--db` names a PostgreSQL database rather than a SQLite file."""
    return target.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class Dialect:
    name: str
    # json_group_array(x) / json_agg(x): the rows of a subquery as one JSON array
    group_array: str
    # json_array(a, b) / json_build_array(a, b): one JSON array of values
    array: str
    # the values of a JSON array given as a parameter, as rows of one column `value`
    each_value: str
    # the tables that have a given column: (table name,) rows, for one parameter
    tables_with_column: str


SQLITE = Dialect(
    name="sqlite", group_array="json_group_array", array="json_array",
    each_value="SELECT value FROM json_each(?)",
    tables_with_column="SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p"
                       " WHERE m.type = 'table' AND p.name = ? ORDER BY m.name",
)

POSTGRES = Dialect(
    name="postgresql", group_array="json_agg", array="json_build_array",
    each_value="SELECT value FROM json_array_elements_text(CAST(? AS json))",
    tables_with_column="SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema()"
                       " AND column_name = ? ORDER BY table_name",
)

"""The server-side commands with the shipped tenants: init makes a database per tenant, and
--tenant picks the database (named after --db) and the packs of the others."""

import json

import pytest

from support import query


@pytest.fixture
def two_tenants(monkeypatch, tmp_path, cli):
    """The shipped tenants file (both tenants), and a database of each made by init."""
    monkeypatch.delenv("COCONTROLLER_TENANTS")
    db = tmp_path / "cc.db"
    code, out, err = cli("init", "--demo", "--db", db, "--json")
    assert code == 0, err
    made = json.loads(out)["databases"]
    assert [(d["tenant"], d["db"], d["dealers"]) for d in made] == [
        ("lexus-be", str(db), 22), ("toyota-be", str(tmp_path / "cc-toyota-be.db"), 18)]
    return db


def test_init_makes_what_is_absent_and_refuses_when_nothing_is(two_tenants, cli, tmp_path):
    code, _, err = cli("init", "--db", two_tenants)
    assert code == 5 and "exists" in err
    code, out, err = cli("init", "--db", two_tenants, "--keep-existing")
    assert (code, err) == (0, "") and out.startswith("Every tenant's database exists already")
    (tmp_path / "cc-toyota-be.db").unlink()
    code, out, err = cli("init", "--demo", "--db", two_tenants)
    assert code == 0, err
    assert out.startswith(f"Created {tmp_path / 'cc-toyota-be.db'} for toyota-be with the demo dealer network")


def test_tenant_picks_the_database_and_the_packs_of_a_local_command(two_tenants, cli, tmp_path):
    code, _, err = cli("--tenant", "toyota-be", "demo-data", "--customers", "20", "--db", two_tenants, "--quiet")
    assert code == 0, err
    toyota = tmp_path / "cc-toyota-be.db"
    assert query(toyota, "SELECT COUNT(*) FROM customers") == [(20,)]
    assert query(two_tenants, "SELECT COUNT(*) FROM customers") == [(0,)]
    code, out, err = cli("--tenant", "toyota-be", "reassign", "--local", "--db", two_tenants, "--job-id", "j",
                         "--dry-run", "--quiet", "--json")
    assert code == 0, err
    assert json.loads(out)["processed"] == 20
    code, out, err = cli("--tenant", "toyota-be", "arrangement", "--lang", "nl")
    assert code == 0, err
    assert "Toyota Belgium SA" in out and "Lexus Belgium, B.U." not in out


def test_a_tenant_not_served_is_not_found(two_tenants, cli):
    code, out, err = cli("--tenant", "peugeot-be", "reassign", "--local", "--db", two_tenants, "--job-id", "j")
    assert (code, out) == (4, "") and "peugeot-be" in err and "lexus-be, toyota-be" in err

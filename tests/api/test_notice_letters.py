"""A notice is a letter owed to the customer: it carries the customer's language, the old and
the new controller with their names, addresses and enterprise numbers, the reason and the
day, and a text from the privacy pack's template; an export stamps what it exports."""

import csv
import datetime as dt
import json

import pytest

import support
from cocontroller.model import Correction, Scope

UTC = dt.timezone.utc


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """Customers of dlr-gent in each language, moved by its closure and a job."""
    db = tmp_path_factory.mktemp("letters") / "db.sqlite"
    app = support.make_app(db)
    for customer_id, language in (("let-nl", "nl"), ("let-fr", "fr"), ("let-de", "de"), ("let-en", "en")):
        app.customers.upsert(customer_id, "9000", language=language)
        app.assignment.assign(customer_id)
    app.network.close_dealer("dlr-gent", dt.date.today() - dt.timedelta(days=1), "test",
                             Correction("closed yesterday, recorded today", True))
    list(app.reassign.run("close-gent", Scope(), False, "test"))
    app.store.close()
    for target in support.serve(db):
        yield target, db


def test_each_notice_is_a_letter_in_the_customers_language(moved):
    target, _ = moved
    with support.client_for(target, "dpo") as dpo:
        notices = {n.customer_id: n for n in dpo.notices(job_id="close-gent")}
    assert set(notices) == {"let-nl", "let-fr", "let-de", "let-en"}
    for customer_id, notice in notices.items():
        language = customer_id.removeprefix("let-")
        assert notice.language == language
        assert notice.old_controller.name and notice.old_controller.enterprise_number.startswith("BE ")
        assert notice.new_controller.address and notice.new_controller.name in notice.text
        assert notice.old_controller.name in notice.text and "Lexus Belgium" in notice.text
        assert notice.effective_date.year and notice.reason in notice.text
    assert notices["let-nl"].text.startswith("Geachte klant")
    assert notices["let-fr"].text.startswith("Madame, Monsieur")
    assert notices["let-de"].text.startswith("Sehr geehrte")
    assert notices["let-en"].text.startswith("Dear customer")


def test_an_export_stamps_what_it_exports_in_the_file_and_the_store(moved, cli, tmp_path):
    target, db = moved
    out = tmp_path / "letters.csv"
    code, printed, err = cli("notices", "--pending", "--export", out, "--mark-exported", "--target", target, "--json")
    assert code == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == 4 and all(r["exported_at"] and r["text"] and r["language"] for r in rows)
    stored = {str(i): at for i, at in support.query(db, "SELECT id, exported_at FROM notices")}
    for row in rows:
        assert dt.datetime.fromisoformat(stored[row["id"]].replace("Z", "+00:00")) == dt.datetime.fromisoformat(
            row["exported_at"])
    assert json.loads(printed)["marked_exported"] == 4
    code, printed, err = cli("notices", "--pending", "--target", target, "--json")
    assert json.loads(printed)["notices"] == []

"""Two time axes: what holds on a day (valid time, `as_of`) and what the service knew at an
instant (recorded time, `known_at`). A backdated change is a correction with a reason; the
answers given before it was recorded can be given again exactly; scheduled changes can be
cancelled and closed dealers reopened. Through the use cases; the gRPC and CLI surface is in
api/test_network_changes_api.py."""

import datetime as dt
import shutil

import pytest

from cocontroller import bootstrap, clock
from cocontroller.errors import FailedPrecondition, InvalidArgument, NotFound
from cocontroller.model import Correction, DealerFields, NetworkChangeKind
from cocontroller.resources import packs_dir
from support import PROOF, make_app

GENT = "dlr-gent"


@pytest.fixture
def app(tmp_path):
    return make_app(tmp_path / "db.sqlite")


def days(n: int) -> dt.date:
    return clock.today() + dt.timedelta(days=n)


def instant() -> dt.datetime:
    """Now, strictly after everything recorded so far and before anything recorded next."""
    before = clock.now()
    while clock.now() == before:
        pass
    return before


def nearest_9000(app, as_of, known_at=None) -> str:
    return app.assignment.responsible_for_location("9000", None, None, as_of, known_at).dealer.dealer_id


def violation_fields(error: InvalidArgument) -> set[str]:
    return {field for field, _ in error.violations}


# -- corrections ---------------------------------------------------------------------------


def test_a_backdated_closure_is_answered_as_known_before_and_after_its_recording(app):
    before = instant()
    assert nearest_9000(app, days(-5)) == GENT
    app.network.close_dealer(GENT, days(-10), "test", Correction("closure reported late", confirmed=True))
    after = instant()
    # what the service said about five days ago, as known before and after the correction
    assert nearest_9000(app, days(-5), known_at=before) == GENT
    assert nearest_9000(app, days(-5), known_at=after) != GENT
    assert nearest_9000(app, days(-5)) == nearest_9000(app, days(-5), known_at=after)
    # days before the closure are unchanged on both axes
    assert nearest_9000(app, days(-11), known_at=after) == GENT
    dealer = app.network.get_dealer(GENT, days(-5), known_at=before)
    assert dealer.active and dealer.version.active_until is None
    assert not app.network.get_dealer(GENT, days(-5)).active


def test_a_backdated_change_without_a_reason_is_refused_and_stores_nothing(app):
    stamp = app.store.network.stamp()
    with pytest.raises(InvalidArgument) as refused:
        app.network.close_dealer(GENT, days(-1), "test")
    assert violation_fields(refused.value) == {"correction.reason"}
    assert "before today" in str(refused.value.violations)
    assert app.store.network.stamp() == stamp
    assert app.network.get_dealer(GENT, days(0)).active


def test_beyond_the_window_a_correction_must_be_confirmed(app):
    with pytest.raises(InvalidArgument) as refused:
        app.network.close_dealer(GENT, days(-30), "test", Correction("closed in the summer"))
    assert violation_fields(refused.value) == {"correction.confirmed"}
    change = app.network.close_dealer(GENT, days(-30), "test", Correction("closed in the summer", True))
    logged = app.store.network.change(change.id)
    assert logged.correction == Correction("closed in the summer", True)
    assert logged.kind == NetworkChangeKind.CLOSE and logged.effective == days(-30)


def test_within_the_window_a_reason_is_enough(tmp_path):
    app = make_app(tmp_path / "db.sqlite", backdate_window_days=3)
    change = app.network.close_dealer(GENT, days(-3), "test", Correction("reported on Monday"))
    assert change.correction == Correction("reported on Monday", False)
    with pytest.raises(InvalidArgument):
        app.network.update_dealer("dlr-aalst", DealerFields(trade_name="Aalst"), days(-4), "test",
                                  Correction("too far back"))


def test_a_change_from_today_on_is_no_correction(app):
    change = app.network.close_dealer(GENT, days(0), "test", Correction("not needed"))
    assert change.correction is None
    assert app.store.network.change(change.id).correction is None


def test_known_on_in_the_future_is_refused(app):
    with pytest.raises(InvalidArgument) as refused:
        nearest_9000(app, None, known_at=clock.now() + dt.timedelta(days=1))
    assert violation_fields(refused.value) == {"known_on"}


def test_a_correction_of_a_move_keeps_the_old_address_for_what_was_known(app):
    before = instant()
    app.network.update_dealer(GENT, DealerFields(trade_name="Gent Noord"), days(-2), "test",
                              Correction("renamed on the 1st"))
    assert app.network.get_dealer(GENT, days(-1)).version.trade_name == "Gent Noord"
    assert app.network.get_dealer(GENT, days(-1), known_at=before).version.trade_name != "Gent Noord"
    # nothing was overwritten: every version recorded is still in the table
    rows = app.store.db.rows("SELECT * FROM dealer_versions WHERE dealer_id = ?", [GENT])
    assert sum(1 for r in rows if r["superseded_at"] is None) == 2
    assert sum(1 for r in rows if r["superseded_at"] is not None) == 1


# -- reopen ----------------------------------------------------------------------------------


def test_a_closed_dealer_reopens(app):
    app.network.close_dealer(GENT, days(5), "test")
    change = app.network.reopen_dealer(GENT, DealerFields(), days(20), "test")
    assert change.kind == NetworkChangeKind.REOPEN
    assert change.dealer.active_from == days(20) and change.dealer.active_until is None
    assert app.network.get_dealer(GENT, days(4)).active
    assert not app.network.get_dealer(GENT, days(10)).active
    assert app.network.get_dealer(GENT, days(25)).active
    assert nearest_9000(app, days(10)) != GENT
    assert nearest_9000(app, days(25)) == GENT


def test_a_dealer_reopens_at_a_new_address(app):
    app.network.close_dealer(GENT, days(5), "test")
    change = app.network.reopen_dealer(
        GENT, DealerFields(street="Brusselsesteenweg 10", postcode="9050", town="Gentbrugge"), days(6), "test")
    version = change.dealer
    assert (version.street, version.postcode) == ("Brusselsesteenweg 10", "9050")
    pc = app.postcodes.get("9050")
    assert (version.lat, version.lon) == (pc.lat, pc.lon)


def test_an_active_dealer_cannot_reopen(app):
    with pytest.raises(FailedPrecondition, match="is active"):
        app.network.reopen_dealer(GENT, DealerFields(), days(3), "test")


# -- cancelling a scheduled change -----------------------------------------------------------


def test_a_scheduled_closure_is_cancelled(app):
    change = app.network.close_dealer(GENT, days(10), "test")
    scheduled = instant()
    cancelled = app.network.cancel_change(change.id, "test", "the owner found a buyer")
    assert cancelled.change.cancelled_at is not None and cancelled.withdrawn_notices == 0
    assert app.network.get_dealer(GENT, days(15)).active
    # as known while the closure stood, the dealer closes
    assert not app.network.get_dealer(GENT, days(15), known_at=scheduled).active
    with pytest.raises(FailedPrecondition, match="cancelled"):
        app.network.cancel_change(change.id, "test", "again")


def test_cancelling_changes_one_after_the_other_restores_each_earlier_state(app):
    original = app.network.get_dealer(GENT, days(7)).version.trade_name
    first = app.network.update_dealer(GENT, DealerFields(trade_name="First"), days(3), "test")
    second = app.network.update_dealer(GENT, DealerFields(trade_name="Second"), days(6), "test")
    with pytest.raises(FailedPrecondition, match="later change"):
        app.network.cancel_change(first.id, "test", "out of order")
    app.network.cancel_change(second.id, "test", "not after all")
    assert app.network.get_dealer(GENT, days(7)).version.trade_name == "First"
    app.network.cancel_change(first.id, "test", "nor this one")
    assert app.network.get_dealer(GENT, days(7)).version.trade_name == original
    assert app.network.get_dealer(GENT, days(1)).version.trade_name == original


def test_a_change_in_effect_cannot_be_cancelled(app):
    change = app.network.close_dealer(GENT, days(0), "test")
    with pytest.raises(FailedPrecondition, match="took effect"):
        app.network.cancel_change(change.id, "test", "too late")


def test_a_cancellation_needs_a_reason(app):
    change = app.network.close_dealer(GENT, days(10), "test")
    with pytest.raises(InvalidArgument) as refused:
        app.network.cancel_change(change.id, "test", " ")
    assert violation_fields(refused.value) == {"reason"}


def test_cancelling_an_added_dealer_removes_it_from_then_on(app):
    fields = DealerFields(legal_name="Leie Motors NV", enterprise_number="BE 0403.170.701", street="Markt 1",
                          postcode="9800", town="Deinze", languages=("nl",), roles=("sales",))
    added = app.network.add_dealer("dlr-deinze", fields, days(30), "test")
    app.network.cancel_change(added.id, "test", "the opening was called off")
    assert "dlr-deinze" not in app.runtime.current.network
    with pytest.raises(Exception):
        app.network.get_dealer("dlr-deinze", days(40))


# -- facts and assignments as known -----------------------------------------------------------


def test_a_purchase_imported_today_is_unknown_to_earlier_answers(app):
    app.customers.upsert("c-import", "9000")
    before = instant()
    # a 2020 purchase imported from the CRM today: an ordinary record with its own date
    app.facts.record_contact("", "c-import", "dlr-aalst", "purchase", dt.datetime(2020, 5, 4, 10, tzinfo=clock.UTC))
    as_of = dt.date(2021, 1, 1)
    then = app.resolution.resolve("c-import", as_of, "en", known_at=before)
    now = app.resolution.resolve("c-import", as_of, "en")
    assert "purpose.contract.sale" not in {p.id for p in then.purposes}
    assert "purpose.contract.sale" in {p.id for p in now.purposes}
    assert app.assignment.responsible_for_customer("c-import", as_of, known_at=before).basis == "NEAREST"
    assert app.assignment.responsible_for_customer("c-import", as_of).dealer.dealer_id == "dlr-aalst"


def test_a_withdrawal_recorded_later_is_unknown_before(app):
    app.customers.upsert("c-consent", "9000")
    app.facts.record_consent("c-consent", "email", clock.now() - dt.timedelta(days=100), None, PROOF)
    before = instant()
    app.facts.record_consent("c-consent", "email", None, clock.now() - dt.timedelta(days=50))
    as_of = days(-10)
    then = app.resolution.resolve("c-consent", as_of, "en", known_at=before)
    now = app.resolution.resolve("c-consent", as_of, "en")
    assert "purpose.marketing.email" in {p.id for p in then.purposes}
    assert "purpose.marketing.email" not in {p.id for p in now.purposes}


def test_a_contract_corrected_later_keeps_its_earlier_version(app):
    app.customers.upsert("c-lease", "9000")
    app.facts.record_contract("lease-1", "c-lease", "lease", "Fictilease NV", "dlr-gent", days(-400), None)
    before = instant()
    app.facts.record_contract("lease-1", "c-lease", "lease", "Fictilease NV", "dlr-gent", days(-400), days(-30))
    then = app.resolution.resolve("c-lease", days(-1), "en", known_at=before)
    now = app.resolution.resolve("c-lease", days(-1), "en")
    assert then.facts["has_lease"] and not now.facts["has_lease"]
    # re-recording the same contract changes nothing, not even its recorded time
    after = instant()
    app.facts.record_contract("lease-1", "c-lease", "lease", "Fictilease NV", "dlr-gent", days(-400), days(-30))
    assert app.resolution.resolve("c-lease", days(-1), "en", known_at=after).facts == now.facts


def test_the_assignment_in_force_as_known_then(app):
    app.customers.upsert("c-moves", "9000")
    first, _ = app.assignment.assign("c-moves")
    between = instant()
    app.facts.record_contact("", "c-moves", "dlr-aalst", "purchase", clock.now() - dt.timedelta(hours=1))
    second = app.assignment.responsible_for_customer("c-moves", None)
    assert (first.basis, second.basis) == ("NEAREST", "PURCHASE")
    then = app.assignment.responsible_for_customer("c-moves", None, known_at=between)
    assert (then.id, then.dealer.dealer_id, then.valid_to) == (first.id, first.dealer.dealer_id, None)



# -- the packs that served then ------------------------------------------------------------


def test_an_answer_as_known_then_uses_the_packs_that_served_then(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(packs_dir(), rules, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    app = make_app(tmp_path / "db.sqlite", rules_dir=rules)
    app.customers.upsert("c-replay", "9000")
    old = app.runtime.current.privacy.version
    before = instant()
    # a new privacy pack version words the General Privacy Statement pointer otherwise
    pack = rules / "privacy" / "privacy.yaml"
    version = pack.read_text(encoding="utf-8").split('version: "', 1)[1].split('"', 1)[0]
    pack.write_text(pack.read_text(encoding="utf-8").replace(version, version + "9"), encoding="utf-8")
    notices = rules / "privacy" / "notices.yaml"
    worded = "      en: Read this together with Lexus' General Privacy Statement, which describes"
    assert notices.read_text(encoding="utf-8").count(worded) == 1
    notices.write_text(notices.read_text(encoding="utf-8").replace(worded, "      en: Also read Lexus' General Privacy Statement, which describes"), encoding="utf-8")
    app.packs.reload()
    assert app.runtime.current.privacy.version != old
    now = app.resolution.resolve("c-replay", days(0), "en")
    then = app.resolution.resolve("c-replay", days(0), "en", known_at=before)

    def pointer(r):
        return next(n.label for n in r.notices if n.id == "notice.general-privacy-statement")

    assert pointer(now).startswith("Also read") and pointer(then).startswith("Read this together")
    assert (then.rules_version, now.rules_version) == (old, app.runtime.current.privacy.version)
    # a restart keeps the history: the old version is replayed from the stored files
    again = bootstrap.build(app.settings)
    assert again.resolution.resolve("c-replay", days(0), "en", known_at=before).rules_version == old


def test_a_customer_who_moved_is_answered_at_the_old_address_as_known_before(app):
    app.customers.upsert("c-moved", "9000")
    before = instant()
    app.customers.upsert("c-moved", "8000")  # moved to Brugge
    assert app.assignment.responsible_for_customer("c-moved", None, known_at=before).dealer.dealer_id == GENT
    assert app.assignment.responsible_for_customer("c-moved", None).dealer.dealer_id != GENT
    assert app.store.customers.get_known("c-moved", before).postcode == "9000"
    with pytest.raises(NotFound):
        app.store.customers.get_known("c-moved", before - dt.timedelta(days=1))

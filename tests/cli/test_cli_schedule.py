"""The CLI of scheduled network changes: a change made ahead says what the server will do
and how to preview it, `schedule` lists where each stands, a cancellation says how many
unsent notices it withdrew."""

import datetime as dt
import json

from cocontroller import clock


def test_a_change_made_ahead_is_scheduled_listed_and_cancelled(fresh_server, cli):
    closing = clock.today() + dt.timedelta(days=20)
    code, out, err = cli("dealers", "close", "--id", "dlr-gent", "--effective", closing, "--target", fresh_server)
    assert code == 0, err
    notice_on = (closing - dt.timedelta(days=30)) if closing - dt.timedelta(days=30) > clock.today() else clock.today()
    assert f"its customers are told from {notice_on} and re-assigned on {closing}" in out
    assert f"--dealers dlr-gent --dry-run --at {closing}`" in out

    code, out, err = cli("schedule", "--target", fresh_server, "--json")
    assert code == 0, err
    [change] = json.loads(out)["changes"]
    assert (change["kind"], change["dealer_id"], change["effective"], change["status"]) == (
        "close", "dlr-gent", closing.isoformat(), "scheduled")
    assert change["job_id"] == f"change-{change['change_id']}"

    code, out, err = cli("dealers", "cancel-change", "--change", change["change_id"], "--reason", "called off",
                         "--target", fresh_server)
    assert code == 0, err
    assert "cancelled; 0 unsent notice(s) withdrawn" in out
    code, out, err = cli("schedule", "--status", "cancelled", "--target", fresh_server)
    assert code == 0, err
    assert f"close dlr-gent on {closing}" in out and "cancelled (job change-" in out


def test_a_change_from_today_points_to_the_job_to_run(fresh_server, cli):
    code, out, err = cli("dealers", "close", "--id", "dlr-gent", "--effective", clock.today(), "--target",
                         fresh_server, "--json")
    assert code == 0, err
    assert json.loads(out)["scheduled"] is None

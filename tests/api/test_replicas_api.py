"""Two `cocontroller serve` processes on one PostgreSQL database, behind one client that
balances with gRPC's round_robin over a static list: 8 concurrent clients get no error and
lose no write, both servers answer, and a rule-pack reload on one is repeated by the other."""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import support

SCRIPT = Path(sys.executable).parent / "cocontroller"
CLIENTS = 8
WRITES = 15


class Replica:
    def __init__(self, url: str, log: Path, *flags: str):
        self.port = support.free_port()
        self.log = log
        env = {**os.environ, "COCONTROLLER_LOG_KEY": support.PG_KEYS["log_key"],
               "COCONTROLLER_ERASURE_KEY": support.PG_KEYS["erasure_key"]}
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [str(SCRIPT), "serve", "--db", url, "--host", "127.0.0.1", "--port", str(self.port),
                 "--metrics-port", "0", "--sweep-hour", "-1", *flags], stdout=subprocess.DEVNULL, stderr=out, env=env)
        self.target = f"127.0.0.1:{self.port}"
        support.wait_serving(self.target, self.process)

    def logged(self, text: str) -> int:
        return self.log.read_text().count(text)


def test_two_replicas_share_the_load_lose_no_write_and_hear_a_reload(postgres, tmp_path):
    url = postgres.new_database()
    support.make_app(url).store.db.close_pool()
    replicas = [Replica(url, tmp_path / f"replica-{i}.log") for i in range(2)]
    try:
        both = f"ipv4:{replicas[0].target},{replicas[1].target}"
        failures: list[Exception] = []

        def client_work(n: int) -> None:
            try:
                with support.client_for(both, "batch", channel_options=(
                        ("grpc.ssl_target_name_override", "localhost"),)) as client:
                    customer_id = f"rr-{n}"
                    client.upsert_customer(customer_id, "9000")
                    for i in range(WRITES):
                        client.record_contact(customer_id, "dlr-gent", "test_drive_request",
                                              dt.datetime(2026, 1, 1 + i, tzinfo=dt.timezone.utc),
                                              event_id=f"rr-{n}-{i}")
            except Exception as e:  # noqa: BLE001 (collected and asserted below)
                failures.append(e)

        threads = [threading.Thread(target=client_work, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert failures == []
        assert support.query(url, "SELECT count(*) FROM contact_events WHERE event_id LIKE 'rr-%'") == [
            (CLIENTS * WRITES,)]
        assert all(r.logged("RecordContact") > 0 for r in replicas), "round_robin sent every call to one replica"

        with support.client_for(replicas[0].target) as admin:
            admin.reload_rule_packs()
        deadline = time.monotonic() + 5
        while replicas[1].logged("rules.reloaded") == 0:
            assert time.monotonic() < deadline, "the second replica did not hear the reload"
            time.sleep(0.05)
    finally:
        for replica in replicas:
            support.stop(replica.process)

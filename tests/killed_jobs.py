"""A real job process killed with SIGKILL at random moments and started again with the same
job id: what the crash tests of re-assignment and of the retention sweep share. A job is
watched from outside, through its row in reassign_jobs, as the kills are."""

import os
import random
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from support import records


@dataclass(frozen=True)
class KilledJob:
    job_id: str
    total: int  # the customers the job walks
    batch: int
    command: Callable[[Path, int], list[str]]  # (database, worker processes) -> argv

    def row(self, db: Path) -> dict | None:
        found = records(db, "SELECT * FROM reassign_jobs WHERE id = ?", [self.job_id])
        return found[0] if found else None

    def run_whole(self, db: Path) -> float:
        """Runs the job uninterrupted; the span between its first committed batch and its
        end, which bounds when the kills below strike."""
        launched = time.monotonic()
        proc = subprocess.Popen(self.command(db, 1), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        first_commit = None
        while proc.poll() is None:
            row = self.row(db) if first_commit is None else None
            if row and row["processed"] > 0:
                first_commit = time.monotonic()
            time.sleep(0.005)
        ended = time.monotonic()
        assert proc.returncode == 0, proc.stderr.read().decode()
        proc.stderr.close()
        row = self.row(db)
        assert row["status"] == "finished" and row["processed"] == self.total
        return max(ended - (first_commit or launched), 0.2)

    def kill_and_resume(self, db: Path, workers: int, rng: random.Random, span: float,
                        kills_wanted: int = 3) -> list[dict]:
        """Starts the job, kills its whole process group at a random moment while batches
        are being committed, again and again, then lets it finish. Returns the job row after
        each kill."""
        after_kills = []
        attempts = 0
        while sum(1 for r in after_kills if r["status"] == "running") < kills_wanted:
            attempts += 1
            assert attempts <= 4 * kills_wanted, f"could not kill mid-job: {after_kills}"
            before = self.row(db)
            done_before = before["processed"] if before else 0
            proc = subprocess.Popen(self.command(db, workers), start_new_session=True,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if self._commit_after(db, proc, done_before):
                    # A random moment within the measured span, but before a third of what
                    # is left is done, however fast this run goes.
                    deadline = time.monotonic() + rng.uniform(0.0, 0.25 * span)
                    cap = done_before + (self.total - done_before) // 3
                    while time.monotonic() < deadline and self.row(db)["processed"] < cap:
                        time.sleep(0.002)
            finally:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait()
            row = self.row(db)
            assert row is not None
            after_kills.append(row)
        done = subprocess.run(self.command(db, workers), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return after_kills

    def check_kills(self, after_kills: list[dict]) -> list[dict]:
        """Three or more kills struck mid-job, each after whole batches, and each restart
        resumed and went further before the next; returns those mid-job rows."""
        mid_job = [r for r in after_kills if r["status"] == "running"]
        assert len(mid_job) >= 3, after_kills
        for row in mid_job:
            assert 0 < row["processed"] < self.total and row["processed"] % self.batch == 0, row
        processed = [r["processed"] for r in after_kills]
        assert processed == sorted(processed) and len(set(processed)) == len(processed), processed
        return mid_job

    def _commit_after(self, db: Path, proc: subprocess.Popen, processed: int, timeout: float = 60) -> bool:
        """Waits until the job has committed a batch beyond `processed`; False if the
        process ended."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.row(db)
            if row and row["processed"] > processed:
                return True
            if proc.poll() is not None:
                return False
            time.sleep(0.005)
        raise AssertionError(f"no batch committed within {timeout} s")
